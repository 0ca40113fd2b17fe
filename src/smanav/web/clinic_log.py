"""The clinic coordinator's audit log: a page of the web layer, which may use accounts, records and the
audit trail alike (the audit trail itself imports no app).

It names people and records (not account names and ids), filters by record, by team member and by
dates, and downloads as CSV; a download is itself kept in the account trail.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smanav import vocabulary as labels
from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.models import Clinic, User
from smanav.accounts.roles import Role, clinic_of, role_of
from smanav.audit.models import AccountAction, AuditEvent
from smanav.audit.selectors import audit_events_for_clinic
from smanav.audit.services import audit_account
from smanav.patients.selectors import patient_ids_for_clinic_named, patient_names_for_clinic

PAGE_SIZE = 100
CSV_BATCH = 2000


def _person(user: User) -> str:
    return user.get_full_name().strip() or user.get_username()


class LogFilterForm(forms.Form):
    record = forms.CharField(label=gettext_lazy("Record (name contains)"), required=False, max_length=100)
    person = forms.TypedChoiceField(
        label=gettext_lazy("Team member"), required=False, coerce=int, empty_value=None
    )
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = User.objects.filter(staff__clinic=clinic).order_by("first_name", "last_name", "username")
        person = self.fields["person"]
        assert isinstance(person, forms.TypedChoiceField)
        person.choices = [("", _("Anyone")), *((user.pk, _person(user)) for user in team)]
        self.fields["since"].error_messages["invalid"] = _("From must be a real date, for example 27 3 2024")
        self.fields["until"].error_messages["invalid"] = _("Until must be a real date, for example 27 3 2024")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("Until must be the same as or after From"))
        return data


def _events(clinic: Clinic, form: LogFilterForm) -> Any:
    if not form.is_valid():
        return AuditEvent.objects.none()
    data = form.cleaned_data
    query = data.get("record") or ""
    return audit_events_for_clinic(
        clinic=clinic,
        actor_id=data.get("person"),
        patient_ids=patient_ids_for_clinic_named(clinic=clinic, query=query) if query else None,
        since=data.get("since"),
        until=data.get("until"),
    )


def _who(event: AuditEvent) -> str:
    return event.actor_label if event.actor is None else _person(event.actor)


_CHART = re.compile(r"^chart ([A-Z0-9_]+)$")


def what_words(what: str) -> str:
    """What an event says was looked at, as the log shows it: a chart is named by its measure ("chart
    WEIGHT_KG" reads "chart of Weight (kg)"); the numbers of single measurements, doses and tests stay,
    for the coordinator to find them."""
    chart = _CHART.match(what)
    if chart:
        return str(_("chart of %(measure)s")) % {"measure": labels.label(labels.INSTRUMENT_LABELS, chart[1])}
    return what


def _rows(clinic: Clinic, events: Any) -> Iterator[list[str]]:
    yield [_("When"), _("Who"), _("Record"), _("What")]
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=CSV_BATCH):
        batch.append(event)
        if len(batch) == CSV_BATCH:
            yield from _batch_rows(clinic, batch)
            batch = []
    yield from _batch_rows(clinic, batch)


def _batch_rows(clinic: Clinic, batch: list[AuditEvent]) -> Iterator[list[str]]:
    names = patient_names_for_clinic(clinic=clinic, patient_ids={event.patient_id for event in batch})
    for event in batch:
        what = str(event.get_action_display()) + (f" ({what_words(event.what)})" if event.what else "")
        record = names.get(event.patient_id, _("a record no longer shared with the clinic"))
        yield [event.at.isoformat(timespec="seconds"), _who(event), record, what]


@signed_in
def clinic_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic coordinator reads who in their team opened or changed which record, and when."""
    clinic = clinic_of(request.user)
    if role_of(request.user) is not Role.COORDINATOR or clinic is None:
        raise Http404("Not a coordinator account.")
    form = LogFilterForm(request.GET or None, clinic=clinic)
    if request.GET and not form.is_valid():
        events = AuditEvent.objects.none()
    else:
        events = audit_events_for_clinic(clinic=clinic) if not request.GET else _events(clinic, form)
    if request.GET.get("download") == "csv" and (not request.GET or form.is_valid()):
        audit_account(
            actor=request.user,
            subject=request.user,
            action=AccountAction.AUDIT_LOG_EXPORTED,
            clinic=clinic,
            what=request.GET.urlencode()[:200],
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerows(_rows(clinic, events))
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="audit-log-{clinic.slug}-{day}.csv"'
        return response
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    names = patient_names_for_clinic(clinic=clinic, patient_ids={event.patient_id for event in page})
    rows = [(event, _who(event), names.get(event.patient_id), what_words(event.what)) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("download", None)
    context = {
        "clinic": clinic,
        "events": page,
        "rows": rows,
        "form": form,
        "query_string": query.urlencode(),
    }
    return render(request, "audit/clinic_log.html", context, status=422 if form.errors else 200)
