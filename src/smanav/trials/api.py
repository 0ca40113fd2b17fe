"""`POST /api/v1/trials/match`: open SMA trials ranked against a patient record (the contract's format)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router

from smanav.jsonapi.documents import as_of_date, json_document
from smanav.jsonapi.errors import InvalidRequest, error_responses
from smanav.jsonapi.throttling import throttle
from smanav.trials.services import trials_match_document

router = Router(tags=["trials"])


@router.post(
    "/match",
    response=error_responses(422),
    summary="Match a patient record against recruiting SMA trials",
    description=(
        'Body: `{"record": <patient record>, "near": "place or postal code", "country": "US", '
        '"as_of": "YYYY-MM-DD"}`; only `record` is required. Each trial lists the criteria met, not met '
        "and to check by hand (free-text criteria quoted as written), and its nearest sites."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["record"],
                        "additionalProperties": False,
                        "properties": {
                            "record": {"$ref": "#/components/schemas/PatientRecord"},
                            "near": {"type": "string", "description": "A place name or a postal code."},
                            "country": {"type": "string", "description": "ISO 3166-1 alpha-2 code."},
                            "as_of": {"type": "string", "format": "date"},
                        },
                    }
                }
            },
        },
        "responses": {200: {"description": "Trials, most likely first."}},
    },
)
def match(request: HttpRequest) -> HttpResponse:
    throttle(request, "trials")
    body = json_document(request.body, "body")
    if not isinstance(body, dict) or "record" not in body:
        raise InvalidRequest([("record", 'send a JSON object with the patient record under "record"')])
    extra = set(body) - {"record", "near", "country", "as_of"}
    if extra:
        raise InvalidRequest([(name, "unknown field") for name in sorted(extra)])
    for name in ("near", "country", "as_of"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise InvalidRequest([(name, "must be a string")])
    as_of = as_of_date(body.get("as_of"), today=timezone.localdate())
    result: dict[str, Any] = trials_match_document(
        body["record"], as_of=as_of, near=body.get("near"), country=body.get("country")
    )
    return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
