"""`{% read_more ... %}`: the library article a results page links to, for one care-plan domain, one
triage pattern or one topic. One line in a results template; nothing is shown when no article fits."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from smanav.library import catalogue, selectors

register = template.Library()


@register.simple_tag
def read_more(*, care_domain: str = "", triage_pattern: str = "", topic: str = "") -> SafeString:
    found = selectors.read_more(
        catalogue.current(),
        timezone.localdate(),
        care_domain=str(care_domain or ""),
        triage_pattern=str(triage_pattern or ""),
        topic=str(topic or ""),
    )
    if found is None:
        return SafeString("")
    # A template of ours, which escapes the article's title.
    return SafeString(
        render_to_string("library/_read_more.html", {"slug": found.slug, "title": found.source.meta.title})
    )
