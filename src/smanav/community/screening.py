"""What happens to a post or comment as it is submitted: published, held for a moderator, or refused.

The conversation's services (`services/posts.py`, `services/comments.py`) call `screen_submission`
before they save anything, and save nothing when it refuses. Screening only reads: trust levels, rate
limits counted in the database, duplicate text, links, pictures, watched words and words about
self-harm (ADR 0020). The order is: refusals first (the member can change the text and send again), then
what holds a submission for a moderator, then publishing.

A submission sent twice with the same composer token is the conversation's business (it returns the
saved post): call screening only for a token not seen before, or the second copy reads as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smanav.community.models import (
    Comment,
    Member,
    Post,
    Status,
    TrustLevel,
    WatchedWord,
    WatchedWordAction,
)


@dataclass(frozen=True, slots=True)
class Screening:
    # PUBLISHED or PENDING when accepted; None when refused.
    status: Status | None
    # Shown to the member, in plain words, when the submission is refused or held.
    message: str = ""
    # Whether the text mentions self-harm: the poster is then shown support lines for their region.
    mentions_self_harm: bool = False

    @property
    def refused(self) -> bool:
        return self.status is None


# Words and phrases that suggest the writer may be thinking of harming themselves. Matched on whole
# words in the text folded to lower case; a false alarm costs a moderator one click, a miss costs more.
SELF_HARM_PHRASES: tuple[str, ...] = (
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "end it all",
    "take my own life",
    "taking my own life",
    "suicide",
    "suicidal",
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "don't want to live",
    "dont want to live",
    "do not want to live",
    "no reason to live",
    "better off dead",
    "better off without me",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "self-harm",
    "self harm",
    "cut myself",
    "cutting myself",
)

# Texts shorter than this are not refused as duplicates: "Thank you!" is said more than once.
DUPLICATE_MIN_LENGTH = 20
DUPLICATE_WINDOW = dt.timedelta(hours=24)

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]]+")
_SPACE = re.compile(r"\s+")

# The composer's hidden field: people never see or fill it, form-filling robots do.
HONEYPOT_FIELD = "website"


def normalised(text: str) -> str:
    """The text as compared: Unicode-folded (NFKC), lower case, runs of white space made one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _contains_phrase(folded: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded) is not None


def mentions_self_harm(text: str) -> bool:
    folded = normalised(text).replace("\u2019", "'")
    return any(_contains_phrase(folded, phrase) for phrase in SELF_HARM_PHRASES)


def link_count(text: str) -> int:
    return len(_LINK.findall(text))


def is_moderator(member: Member) -> bool:
    """Whether the member moderates now (granted on the command line and not revoked)."""
    return (
        member.pk is not None
        and type(member)
        .objects.filter(pk=member.pk, moderator__isnull=False, moderator__revoked_at__isnull=True)
        .exists()
    )


def published_count(member: Member) -> int:
    """The member's posts and replies that others can read (approved or never held)."""
    posts = Post.objects.filter(author=member, status=Status.PUBLISHED).count()
    comments = Comment.objects.filter(author=member, status=Status.PUBLISHED).count()
    return posts + comments


def qualifies_for_trust(member: Member, *, now: dt.datetime) -> bool:
    """Enough published posts and replies, and long enough a member, to be trusted."""
    joined_long_enough = member.joined_at <= now - dt.timedelta(
        days=settings.SMANAV_COMMUNITY_TRUST_AFTER_DAYS
    )
    return joined_long_enough and published_count(member) >= settings.SMANAV_COMMUNITY_TRUST_AFTER_POSTS


def trust_level_of(member: Member, *, now: dt.datetime | None = None) -> TrustLevel:
    """The member's trust level as screening applies it: moderators count as trusted, and a member who
    qualifies for trust is treated as trusted before the stored level catches up
    (`services.moderation.member_trust_refresh`). A new member becomes a member only by approvals. A
    level a moderator set by hand is applied as set."""
    if is_moderator(member):
        return TrustLevel.TRUSTED
    stored = TrustLevel(member.trust_level)
    if member.trust_by_hand:
        return stored
    if stored == TrustLevel.MEMBER and qualifies_for_trust(member, now=now or timezone.now()):
        return TrustLevel.TRUSTED
    return stored


