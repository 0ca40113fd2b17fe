"""Patient records as rows, and every version of them.

The contract's patient record is split the way it is edited: the person and their status on `Patient`
(genetics, clinical status and labs as the contract's own JSON sections), measurements and treatments as
rows so that charts and the worklist can query them. `seam.record_for_patient` is the one place that
turns these rows back into the contract's record document.

Nothing disappears without trace: every change writes a `PatientRecordVersion` with the whole record as
it stood afterwards and who made it; shares with clinics are withdrawn, not deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from smanav.patients.keyset import EarliestIfMissing, Negated
from smanav_core.codes import AlertCode, Instrument, MonitoringTest, Regimen, Region, Sex, TreatmentTherapy


class Patient(models.Model):
    display_name = models.CharField(_("name or nickname"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    region = models.CharField(
        _("region"), max_length=2, choices=[(r.value, r.value) for r in Region], blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=[(s.value, s.value) for s in Sex], blank=True)
    gestational_age_weeks = models.FloatField(_("gestational age at birth (weeks)"), null=True, blank=True)
    weight_kg = models.FloatField(_("current weight (kg)"), null=True, blank=True)
    pregnant = models.BooleanField(_("pregnant"), null=True, blank=True)
    # The contract's `genetics`, `clinical` and `labs` sections, exactly as the core reads them;
    # None means the section is not known.
    genetics = models.JSONField(null=True, blank=True)
    clinical = models.JSONField(null=True, blank=True)
    labs = models.JSONField(null=True, blank=True)
    # Optimistic concurrency: a save names the version it was based on; a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    # A double-submitted "new patient" form carries the same key and creates one record.
    creation_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name


class GuardianRelation(models.TextChoices):
    PARENT = "parent", _("Parent or carer")
    SELF = "self", _("The person themselves")


class Guardian(models.Model):
    """A family account that manages a record: a parent for each child, or an adult for their own."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="guardians")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships")
    relation = models.CharField(max_length=10, choices=GuardianRelation.choices)
    # Empty for the family member who added the record; a carer who accepted an invitation names the
    # guardian who invited them (and may be removed by the record's first guardians, `carers.py`).
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "user"], name="guardian_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.relation}) of patient {self.patient_id}"


class ClinicShare(models.Model):
    """A family's invitation to a clinic to see and edit a record. Withdrawing keeps the row."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="shares")
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="shares")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinic"], condition=Q(withdrawn_at__isnull=True), name="share_one_active"
            )
        ]
        indexes = [
            models.Index(fields=["clinic", "withdrawn_at"], name="share_clinic_active"),
            # The records shared with a clinic now in id order: the API's record list, a page at a time.
            models.Index(
                fields=["clinic", "patient"],
                condition=Q(withdrawn_at__isnull=True),
                name="share_active_by_clinic",
            ),
        ]

    def __str__(self) -> str:
        return f"patient {self.patient_id} shared with clinic {self.clinic_id}"


class Assessment(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessments")
    date = models.DateField(_("date"))
    instrument = models.CharField(
        _("measure"), max_length=32, choices=[(i.value, i.value) for i in Instrument]
    )
    value = models.FloatField(_("value"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "date"], name="assessment_series")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.value:g} on {self.date}"


class Treatment(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    therapy = models.CharField(
        _("therapy"), max_length=40, choices=[(t.value, t.value) for t in TreatmentTherapy]
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # The labelled regimen, for a therapy that has several (nusinersen 12 mg or high dose); blank = not
    # recorded.
    regimen = models.CharField(
        _("regimen"), max_length=40, blank=True, default="", choices=[(r.value, r.value) for r in Regimen]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "id"]

    def __str__(self) -> str:
        return f"{self.therapy} from {self.start_date}"


class Dose(models.Model):
    """One dose of a treatment course, as given: the core counts the next dose from the last one."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="doses")
    date = models.DateField(_("date given"))
    amount_mg = models.FloatField(_("dose (mg)"), null=True, blank=True)
    # Who gave it, as the person recording it names them (a clinician, a clinic, "at home").
    given_by = models.CharField(_("given by"), max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["treatment", "date"], name="dose_course_date")]

    def __str__(self) -> str:
        return f"dose of treatment {self.treatment_id} on {self.date}"


