"""Consents over the JSON API: `GET /api/v1/patients/{id}/consents` (how each purpose stands) and
`POST /api/v1/patients/{id}/consents` with `{"purpose": ..., "decision": "give"|"withdraw",
"text_version": N}`. Only the person, or a parent who keeps the record, may read or change them; everyone
else gets "not found", as for the record itself. Same services, same audit as the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import django_auth

from smanav.accounts.api_auth import ApiTokenAuth
from smanav.accounts.models import User
from smanav.audit.purposes import Purpose
from smanav.jsonapi.documents import json_document
from smanav.jsonapi.errors import InvalidRequest, NotAuthenticated, error_responses
from smanav.patients.access import patient_get_for_manager
from smanav.patients.models import Patient
from smanav.registry import selectors, services
from smanav.registry.models import ConsentPurpose
from smanav.registry.texts import publish_missing

router = Router(tags=["registry"], auth=[ApiTokenAuth(), django_auth])

DECISIONS = ("give", "withdraw")


class ConsentOut(Schema):
    purpose: str
    status: str
    counts: bool
    text_version: int | None
    current_text_version: int | None
    given_on: str | None
    given_as: str | None
    withdrawn_on: str | None
    review_due_on: str | None


class ConsentsOut(Schema):
    patient_id: int
    review_due_on: str | None
    consents: list[ConsentOut]


CONSENT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["purpose", "decision"],
                "properties": {
                    "purpose": {"type": "string", "enum": list(ConsentPurpose.values)},
                    "decision": {"type": "string", "enum": list(DECISIONS)},
                    "text_version": {"type": "integer", "minimum": 1},
                },
            }
        }
    },
}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated([(None, "you need to sign in")])
    return user


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _consents(patient: Patient) -> dict[str, Any]:
    today = timezone.localdate()
    publish_missing()
    texts = selectors.current_texts(on=today)
    return {
        "patient_id": patient.pk,
        "review_due_on": _iso(selectors.review_due_date(patient=patient)),
        "consents": [
            {
                "purpose": state.purpose,
                "status": state.status,
                "counts": state.counts,
                "text_version": state.text_version,
                "current_text_version": texts[state.purpose].version if state.purpose in texts else None,
                "given_on": _iso(state.given_on),
                "given_as": state.given_as,
                "withdrawn_on": _iso(state.withdrawn_on),
                "review_due_on": _iso(state.review_due_on),
            }
            for state in selectors.consent_states(patient=patient, on=today)
        ],
    }


@router.get(
    "/{patient_id}/consents",
    response={200: ConsentsOut, **error_responses(401, 404)},
    summary="How each consent of a record stands",
)
def consent_list(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    patient = patient_get_for_manager(
        user=_user(request), patient_id=patient_id, purpose=Purpose.api("consents")
    )
    return _consents(patient)


@router.post(
    "/{patient_id}/consents",
    response={200: ConsentsOut, **error_responses(401, 404, 422)},
    summary="Give or withdraw a consent",
    openapi_extra={"requestBody": CONSENT_BODY},
)
def consent_decide(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    user = _user(request)
    patient = patient_get_for_manager(
        user=user, patient_id=patient_id, purpose=Purpose.api("consent decision")
    )
    body = json_document(request.body, "body")
    if not isinstance(body, dict):
        raise InvalidRequest([("body", "must be a JSON object")])
    problems: list[tuple[str | None, str]] = [
        (name, "is not a known field") for name in sorted(set(body) - {"purpose", "decision", "text_version"})
    ]
    purpose, decision, version = body.get("purpose"), body.get("decision"), body.get("text_version")
    if purpose not in ConsentPurpose.values:
        problems.append(("purpose", f"must be one of {', '.join(ConsentPurpose.values)} (got {purpose!r})"))
    if decision not in DECISIONS:
        problems.append(("decision", f"must be give or withdraw (got {decision!r})"))
    if decision == "give" and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        problems.append(
            ("text_version", f"must be the version number of the text agreed to (got {version!r})")
        )
    if problems:
        raise InvalidRequest(problems)
    assert isinstance(purpose, str)  # checked above, for the type checker
    try:
        if decision == "give":
            services.consent_give(
                author=user,
                patient_id=patient.pk,
                purpose=purpose,
                text_version=int(version or 0),
                on=timezone.localdate(),
            )
        else:
            services.consent_withdraw(author=user, patient_id=patient.pk, purpose=purpose)
    except services.ConsentRefused as refusal:
        raise InvalidRequest([(refusal.field, refusal.message)]) from None
    return _consents(patient)
