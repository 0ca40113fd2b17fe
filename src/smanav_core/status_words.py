"""One name for each therapy status, wherever a person reads it.

The CLI's text report, the evaluation page, the record page, its PDF and the clinic worklist all name a
status with these words (the web shell passes them through translation in `smanav.vocabulary`), so
that "fits the approved use" on one page is never "eligible" on another. The words say what the rules
check: the use a regulator approved in the region, not whether someone will pay for it.
"""

from __future__ import annotations

from smanav_core.codes import TherapyStatus

THERAPY_STATUS_WORDS: dict[str, str] = {
    TherapyStatus.ELIGIBLE.value: "fits the approved use",
    TherapyStatus.ELIGIBLE_WITH_CAUTIONS.value: "fits the approved use, with cautions",
    TherapyStatus.NEEDS_INFORMATION.value: "more information needed",
    TherapyStatus.NOT_ELIGIBLE.value: "does not fit the approved use",
    TherapyStatus.NOT_APPROVED_IN_REGION.value: "not approved in {region}",
}
# Said for `not_approved_in_region` when the region is not known to the reader's page.
UNNAMED_REGION = "this region"


def therapy_status_words(status: str, region_name: str | None = None) -> str:
    """The words for `status` (lower case; capitalise at the start of a line); the code if unknown."""
    words = THERAPY_STATUS_WORDS.get(status)
    if words is None:
        return status
    return words.format(region=region_name or UNNAMED_REGION)
