"""The conversation's pages. Thin: each reads through a selector or writes through a service."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from smanav.community.access import MemberHttpRequest, member_required
from smanav.community.models import Picture


@require_GET
@member_required
def picture_show(request: MemberHttpRequest, picture_id: int) -> HttpResponse:
    """A stored picture's bytes, for members only (the community is not public)."""
    picture = Picture.objects.filter(pk=picture_id).only("content_type", "data").first()
    if picture is None:
        raise Http404
    response = HttpResponse(bytes(picture.data), content_type=picture.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = "inline"
    return response