class LabTest(models.Model):
    """A safety test a therapy's label asks for, done on a date (the results stay with the clinic)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="lab_tests")
    date = models.DateField(_("date"))
    test = models.CharField(_("test"), max_length=32, choices=[(t.value, t.value) for t in MonitoringTest])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["patient", "date"], name="labtest_patient_date")]

    def __str__(self) -> str:
        return f"{self.test} on {self.date}"


class PatientRecordVersion(models.Model):
    """The whole record (the contract's document) as it stood after one change, and who made it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    record = models.JSONField()
    # A fixed English sentence for the audit log and the API; pages show `change` in the reader's language.
    summary = models.CharField(max_length=200)
    change = models.CharField(max_length=30, blank=True, default="")
    change_values = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # The form's one-time key: a second submission of the same form finds this row and changes nothing.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["patient", "version"], name="version_unique")]

    def __str__(self) -> str:
        return f"patient {self.patient_id} version {self.version}"


class PatientSummary(models.Model):
    """The latest evaluation's headline, kept so the clinic worklist never evaluates 10,000 records.

    Refreshed by the services on every change and by `manage.py patients_refresh` (nightly), because
    overdue items depend on the date as well as the record.
    """

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="summary", primary_key=True
    )
    evaluated_on = models.DateField()
    knowledge_version = models.CharField(max_length=80)
    diagnosis = models.CharField(max_length=40, blank=True)
    sma_type = models.CharField(max_length=20, blank=True)
    functional_group = models.CharField(max_length=20, blank=True)
    urgency = models.CharField(max_length=10, blank=True)
    # 0 = routine, 1 = prompt, 2 = urgent: sortable.
    urgency_rank = models.PositiveSmallIntegerField(default=0)
    alert_count = models.PositiveIntegerField(default=0)
    high_alert_count = models.PositiveIntegerField(default=0)
    alert_codes = models.CharField(max_length=300, blank=True)
    alerts = models.JSONField(default=list)
    # Each alert's fingerprint (`patients.alerts.alert_fingerprint`), in the order of `alerts`, worked out
    # with them so the worklist finds their acknowledgements without digesting every alert it shows.
    alert_fingerprints = models.JSONField(default=list)
    # Dated care-plan items whose date has passed, and those due within the knowledge base's window.
    overdue_count = models.PositiveIntegerField(default=0)
    due_soon_count = models.PositiveIntegerField(default=0)
    # The dated items that are overdue or due soon, earliest first: [{"title", "due_on", "status"}].
    due_items = models.JSONField(default=list)
    # Every dated item with a date still ahead or passed (overdue, due soon, scheduled), earliest first:
    # [{"due_on", "status"}], for the reminders by email. None in a summary kept before this was.
    dated_items = models.JSONField(null=True, default=None)
    last_assessment_on = models.DateField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)
    # Copies of the record's name and birth date, written with the summary (every change of a record
    # refreshes it), so that every sort of the worklist is one index of this table (ADR 0026).
    display_name = models.CharField(max_length=120, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)

    class Meta:
        # One index per sort of the worklist (`selectors.WORKLIST_SORTS`), on the sort's keys as the page
        # compares them (ADR 0028): descending counts negated, missing dates as the earliest day, the
        # record's id last. A page starts at its link's row by one row comparison, at any depth.
        indexes = [
            models.Index(
                Negated("urgency_rank"),
                Negated("high_alert_count"),
                Negated("alert_count"),
                F("display_name"),
                F("patient_id"),
                name="summary_keyset_priority",
            ),
            models.Index(fields=["display_name", "patient"], name="summary_sort_name"),
            models.Index(EarliestIfMissing("birth_date"), F("patient_id"), name="summary_keyset_age"),
            models.Index(
                Negated("alert_count"), F("display_name"), F("patient_id"), name="summary_keyset_alerts"
            ),
            models.Index(
                Negated("overdue_count"), F("display_name"), F("patient_id"), name="summary_keyset_overdue"
            ),
            models.Index(
                EarliestIfMissing("last_assessment_on"),
                F("display_name"),
                F("patient_id"),
                name="summary_keyset_last_seen",
            ),
            models.Index(fields=["evaluated_on"], name="summary_evaluated_on"),
            # The worklist's filters, for when few records match: the planner then reads the matches
            # from one of these and sorts them, rather than walking the sort's index past everyone else.
            models.Index(fields=["urgency", "patient"], name="summary_urgency"),
            # One small index per alert code (five): the records showing that alert.
            *(
                models.Index(
                    fields=["patient"],
                    condition=Q(alert_codes__contains=code.value),
                    name=f"summary_alert_{code.value[:16]}",
                )
                for code in AlertCode
            ),
            models.Index(fields=["patient"], condition=Q(overdue_count__gt=0), name="summary_with_overdue"),
            models.Index(fields=["patient"], condition=Q(due_soon_count__gt=0), name="summary_with_due_soon"),
        ]

    def __str__(self) -> str:
        return f"summary of patient {self.patient_id} on {self.evaluated_on}"