def links_allowed(level: TrustLevel) -> int:
    return {
        TrustLevel.NEW: settings.SMANAV_COMMUNITY_LINKS_NEW,
        TrustLevel.MEMBER: settings.SMANAV_COMMUNITY_LINKS_MEMBER,
        TrustLevel.TRUSTED: settings.SMANAV_COMMUNITY_LINKS_TRUSTED,
    }[level]


def _watched(folded: str) -> tuple[WatchedWord | None, WatchedWord | None]:
    """The first watched word found that refuses, and the first that holds for review."""
    block = review = None
    for watched in WatchedWord.objects.order_by("word"):
        if not _contains_phrase(folded, normalised(watched.word)):
            continue
        if watched.action == WatchedWordAction.BLOCK and block is None:
            block = watched
        elif watched.action == WatchedWordAction.REVIEW and review is None:
            review = watched
    return block, review


def _is_duplicate(member: Member, folded: str, *, since: dt.datetime) -> bool:
    if len(folded) < DUPLICATE_MIN_LENGTH:
        return False
    # A post is screened as its title and text (`services.posts`), a reply as its text: compare both.
    earlier: list[str] = []
    posts = Post.objects.filter(author=member, created_at__gte=since).exclude(status=Status.REMOVED)
    for title, body in posts.values_list("title", "body"):
        earlier += [f"{title}\n\n{body}", body]
    comments = Comment.objects.filter(author=member, created_at__gte=since).exclude(status=Status.REMOVED)
    earlier += list(comments.values_list("body", flat=True))
    return any(normalised(text) == folded for text in earlier)


def _refused(message: str) -> Screening:
    return Screening(status=None, message=message)


def screen_submission(*, member: Member, text: str, has_picture: bool, is_comment: bool) -> Screening:
    """Decide how a member's new post (or comment, `is_comment`) is treated. Saves nothing."""
    now = timezone.now()
    if member.silenced_until is not None and member.silenced_until > now:
        return _refused(
            _("A moderator has paused your posting until %(date)s. You can still read the community.")
            % {"date": timezone.localtime(member.silenced_until).strftime("%d %B %Y, %H:%M")}
        )

    hour_ago = now - dt.timedelta(hours=1)
    if is_comment:
        limit = settings.SMANAV_COMMUNITY_COMMENTS_PER_HOUR
        recent = Comment.objects.filter(author=member, created_at__gte=hour_ago).count()
        if recent >= limit:
            return _refused(
                ngettext(
                    "You have written %(count)d reply in the last hour, the most for one hour. Your "
                    "text is not lost: please send it again a little later.",
                    "You have written %(count)d replies in the last hour, the most for one hour. Your "
                    "text is not lost: please send it again a little later.",
                    recent,
                )
                % {"count": recent}
            )
    else:
        limit = settings.SMANAV_COMMUNITY_POSTS_PER_HOUR
        recent = Post.objects.filter(author=member, created_at__gte=hour_ago).count()
        if recent >= limit:
            return _refused(
                ngettext(
                    "You have written %(count)d post in the last hour, the most for one hour. Your "
                    "draft is kept: please post it a little later.",
                    "You have written %(count)d posts in the last hour, the most for one hour. Your "
                    "draft is kept: please post it a little later.",
                    recent,
                )
                % {"count": recent}
            )

    folded = normalised(text)
    if _is_duplicate(member, folded, since=now - DUPLICATE_WINDOW):
        return _refused(_("You already posted this same text today. Change it, or find your earlier post."))

    block, review = _watched(folded)
    if block is not None:
        return _refused(
            _('The community does not allow the word "%(word)s". Please change your text and send it again.')
            % {"word": block.word}
        )

    level = trust_level_of(member, now=now)
    allowed = links_allowed(level)
    links = link_count(text)
    if links > allowed:
        return _refused(
            ngettext(
                "Your text has %(links)d links; you can add at most %(allowed)d link for now. Please "
                "remove some and send it again.",
                "Your text has %(links)d links; you can add at most %(allowed)d links for now. Please "
                "remove some and send it again.",
                allowed,
            )
            % {"links": links, "allowed": allowed}
        )

    if has_picture and level != TrustLevel.TRUSTED:
        day_ago = now - dt.timedelta(days=1)
        pictures = Post.objects.filter(author=member, created_at__gte=day_ago, picture__isnull=False).count()
        if pictures >= settings.SMANAV_COMMUNITY_PICTURES_PER_DAY:
            return _refused(
                _(
                    "You have shared %(count)d pictures today, the most for one day until you are a "
                    "trusted member. Your draft is kept: please add the picture tomorrow."
                )
                % {"count": pictures}
            )

    if mentions_self_harm(text):
        return Screening(
            status=Status.PENDING,
            message=_(
                "Thank you for telling us. A moderator will read your words soon before others see "
                "them. You do not have to wait alone: the people below are there to listen, now."
            ),
            mentions_self_harm=True,
        )
    if review is not None:
        return Screening(
            status=Status.PENDING,
            message=_("A moderator will read this before others see it, usually within a day."),
        )
    if level == TrustLevel.NEW:
        return Screening(
            status=Status.PENDING,
            message=_(
                "Welcome! A new member's first posts and replies are read by a moderator before others "
                "see them, usually within a day."
            ),
        )
    return Screening(status=Status.PUBLISHED)


