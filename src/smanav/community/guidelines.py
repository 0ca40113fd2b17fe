"""Which part of the community guidelines a report points to: the author of a post that reports hid is
told the guideline most of its reports named (never who sent them), and the moderators' queue offers it
first when they decide."""

from __future__ import annotations

from collections.abc import Iterable

from smanav.community.models import FlagReason, Guideline

# "Something else" points to no guideline.
GUIDELINE_OF_FLAG = {
    FlagReason.SPAM: Guideline.NO_SELLING,
    FlagReason.UNKIND: Guideline.BE_KIND,
    FlagReason.MISINFORMATION: Guideline.EXPERIENCE,
    FlagReason.CONTACT_DETAILS: Guideline.PRIVATE,
    FlagReason.SELF_HARM: Guideline.AT_RISK,
}


def guideline_of_flags(reasons: Iterable[str]) -> Guideline | None:
    """The guideline most reports pointed to (the first reported of a tie), or None."""
    counts: dict[Guideline, int] = {}
    for reason in reasons:
        guideline = GUIDELINE_OF_FLAG.get(FlagReason(reason))
        if guideline is not None:
            counts[guideline] = counts.get(guideline, 0) + 1
    return max(counts, key=lambda g: counts[g]) if counts else None
