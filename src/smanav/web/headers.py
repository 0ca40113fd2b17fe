"""Headers every answer carries: no caching of anything that may hold health data, and a
Permissions-Policy that turns off the browser features smanav never uses.

What counts as possibly holding health data: every answer to a signed-in person (pages of records,
worklists, downloads), every answer of the JSON API (records, and the evaluations of records sent to
it), and every answer to a POST (a record pasted into the evaluate page, triage answers). Only the
public pages fetched by someone not signed in, and static files, may be cached.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Camera, microphone, location, payment and the like: no page of smanav asks for them, so none may.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "xr-spatial-tracking",
    )
)


def may_hold_health_data(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return signed_in or request.method != "GET" or request.path.startswith("/api/")


class PrivacyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if may_hold_health_data(request):
            # no-store: neither the browser nor any cache on the way keeps a copy (a shared computer's
            # back button, a proxy); add_never_cache_headers also marks it private and expired.
            add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