def honeypot_filled(data: object) -> bool:
    """Whether a submitted form filled the hidden field only robots fill (`HONEYPOT_FIELD`)."""
    getter = getattr(data, "get", None)
    return bool(getter is not None and str(getter(HONEYPOT_FIELD, "") or "").strip())


def screen_edit(*, member: Member, text: str, was: Status) -> Screening:
    """Decide how an author's edit of their own post or reply (`was`: its status before) is treated.
    Saves nothing. The checks of new text apply (silence, watched words, links, words about self-harm);
    counts of what the member wrote do not (an edit is not one more post). What waited for a moderator
    or was hidden goes back to a moderator, never straight out."""
    now = timezone.now()
    if member.silenced_until is not None and member.silenced_until > now:
        return _refused(
            _("A moderator has paused your posting until %(date)s. You can still read the community.")
            % {"date": timezone.localtime(member.silenced_until).strftime("%d %B %Y, %H:%M")}
        )
    folded = normalised(text)
    block, review = _watched(folded)
    if block is not None:
        return _refused(
            _('The community does not allow the word "%(word)s". Please change your text and send it again.')
            % {"word": block.word}
        )
    level = trust_level_of(member, now=now)
    allowed = links_allowed(level)
    links = link_count(text)
    if links > allowed:
        return _refused(
            ngettext(
                "Your text has %(links)d links; you can add at most %(allowed)d link for now. Please "
                "remove some and send it again.",
                "Your text has %(links)d links; you can add at most %(allowed)d links for now. Please "
                "remove some and send it again.",
                allowed,
            )
            % {"links": links, "allowed": allowed}
        )
    if mentions_self_harm(text):
        return Screening(
            status=Status.PENDING,
            message=_(
                "Thank you for telling us. A moderator will read your words soon before others see "
                "them. You do not have to wait alone: the people below are there to listen, now."
            ),
            mentions_self_harm=True,
        )
    if was in (Status.PENDING, Status.HIDDEN):
        return Screening(
            status=Status.PENDING,
            message=_("Your change is saved. A moderator will read it before others see it."),
        )
    if review is not None:
        return Screening(
            status=Status.PENDING,
            message=_("A moderator will read this before others see it, usually within a day."),
        )
    if level == TrustLevel.NEW:
        return Screening(
            status=Status.PENDING,
            message=_("Your change is saved. A moderator reads new members' changes before others see them."),
        )
    return Screening(status=Status.PUBLISHED)