class ClinicWorklistCounts(models.Model):
    """The headline numbers of one clinic's worklist, kept up to date by every change that moves them (a
    summary worked out, a record shared, withdrawn or deleted: `services/worklist_counts.py`) instead of
    counted on every page, which at 150,000 records read every record (ADR 0026). Counted afresh by the
    nightly refresh, which also mends any drift (a row changed behind the services' back)."""

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Records shared with the clinic now, those of them with a summary, and of those how many are
    # urgent, have alerts, an overdue item, an item due soon. Plain integers: a drift never refuses a save.
    shared = models.IntegerField(default=0)
    summarised = models.IntegerField(default=0)
    urgent = models.IntegerField(default=0)
    with_alerts = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    due_soon = models.IntegerField(default=0)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worklist counts of clinic {self.clinic_id}: {self.shared} shared"


class SummaryRefreshRequest(models.Model):
    """A refresh of one clinic's worklist summaries, queued for one day.

    The worklist asks for one whenever it finds summaries worked out before today; the row's uniqueness
    per clinic and day is what keeps a busy worklist from queueing a job on every page load, also when
    several servers race. Old rows are pruned by the nightly refresh.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    requested_at = models.DateTimeField(auto_now_add=True)
    # The queued job's id, to find it among the task results (the admin, `db_worker` logs).
    job_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "as_of"], name="summary_refresh_once_a_day")]

    def __str__(self) -> str:
        return f"refresh of clinic {self.clinic_id}'s summaries for {self.as_of}"


class AlertAcknowledgement(models.Model):
    """A clinician's note that they have seen one alert of a record, as the core said it then.

    The alert is matched by its fingerprint (`patients.alerts.alert_fingerprint`): the whole alert as the
    contract writes it. An alert that comes back with new data (another fall, a new due date, a due item
    now overdue) says something else, has another fingerprint and shows as new again.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="acknowledgements")
    fingerprint = models.CharField(max_length=64)
    # The alert's code and sentence as they were acknowledged, for the history and the audit log.
    code = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    note = models.TextField(blank=True, max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept even if the account is later deleted: the person's name as shown when they acknowledged.
    by_label = models.CharField(max_length=200)
    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "fingerprint"], name="acknowledgement_alert")]

    def __str__(self) -> str:
        return f"acknowledgement of {self.code} on patient {self.patient_id}"


class CarerInvitation(models.Model):
    """A guardian's invitation to a second carer, sent to an email address as a signed link. The carer
    who accepts it (signed in with that address) becomes a guardian of the record. Rows are kept."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="carer_invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation of {self.email} to patient {self.patient_id}"


class RecordBaseline(models.Model):
    """What mattered to the person at the last look: each therapy's status and the care plan's items with
    their intervals (`services/news.py`), to tell what a knowledge update or the passing of time changed."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="baseline", primary_key=True
    )
    knowledge_version = models.CharField(max_length=80)
    matters = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"baseline of patient {self.patient_id} ({self.knowledge_version})"


class NewsKind(models.TextChoices):
    THERAPY = "therapy", _("A treatment's status changed")
    THERAPY_NEW = "therapy_new", _("A treatment is new in smanav's knowledge")
    PLAN_NEW = "plan_new", _("New in the care plan")
    PLAN_INTERVAL = "plan_interval", _("A check's interval changed")
    PLAN_GONE = "plan_gone", _("No longer in the care plan")
    TRIAL = "trial", _("A trial newly recruiting near the family may fit")


class RecordNews(models.Model):
    """One change that matters to the person, found by re-evaluating their record without anyone editing
    it: a knowledge update (a new approval, a changed interval) or the passing of time (a child turning
    two). Written in plain words, with the sources of the new answer. Rows are only added."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="news")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=NewsKind.choices)
    # The therapy or care-plan item it is about (its id in the knowledge base).
    subject = models.CharField(max_length=120)
    text = models.CharField(max_length=500)
    sources = models.JSONField(default=list)
    knowledge_before = models.CharField(max_length=80)
    knowledge_after = models.CharField(max_length=80)
    # A trial's news (`NewsKind.TRIAL`): its title, nearest site, distance, the criteria that could not be
    # checked and the sources, as the matcher said them (`web/trial_news.py`). Empty for other news.
    trial = models.JSONField(default=dict, blank=True)
    # When the people who asked for it were e-mailed that something changed (never the detail itself).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="news_patient_created")]
        # A record is told of a trial once, even by two runs of the same range at the same time.
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "subject"], condition=Q(kind="trial"), name="news_trial_once"
            )
        ]

    def __str__(self) -> str:
        return f"news of patient {self.patient_id}: {self.text}"


class RecordNewsSeen(models.Model):
    """When an account last opened a record's page: what came after is "new since your last visit"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "patient"], name="news_seen_once")]

    def __str__(self) -> str:
        return f"{self.user_id} saw patient {self.patient_id} at {self.seen_at}"
