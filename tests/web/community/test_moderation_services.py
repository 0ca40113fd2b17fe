"""Moderation's services: reports that hide, moderators' decisions, actions on members, moderators
granted on the command line, watched words, trust, "what the sources say" and the audit of it all."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.web.community.moderation_people import make_comment, make_member, make_moderator, make_post

from smanav.community.models import (
    Flag,
    FlagReason,
    Guideline,
    ModerationAction,
    ModerationKind,
    Moderator,
    Notification,
    NotificationKind,
    Status,
    TrustLevel,
    WatchedWord,
    WatchedWordAction,
)
from smanav.community.screening import is_moderator
from smanav.community.selectors.moderation import moderation_audit, moderation_queue
from smanav.community.services import moderation as services
from smanav.community.services.moderation import Decision, MemberAction, ModerationError

pytestmark = pytest.mark.django_db


@pytest.fixture(name="told")
def told_fixture(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str]]:
    """What members were told (the notifications' part fills in how)."""
    messages: list[tuple[Any, str]] = []
    monkeypatch.setattr(
        services.notifications,
        "notify_moderation",
        lambda *, member, text, **_about: messages.append((member, text)),
    )
    return messages


def test_reports_from_three_members_hide_a_post_until_a_moderator_decides(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 3
    post = make_post(make_member("Author"))
    for name in ("R1", "R2"):
        services.flag_create(reporter=make_member(name), post=post, reason=FlagReason.UNKIND)
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    services.flag_create(reporter=make_member("R3"), post=post, reason=FlagReason.SPAM)
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    assert post.status_reason == services.HIDDEN_BY_FLAGS


def test_a_member_reports_once_never_their_own_and_refusals_save_nothing() -> None:
    author = make_member("Author")
    post = make_post(author)
    reporter = make_member("Rita")
    services.flag_create(reporter=reporter, post=post, reason=FlagReason.SPAM)
    with pytest.raises(ModerationError, match="already reported"):
        services.flag_create(reporter=reporter, post=post, reason=FlagReason.UNKIND)
    with pytest.raises(ModerationError, match="yourself"):
        services.flag_create(reporter=author, post=post, reason=FlagReason.SPAM)
    assert Flag.objects.count() == 1
    waiting = make_post(author, status=Status.PENDING)
    with pytest.raises(ModerationError):
        services.flag_create(reporter=reporter, post=waiting, reason=FlagReason.SPAM)
    assert Flag.objects.count() == 1


def test_a_reply_is_hidden_by_reports_too(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 1
    comment = make_comment(make_post(make_member("A")), make_member("B"))
    services.flag_create(reporter=make_member("C"), comment=comment, reason=FlagReason.CONTACT_DETAILS)
    comment.refresh_from_db()
    assert comment.status == Status.HIDDEN


def test_the_queue_puts_someone_at_risk_first_then_hidden_then_waiting_then_reported(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 2
    author = make_member("Author")
    long_ago = timezone.now() - dt.timedelta(days=3)
    waiting = make_post(author, title="Waiting", status=Status.PENDING, created_at=long_ago)
    reported = make_post(author, title="Reported once", created_at=long_ago - dt.timedelta(days=1))
    services.flag_create(reporter=make_member("R0"), post=reported, reason=FlagReason.OTHER, note="odd")
    hidden = make_post(author, title="Hidden by reports")
    for name in ("R1", "R2"):
        services.flag_create(reporter=make_member(name), post=hidden, reason=FlagReason.UNKIND)
    at_risk = make_post(author, title="Newest, at risk")
    services.flag_create(reporter=make_member("R3"), post=at_risk, reason=FlagReason.SELF_HARM)
    held_words = make_comment(reported, author, body="I want to end my life", status=Status.PENDING)
    untouched = make_post(author, title="Nothing wrong")
    queue = moderation_queue()
    order = [item.target for item in queue]
    assert {order[0], order[1]} == {at_risk, held_words}
    assert order[2:] == [hidden, waiting, reported]
    assert queue[-1].notes == ["odd"]
    assert untouched not in order


def test_decisions_change_the_status_resolve_reports_are_audited_and_the_author_is_told(
    told: list[tuple[Any, str]], settings: Any
) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 1
    moderator = make_moderator()
    author = make_member("Author")
    post = make_post(author)
    services.flag_create(reporter=make_member("R1"), post=post, reason=FlagReason.MISINFORMATION)
    post.refresh_from_db()
    with pytest.raises(ModerationError, match="reason"):
        services.post_decide(moderator=moderator, post=post, decision=Decision.RESTORE, reason=" ")
    services.post_decide(moderator=moderator, post=post, decision=Decision.RESTORE, reason="It is accurate.")
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    action = ModerationAction.objects.get(kind=ModerationKind.RESTORE)
    assert (action.kind, action.moderator, action.member, action.post, action.reason) == (
        ModerationKind.RESTORE,
        moderator,
        author,
        post,
        "It is accurate.",
    )
    assert told == [
        (
            author,
            f"Members reported your post “{post.title}”, so it is hidden until a moderator reads it. The "
            "guideline: Share experience, not medical advice. You can edit it; the moderator will read "
            "your change.",
        ),
        (
            author,
            f"A moderator restored your post “{post.title}”. The guideline: Share experience, not medical "
            "advice. The reason: It is accurate.",
        ),
    ]
    assert action.guideline == "experience-not-advice"
    # A second moderator acting on the old state is refused, and nothing more is recorded.
    with pytest.raises(ModerationError, match="already decided"):
        services.post_decide(moderator=moderator, post=post, decision=Decision.RESTORE, reason="again")
    assert ModerationAction.objects.filter(moderator=moderator).count() == 1


def test_only_moderators_decide() -> None:
    post = make_post(make_member("Author"), status=Status.PENDING)
    with pytest.raises(ModerationError, match="Only a moderator"):
        services.post_decide(moderator=make_member("Nosy"), post=post, decision=Decision.APPROVE, reason="")
    post.refresh_from_db()
    assert post.status == Status.PENDING
    assert not ModerationAction.objects.exists()


def test_approvals_promote_a_new_member_after_the_first_ones(
    told: list[tuple[Any, str]], settings: Any
) -> None:
    settings.SMANAV_COMMUNITY_REVIEW_FIRST = 2
    moderator = make_moderator()
    newcomer = make_member("Nina", trust=TrustLevel.NEW, joined_days_ago=0)
    first = make_post(newcomer, status=Status.PENDING)
    reply = make_comment(make_post(moderator), newcomer, status=Status.PENDING)
    services.post_decide(moderator=moderator, post=first, decision=Decision.APPROVE, reason="")
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.NEW
    services.comment_decide(moderator=moderator, comment=reply, decision=Decision.APPROVE, reason="")
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.MEMBER
    assert [text for _member, text in told] == [
        f"A moderator approved your post “{first.title}”.",
        f"A moderator approved your reply in “{reply.post.title}”.",
    ]


def test_warn_silence_suspend_and_lift(told: list[tuple[Any, str]]) -> None:
    moderator = make_moderator()
    member = make_member("Max")
    until = timezone.now() + dt.timedelta(days=7)
    services.member_moderate(moderator=moderator, member=member, action=MemberAction.WARN, reason="Be kind.")
    services.member_moderate(
        moderator=moderator, member=member, action=MemberAction.SILENCE, reason="Cool off.", until=until
    )
    member.refresh_from_db()
    assert member.silenced_until == until
    services.member_moderate(
        moderator=moderator, member=member, action=MemberAction.SUSPEND, reason="Spam.", until=until
    )
    member.refresh_from_db()
    assert member.suspended_until == until
    services.member_moderate(moderator=moderator, member=member, action=MemberAction.LIFT, reason="Appeal.")
    member.refresh_from_db()
    assert member.silenced_until is None and member.suspended_until is None
    kinds = list(ModerationAction.objects.order_by("at", "id").values_list("kind", "until"))
    assert kinds[1:] == [
        (ModerationKind.WARN, None),
        (ModerationKind.SILENCE, until),
        (ModerationKind.SUSPEND, until),
        (ModerationKind.LIFT, None),
    ]
    assert len(told) == 4
    assert told[0] == (member, "A message from the moderators: Be kind.")


def test_member_actions_are_refused_without_reason_date_or_on_moderators() -> None:
    moderator = make_moderator()
    other_moderator = make_moderator("Otto")
    member = make_member("Max")
    before = ModerationAction.objects.count()
    cases = [
        dict(member=member, action=MemberAction.WARN, reason=""),
        dict(member=member, action=MemberAction.SILENCE, reason="x"),
        dict(
            member=member,
            action=MemberAction.SUSPEND,
            reason="x",
            until=timezone.now() - dt.timedelta(days=1),
        ),
        dict(member=member, action=MemberAction.LIFT, reason="x"),
        dict(member=moderator, action=MemberAction.WARN, reason="x"),
        dict(
            member=other_moderator,
            action=MemberAction.SUSPEND,
            reason="x",
            until=timezone.now() + dt.timedelta(days=1),
        ),
    ]
    for case in cases:
        with pytest.raises(ModerationError):
            services.member_moderate(moderator=moderator, **case)  # type: ignore[arg-type]
    member.refresh_from_db()
    assert member.silenced_until is None and member.suspended_until is None
    assert ModerationAction.objects.count() == before


def test_the_command_line_grants_and_revokes_moderators_and_both_are_audited() -> None:
    member = make_member("Greta")
    out = StringIO()
    call_command("community_moderator", "grant", "greta", "--reason", "volunteer", stdout=out)
    assert "is a moderator" in out.getvalue()
    assert is_moderator(member)
    with pytest.raises(CommandError, match="already a moderator"):
        call_command("community_moderator", "grant", "greta", stdout=StringIO())
    call_command("community_moderator", "revoke", "greta", stdout=StringIO())
    assert not is_moderator(member)
    assert Moderator.objects.get(member=member).revoked_at is not None
    with pytest.raises(CommandError, match="not a moderator"):
        call_command("community_moderator", "revoke", "greta", stdout=StringIO())
    with pytest.raises(CommandError, match="join the community"):
        call_command("community_moderator", "grant", "nobody", stdout=StringIO())
    call_command("community_moderator", "grant", "greta", stdout=StringIO())
    assert is_moderator(member)
    rows = list(
        ModerationAction.objects.order_by("id").values_list("kind", "moderator", "moderator_label", "reason")
    )
    assert rows == [
        (ModerationKind.MODERATOR_GRANTED, None, services.COMMAND_LINE, "volunteer"),
        (
            ModerationKind.MODERATOR_REVOKED,
            None,
            services.COMMAND_LINE,
            "revoke on the server's command line",
        ),
        (ModerationKind.MODERATOR_GRANTED, None, services.COMMAND_LINE, "grant on the server's command line"),
    ]


def test_watched_words_are_added_once_removed_and_audited() -> None:
    moderator = make_moderator()
    services.watched_word_add(
        moderator=moderator, word="  casino  ", action=WatchedWordAction.BLOCK, reason="spam"
    )
    with pytest.raises(ModerationError, match="already watched"):
        services.watched_word_add(
            moderator=moderator, word="CASINO", action=WatchedWordAction.REVIEW, reason=""
        )
    watched = WatchedWord.objects.get()
    assert watched.word == "casino"
    services.watched_word_remove(moderator=moderator, watched=watched, reason="")
    assert not WatchedWord.objects.exists()
    assert ModerationAction.objects.filter(kind=ModerationKind.WATCHED_WORD).count() == 2


@pytest.mark.parametrize(
    "path",
    [
        "/library/",
        "/library/some-article/",
        "/sources/",
        "http://127.0.0.1:8000/library/some-article/",
    ],
)
def test_what_the_sources_say_accepts_cited_pages_of_this_site(path: str, settings: Any) -> None:
    settings.SMANAV_SITE_URL = "http://127.0.0.1:8000"
    assert services.sources_path_clean(path).startswith("/")


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/library/x/",
        "//evil.example/library/x/",
        "javascript:alert(1)",
        "library/x/",
        "/library/../accounts/login/",
        "/accounts/login/",
        "/community/support/",
        "/no/such/page/",
        "/library/review/",
    ],
)
def test_what_the_sources_say_refuses_other_addresses(path: str) -> None:
    with pytest.raises(ModerationError):
        services.sources_path_clean(path)


def test_the_author_or_a_moderator_links_what_the_sources_say_and_a_moderators_link_is_audited() -> None:
    author = make_member("Author")
    moderator = make_moderator()
    comment = make_comment(
        make_post(make_member("Asker")), author, body="Nusinersen is given every 4 months."
    )
    services.sources_link_set(actor=author, comment=comment, path="/library/")
    comment.refresh_from_db()
    assert comment.sources_path == "/library/"
    assert not ModerationAction.objects.filter(kind=ModerationKind.SOURCES).exists()
    with pytest.raises(ModerationError, match="author or a moderator"):
        services.sources_link_set(actor=make_member("Stranger"), comment=comment, path="/sources/")
    services.sources_link_set(actor=moderator, comment=comment, path="/sources/")
    comment.refresh_from_db()
    assert comment.sources_path == "/sources/"
    assert ModerationAction.objects.get(kind=ModerationKind.SOURCES).comment == comment


def test_the_audit_filters_by_moderator_member_and_days() -> None:
    first, second = make_moderator("Mia"), make_moderator("Moe")
    member = make_member("Max")
    other = make_member("Ola")
    services.member_moderate(moderator=first, member=member, action=MemberAction.WARN, reason="one")
    services.member_moderate(moderator=second, member=other, action=MemberAction.WARN, reason="two")
    old = ModerationAction.objects.get(reason="one")
    old.at = timezone.now() - dt.timedelta(days=10)
    old.save()
    assert [a.reason for a in moderation_audit(moderator=first)] == ["one"]
    assert [a.reason for a in moderation_audit(member=other)] == ["two"]
    today = timezone.localdate()
    assert next(a.reason for a in moderation_audit(date_from=today)) == "two"
    assert "one" not in [a.reason for a in moderation_audit(date_from=today)]
    assert [a.reason for a in moderation_audit(date_to=today - dt.timedelta(days=5))][-1] == "one"


def test_an_approved_reply_counts_and_tells_the_post_author_and_hiding_it_uncounts() -> None:
    moderator = make_moderator()
    asker = make_member("Asker")
    post = make_post(asker)
    held = make_comment(post, make_member("Newbie", trust=TrustLevel.NEW), status=Status.PENDING)
    services.comment_decide(moderator=moderator, comment=held, decision=Decision.APPROVE, reason="")
    post.refresh_from_db()
    assert post.comment_count == 1
    assert Notification.objects.filter(recipient=asker, kind=NotificationKind.REPLY, comment=held).exists()
    services.comment_decide(
        moderator=moderator,
        comment=held,
        decision=Decision.HIDE,
        reason="Off topic.",
        guideline=Guideline.BE_KIND,
    )
    post.refresh_from_db()
    assert post.comment_count == 0
    services.comment_decide(moderator=moderator, comment=held, decision=Decision.RESTORE, reason="On topic.")
    post.refresh_from_db()
    assert post.comment_count == 1
