"""What happens to a post or comment as it is submitted: published, held for a moderator, or refused.

The conversation's services (`services/posts.py`, `services/comments.py`) call `screen_submission`
before they save anything; moderation (trust levels, rate limits, watched words, link and picture
limits, self-harm support) decides here. Until moderation is built, everything is published.
"""

from __future__ import annotations

from dataclasses import dataclass

from smanav.community.models import Member, Status


@dataclass(frozen=True, slots=True)
class Screening:
    # PUBLISHED or PENDING when accepted; None when refused.
    status: Status | None
    # Shown to the member, in plain words, when the submission is refused or held.
    message: str = ""
    # Whether the text mentions self-harm: the poster is then shown support lines for their region.
    mentions_self_harm: bool = False


def screen_submission(*, member: Member, text: str, has_picture: bool, is_comment: bool) -> Screening:
    """Decide how a member's new post (or comment, `is_comment`) is treated. Saves nothing."""
    return Screening(status=Status.PUBLISHED)
