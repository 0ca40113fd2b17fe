"""The clinic coordinator's audit log: a page of the web layer, which may use accounts and the audit
trail alike (the audit trail itself imports no app)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import Role, clinic_of, role_of
from smanav.audit.selectors import audit_events_for_clinic


@signed_in
def clinic_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic coordinator reads who in their team opened or changed which record, and when."""
    clinic = clinic_of(request.user)
    if role_of(request.user) is not Role.COORDINATOR or clinic is None:
        raise Http404("Not a coordinator account.")
    events = Paginator(audit_events_for_clinic(clinic=clinic), 100).get_page(request.GET.get("page"))
    return render(request, "audit/clinic_log.html", {"clinic": clinic, "events": events})
