"""Pages of patient records. Thin: the access chokepoints find the record, the services change it, the
seam asks the core, and every read of a record is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import Role, clinic_of, is_staff_member, role_of
from smanav.accounts.services import reminder_preference_of
from smanav.audit.purposes import Purpose
from smanav.audit.selectors import audit_events_for_patient
from smanav.patients import entries, problem_words, record_page, selectors, services, tasks
from smanav.patients.access import (
    patient_get_for_editor,
    patient_get_for_manager,
    patient_get_for_user,
    patient_list_for_family,
    patient_worklist_page_for_user,
    user_manages_patient,
    user_may_edit_patient,
)
from smanav.patients.alerts import shown_alerts_of
from smanav.patients.forms import (
    AssessmentForm,
    DoseForm,
    LabTestsForm,
    PatientForm,
    RegimenForm,
    ShareForm,
    TreatmentEndForm,
    TreatmentForm,
    new_form_key,
)
from smanav.patients.models import GuardianRelation, Patient
from smanav.patients.plan import care_plan_by_domain, monitoring_series
from smanav.patients.seam import evaluate_patient, treatments_of
from smanav.patients.services import news
from smanav.patients.worklist import worklist_rows
from smanav_core import InvalidInput
from smanav_core.codes import AlertCode, DueStatus, Regimen, Region, UrgencyLevel

WORKLIST_PAGE_SIZE = 50
REGION_CODES = tuple(region.value for region in Region)
URGENCY_CODES = tuple(level.value for level in UrgencyLevel)
ALERT_CODES = tuple(code.value for code in AlertCode)
DUE_FILTERS = (DueStatus.OVERDUE.value, DueStatus.DUE_SOON.value)
# The worklist's "Changed" filter: records whose answer changed without an edit in this many days.
CHANGED_WITHIN_DAYS = 30


def _today() -> dt.date:
    return timezone.localdate()


def _known(request: HttpRequest, name: str, allowed: Collection[str], default: str = "") -> str:
    """The query parameter `name` if it is one of `allowed`; otherwise (missing, or a value made up in the
    address bar) `default`."""
    value = request.GET.get(name, default)
    return value if value in allowed else default


def _form_status(request: HttpRequest, form: Any) -> int:
    """A re-shown form with problems answers 422, so scripts and tests can tell it from a fresh one."""
    return 422 if request.method == "POST" and form.errors else 200


def _record_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    manages = user_manages_patient(user=request.user, patient=patient)
    return {
        "patient": patient,
        # Guardians may always edit: the access rules are asked again only about everyone else.
        "may_edit": manages or user_may_edit_patient(user=request.user, patient=patient),
        "manages": manages,
    }


@signed_in
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    role = role_of(request.user)
    # Clinic staff land on their worklist; "My records" (`?mine=1`) still shows any record they manage.
    if role in (Role.CLINICIAN, Role.COORDINATOR) and not request.GET.get("mine"):
        return redirect("patients:worklist")
    if role is Role.RESEARCHER:
        return redirect("registry:cohort_dashboard")
    patients = patient_list_for_family(user=request.user, purpose=Purpose.page("list of records"))
    return render(
        request,
        "patients/dashboard.html",
        {"patients": patients, "role": role.value, "clinic": clinic_of(request.user)},
    )


@signed_in
@require_http_methods(["GET", "POST"])
def patient_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    is_staff = clinic_of(request.user) is not None
    form = PatientForm(request.POST or None, initial={"form_key": new_form_key()})
    relation = request.POST.get("relation", GuardianRelation.PARENT)
    if relation not in GuardianRelation.values:
        relation = GuardianRelation.PARENT
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                author=request.user,
                display_name=form.cleaned_data["display_name"],
                document=form.document(),
                as_of=_today(),
                relation=relation,
                creation_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    context = {
        "form": form,
        "is_staff": is_staff,
        "relation": relation,
        "relations": GuardianRelation.choices,
    }
    return render(request, "patients/patient_form.html", context, status=_form_status(request, form))


def _region_choice(request: HttpRequest, patient: Patient) -> str | None:
    return _known(request, "region", REGION_CODES) or patient.region or None


@signed_in
def patient_detail(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The evaluation page: the core's answer for this record, in a family or a clinician view."""
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("evaluation page")
    )
    region = _region_choice(request, patient)
    today = _today()
    # Read once: the evaluation, the monitoring tables and the treatment list all show these rows.
    assessments = list(patient.assessments.all())
    treatments = list(treatments_of(patient))
    lab_tests = list(patient.lab_tests.all())
    evaluation = evaluate_patient(
        patient,
        as_of=today,
        region=region,
        assessments=assessments,
        treatments=treatments,
        lab_tests=lab_tests,
    )
    view_mode = request.GET.get("view") or ("clinician" if is_staff_member(request.user) else "family")
    if view_mode not in ("family", "clinician"):
        view_mode = "family"
    result = evaluation.result
    plan = [] if result is None else care_plan_by_domain(result.care_plan)
    sections = record_page.sections(result)
    record = _record_context(request, patient)
    context = {
        **record,
        "evaluation": result,
        "problems": problem_words.record_problems(evaluation.problems, name=patient.display_name),
        "record": evaluation.record,
        "plan": plan,
        "series": monitoring_series(assessments, birth_date=patient.birth_date),
        "treatments": treatments,
        "lab_tests": lab_tests,
        "region": region or "",
        "regions": REGION_CODES,
        "view_mode": view_mode,
        "as_of": today,
        "sections": sections,
        "open_section": _known(request, "open", [section.slug for section in sections]),
        "may_acknowledge": record["may_edit"] and role_of(request.user) is Role.CLINICIAN,
    }
    # What changed for the person since this account last opened the record (and the visit is noted).
    # Shown unless the account turned it off on the notices page (the visit is noted either way).
    seen = news.news_since_last_visit(user=request.user, patient=patient, now=timezone.now())
    context["news"] = seen if reminder_preference_of(request.user).news_on_site else None
    if result is not None:
        context["alerts"] = shown_alerts_of({patient.pk: result.alerts})[patient.pk]
        context["attention"] = record_page.attention(result.care_plan)
        context["summary_sources"] = record_page.summary_sources(result)
    return render(request, "patients/patient_detail.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def patient_edit(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("edit form")
    )
    form = PatientForm(request.POST or None, initial=PatientForm.initial_from(patient))
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(
                author=request.user,
                patient_id=patient.pk,
                base_version=form.cleaned_data.get("version") or 0,
                display_name=form.cleaned_data["display_name"],
                document=form.document(),
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except services.StaleRecord as error:
            stale = True
            form.add_error(
                None,
                _(
                    "Someone else saved this record while you were editing it "
                    "(it is now at version %(version)s). Your changes were not saved. "
                    "Open the record again to see their changes, then make yours."
                )
                % {"version": error.current_version},
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/patient_form.html",
        {**_record_context(request, patient), "form": form, "stale": stale},
        status=409 if stale else _form_status(request, form),
    )


@signed_in
@require_http_methods(["GET", "POST"])
def assessment_new(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("measurement form")
    )
    form = AssessmentForm(
        request.POST or None, initial={"form_key": new_form_key(), "date": _today().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = entries.parse_assessment(
                patient,
                date=form.cleaned_data["date"],
                instrument=form.cleaned_data["instrument"],
                value=form.cleaned_data["value"],
            )
            services.assessment_record(
                author=request.user,
                patient_id=patient.pk,
                date=entry.date,
                instrument=entry.instrument,
                value=entry.value,
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems, index_prefix="assessments[")
        else:
            messages.success(request, _("The measurement was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/entry_form.html",
        {**_record_context(request, patient), "form": form, "heading": _("Add a measurement")},
        status=_form_status(request, form),
    )


@signed_in
@require_http_methods(["GET", "POST"])
def assessment_delete(request: AuthenticatedHttpRequest, patient_id: int, assessment_id: int) -> HttpResponse:
    """Removing a measurement asks first: the GET shows what would go, only the POST removes it."""
    asked = "removal" if request.method == "POST" else "removal confirmation"
    patient = patient_get_for_editor(
        user=request.user,
        patient_id=patient_id,
        purpose=Purpose.page(f"{asked} of measurement {assessment_id}"),
    )
    if request.method == "POST":
        try:
            services.assessment_delete(
                author=request.user, patient_id=patient.pk, assessment_id=assessment_id, as_of=_today()
            )
        except services.NotInRecord:
            # A second click on "Remove" (or someone else was quicker): nothing left to remove.
            messages.info(request, _("This measurement is no longer in the record."))
        else:
            messages.success(
                request, _("The measurement was removed. The record's history keeps the earlier version.")
            )
        return redirect("patients:detail", patient_id=patient.pk)
    assessment = selectors.patient_assessment(patient=patient, assessment_id=assessment_id)
    if assessment is None:
        raise Http404("No such measurement in this record.")
    return render(
        request,
        "patients/assessment_delete.html",
        {**_record_context(request, patient), "assessment": assessment},
    )


@signed_in
@require_http_methods(["GET", "POST"])
def treatment_new(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("treatment form")
    )
    form = TreatmentForm(request.POST or None, initial={"form_key": new_form_key()})
    if request.method == "POST" and form.is_valid():
        try:
            course = entries.parse_treatment(
                patient,
                therapy=form.cleaned_data["therapy"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data.get("end_date"),
                regimen=form.cleaned_data.get("regimen") or None,
            )
            services.treatment_record(
                author=request.user,
                patient_id=patient.pk,
                therapy=course.therapy,
                start_date=course.start_date,
                end_date=course.end_date,
                regimen=course.regimen,
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems, index_prefix="treatments[")
        else:
            messages.success(request, _("The treatment was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/entry_form.html",
        {**_record_context(request, patient), "form": form, "heading": _("Add a treatment")},
        status=_form_status(request, form),
    )


@signed_in
@require_http_methods(["GET", "POST"])
def treatment_end(request: AuthenticatedHttpRequest, patient_id: int, treatment_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("end of treatment form")
    )
    treatment = selectors.patient_ongoing_treatment(patient=patient, treatment_id=treatment_id)
    if treatment is None:
        raise Http404("No such ongoing treatment in this record.")
    form = TreatmentEndForm(
        request.POST or None, initial={"form_key": new_form_key(), "end_date": _today().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.treatment_end(
                author=request.user,
                patient_id=patient.pk,
                treatment_id=treatment.pk,
                end_date=entries.parse_end_date(
                    patient, treatment_id=treatment.pk, end_date=form.cleaned_data["end_date"]
                ),
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems, index_prefix="treatments[")
        else:
            messages.success(request, _("The end of the treatment was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/entry_form.html",
        {
            **_record_context(request, patient),
            "form": form,
            "heading": _("End a treatment"),
            "treatment": treatment,
        },
        status=_form_status(request, form),
    )


@signed_in
@require_http_methods(["GET", "POST"])
def treatment_regimen(request: AuthenticatedHttpRequest, patient_id: int, treatment_id: int) -> HttpResponse:
    """Record which regimen a course follows (the dose dates depend on it)."""
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("regimen form")
    )
    treatment = selectors.patient_treatment(patient=patient, treatment_id=treatment_id)
    if treatment is None:
        raise Http404("No such treatment in this record.")
    form = RegimenForm(
        request.POST or None, initial={"form_key": new_form_key(), "regimen": treatment.regimen or None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.treatment_regimen_set(
                author=request.user,
                patient_id=patient.pk,
                treatment_id=treatment.pk,
                regimen=Regimen(form.cleaned_data["regimen"]),
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems, index_prefix="treatments[")
        else:
            messages.success(request, _("The regimen was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    context = {
        **_record_context(request, patient),
        "form": form,
        "heading": _("Record the regimen"),
        "treatment": treatment,
    }
    return render(request, "patients/entry_form.html", context, status=_form_status(request, form))


@signed_in
@require_http_methods(["GET", "POST"])
def dose_new(request: AuthenticatedHttpRequest, patient_id: int, treatment_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("dose form")
    )
    treatment = selectors.patient_treatment(patient=patient, treatment_id=treatment_id)
    if treatment is None:
        raise Http404("No such treatment in this record.")
    form = DoseForm(request.POST or None, initial={"form_key": new_form_key(), "date": _today().isoformat()})
    if request.method == "POST" and form.is_valid():
        try:
            dose = entries.parse_dose(
                patient,
                treatment_id=treatment.pk,
                date=form.cleaned_data["date"],
                amount_mg=form.cleaned_data.get("amount_mg"),
            )
            if dose is None:
                raise Http404("No such treatment in this record.")
            services.dose_record(
                author=request.user,
                patient_id=patient.pk,
                treatment_id=treatment.pk,
                date=dose.date,
                amount_mg=dose.amount_mg,
                given_by=form.cleaned_data.get("given_by") or "",
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems, index_prefix="treatments[")
        else:
            messages.success(request, _("The dose was saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    context = {
        **_record_context(request, patient),
        "form": form,
        "heading": _("Record a dose"),
        "treatment": treatment,
    }
    return render(request, "patients/entry_form.html", context, status=_form_status(request, form))


@signed_in
@require_http_methods(["GET", "POST"])
def dose_delete(request: AuthenticatedHttpRequest, patient_id: int, dose_id: int) -> HttpResponse:
    """Removing a dose asks first: the GET shows what would go, only the POST removes it."""
    asked = "removal" if request.method == "POST" else "removal confirmation"
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page(f"{asked} of dose {dose_id}")
    )
    if request.method == "POST":
        try:
            services.dose_delete(author=request.user, patient_id=patient.pk, dose_id=dose_id, as_of=_today())
        except services.NotInRecord:
            messages.info(request, _("This dose is no longer in the record."))
        else:
            messages.success(
                request, _("The dose was removed. The record's history keeps the earlier version.")
            )
        return redirect("patients:detail", patient_id=patient.pk)
    dose = selectors.patient_dose(patient=patient, dose_id=dose_id)
    if dose is None:
        raise Http404("No such dose in this record.")
    context = {**_record_context(request, patient), "dose": dose}
    return render(request, "patients/dose_delete.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def lab_tests_new(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_editor(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("safety tests form")
    )
    form = LabTestsForm(
        request.POST or None, initial={"form_key": new_form_key(), "date": _today().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = entries.parse_lab_tests(
                patient, date=form.cleaned_data["date"], tests=form.cleaned_data["tests"]
            )
            services.lab_tests_record(
                author=request.user,
                patient_id=patient.pk,
                date=done.date,
                tests=done.tests,
                as_of=_today(),
                idempotency_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            form.add_core_problems(error.problems, index_prefix="lab_tests[")
        else:
            messages.success(request, _("The safety tests were saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    context = {**_record_context(request, patient), "form": form, "heading": _("Record safety tests")}
    return render(request, "patients/entry_form.html", context, status=_form_status(request, form))


@signed_in
@require_http_methods(["GET", "POST"])
def lab_test_delete(request: AuthenticatedHttpRequest, patient_id: int, lab_test_id: int) -> HttpResponse:
    """Removing a safety test asks first, like a measurement."""
    asked = "removal" if request.method == "POST" else "removal confirmation"
    patient = patient_get_for_editor(
        user=request.user,
        patient_id=patient_id,
        purpose=Purpose.page(f"{asked} of safety test {lab_test_id}"),
    )
    if request.method == "POST":
        try:
            services.lab_test_delete(
                author=request.user, patient_id=patient.pk, lab_test_id=lab_test_id, as_of=_today()
            )
        except services.NotInRecord:
            messages.info(request, _("This test is no longer in the record."))
        else:
            messages.success(
                request, _("The test was removed. The record's history keeps the earlier version.")
            )
        return redirect("patients:detail", patient_id=patient.pk)
    test = selectors.patient_lab_test(patient=patient, lab_test_id=lab_test_id)
    if test is None:
        raise Http404("No such test in this record.")
    context = {**_record_context(request, patient), "lab_test": test}
    return render(request, "patients/lab_test_delete.html", context)


@signed_in
def patient_history(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Every version of the record (who, when, what) and who opened it."""
    patient = patient_get_for_user(user=request.user, patient_id=patient_id, purpose=Purpose.page("history"))
    versions = (
        selectors.patient_versions(patient=patient)
        .select_related("author")
        .only(
            "version",
            "summary",
            "change",
            "change_values",
            "author_label",
            "created_at",
            "patient_id",
            "author__first_name",
            "author__last_name",
            "author__username",
        )
    )
    events = Paginator(audit_events_for_patient(patient_id=patient.pk).select_related("actor"), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "patients/history.html",
        {**_record_context(request, patient), "versions": versions, "events": events},
    )


@signed_in
def patient_version(request: AuthenticatedHttpRequest, patient_id: int, version: int) -> HttpResponse:
    patient = patient_get_for_user(
        user=request.user, patient_id=patient_id, purpose=Purpose.page(f"version {version}")
    )
    row = selectors.patient_versions(patient=patient).filter(version=version).first()
    if row is None:
        raise Http404("No such version.")
    return render(request, "patients/version.html", {**_record_context(request, patient), "row": row})


@signed_in
@require_http_methods(["GET", "POST"])
def patient_sharing(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The family decides which clinics see the record: invite one, or withdraw an invitation."""
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("sharing")
    )
    form = ShareForm(request.POST or None, clinics=selectors.clinics_for_invitation(patient=patient))
    if request.method == "POST" and form.is_valid():
        clinic = form.cleaned_data["clinic"]
        services.clinic_share_invite(author=request.user, patient_id=patient.pk, clinic=clinic)
        messages.success(request, _("%(clinic)s can now see this record.") % {"clinic": clinic.name})
        return redirect("patients:sharing", patient_id=patient.pk)
    shares = selectors.patient_shares(patient=patient)
    return render(
        request,
        "patients/sharing.html",
        {**_record_context(request, patient), "form": form, "shares": shares},
    )


@signed_in
@require_POST
def patient_share_withdraw(request: AuthenticatedHttpRequest, patient_id: int, share_id: int) -> HttpResponse:
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("withdrawal of a share")
    )
    share = selectors.patient_shares(patient=patient).filter(pk=share_id).first()
    if share is None:
        raise Http404("No such share of this record.")
    services.clinic_share_withdraw(author=request.user, patient_id=patient.pk, share_id=share.pk)
    messages.success(request, _("%(clinic)s can no longer see this record.") % {"clinic": share.clinic.name})
    return redirect("patients:sharing", patient_id=patient.pk)


@signed_in
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's patients with their alerts and overdue items, sortable and filterable."""
    clinic = clinic_of(request.user)
    if clinic is None:
        raise Http404("Not a clinic account.")
    filters = selectors.WorklistFilter(
        query=request.GET.get("q", "").strip()[:100],
        urgency=_known(request, "urgency", URGENCY_CODES),
        alert=_known(request, "alert", ALERT_CODES),
        # `overdue=1` is the older link of the "only overdue" filter.
        due="overdue" if request.GET.get("overdue") == "1" else _known(request, "due", DUE_FILTERS),
        sort=_known(request, "sort", selectors.WORKLIST_SORTS, default="priority"),
        changed_since=(
            timezone.now() - dt.timedelta(days=CHANGED_WITHIN_DAYS)
            if request.GET.get("changed") == str(CHANGED_WITHIN_DAYS)
            else None
        ),
    )
    counts = selectors.clinic_counts(clinic=clinic, filters=filters)
    today = _today()
    # Summaries worked out before today can miss items that have fallen due since: say so, and have
    # them worked out again (one job per clinic and day, however often the page is loaded).
    refresh = None
    if selectors.summaries_behind(counts, as_of=today):
        refresh = tasks.clinic_summaries_refresh_request(clinic=clinic, as_of=today)
    page = patient_worklist_page_for_user(
        user=request.user,
        clinic=clinic,
        filters=filters,
        position=_worklist_position(request),
        per_page=WORKLIST_PAGE_SIZE,
        purpose=Purpose.page("clinic worklist"),
    )
    # The links keep the filters and sort, and carry their own position and page number.
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    pages = None if counts["more_than_matching"] else max(1, -(-counts["matching"] // WORKLIST_PAGE_SIZE))
    # Each alert with its latest acknowledgement: one query for the whole page, whatever its size.
    rows = worklist_rows(list(page))
    context = {
        "clinic": clinic,
        "page": page,
        "rows": rows,
        "filters": filters,
        "counts": counts,
        "today": today,
        "refresh": refresh,
        "sorts": list(selectors.WORKLIST_SORTS),
        "urgencies": URGENCY_CODES,
        "alert_codes": ALERT_CODES,
        "due_filters": DUE_FILTERS,
        "query_string": query.urlencode(),
        # "Page 3 of 12" where the number of matches is known; "Page 3" where it is more than 1,000.
        "pages": pages if pages is None or page.number <= pages else None,
    }
    return render(request, "patients/worklist.html", context)


def _worklist_position(request: HttpRequest) -> selectors.WorklistPosition:
    """Where the worklist's page starts, from its link: `after` or `before` a row (a cursor, checked by
    the selector), and the page number the link carries (a small positive integer, else 2)."""
    number = request.GET.get("page", "")
    return selectors.WorklistPosition(
        after=request.GET.get("after", "")[:1000],
        before=request.GET.get("before", "")[:1000] if not request.GET.get("after") else "",
        number=int(number) if number.isdigit() and len(number) <= 6 else 2,
    )
