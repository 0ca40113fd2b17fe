"""The author is told (issue 11): when reports hide their post or reply, and when a moderator restores
or removes it, with the guideline it was judged against, on the site and by e-mail as they chose; the
reporters are never named. And a moderator sets a member's trust level by hand, audited with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from tests.web.community.jobs import deliver
from tests.web.community.moderation_people import (
    client_for,
    make_comment,
    make_member,
    make_moderator,
    make_post,
)

from smanav.community.models import (
    FlagReason,
    Guideline,
    ModerationAction,
    ModerationKind,
    Notification,
    NotificationKind,
    Status,
    TrustLevel,
)
from smanav.community.screening import screen_submission
from smanav.community.services.moderation import (
    Decision,
    ModerationError,
    comment_decide,
    flag_create,
    member_trust_refresh,
    member_trust_set,
    post_decide,
)

pytestmark = pytest.mark.django_db


def _notices(member: Any) -> list[str]:
    return list(
        Notification.objects.filter(recipient=member, kind=NotificationKind.MODERATION)
        .order_by("id")
        .values_list("text", flat=True)
    )


def test_reports_that_hide_a_post_tell_its_author_the_guideline_and_no_reporter(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 2
    author = make_member("Ada")
    post = make_post(author, title="Cushions for sale")
    flag_create(reporter=make_member("Rosalind"), post=post, reason=FlagReason.SPAM)
    assert _notices(author) == []
    flag_create(reporter=make_member("Quentin"), post=post, reason=FlagReason.SPAM)
    (text,) = _notices(author)
    assert "Members reported your post “Cushions for sale”" in text
    assert "The guideline: No selling." in text
    assert "Rosalind" not in text and "Quentin" not in text
    notice = Notification.objects.get(recipient=author)
    assert notice.post == post and notice.actor is None


def test_the_author_of_a_hidden_post_is_emailed_with_a_link_to_it(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 1
    author = make_member("Ada")
    post = make_post(author, title="Our ramp")
    flag_create(reporter=make_member("Rosalind"), post=post, reason=FlagReason.UNKIND)
    deliver()
    (message,) = mail.outbox
    assert message.to == [author.user.email]
    assert "The guideline: Be kind." in message.body
    assert reverse("community:post", args=[post.pk]) in message.body
    assert "Rosalind" not in message.body


def test_hiding_needs_a_guideline_and_the_author_is_told_it(settings: Any) -> None:
    moderator = make_moderator()
    author = make_member("Ada")
    reply = make_comment(make_post(make_member("Ben"), title="Which chair?"), author)
    with pytest.raises(ModerationError, match="guideline"):
        comment_decide(moderator=moderator, comment=reply, decision=Decision.HIDE, reason="Rude.")
    reply.refresh_from_db()
    assert reply.status == Status.PUBLISHED
    comment_decide(
        moderator=moderator,
        comment=reply,
        decision=Decision.HIDE,
        reason="Rude.",
        guideline=Guideline.BE_KIND,
    )
    (text,) = _notices(author)
    assert text == (
        "A moderator removed your reply in “Which chair?” from view. The guideline: Be kind. "
        "The reason: Rude."
    )
    assert ModerationAction.objects.get(kind=ModerationKind.HIDE).guideline == Guideline.BE_KIND


def test_restoring_names_the_guideline_the_reports_pointed_to(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 1
    author = make_member("Ada")
    post = make_post(author, title="Risdiplam and school")
    flag_create(reporter=make_member("Ben"), post=post, reason=FlagReason.MISINFORMATION)
    post_decide(
        moderator=make_moderator(), post=post, decision=Decision.RESTORE, reason="It says its source."
    )
    assert _notices(author)[-1] == (
        "A moderator restored your post “Risdiplam and school”. The guideline: Share experience, not "
        "medical advice. The reason: It says its source."
    )


def test_the_queue_offers_the_guideline_the_reports_point_to(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 5
    post = make_post(make_member("Ada"))
    flag_create(reporter=make_member("Ben"), post=post, reason=FlagReason.CONTACT_DETAILS)
    page = client_for(make_moderator()).get(reverse("community:moderation_queue")).content.decode()
    assert '<option value="private-details" selected>' in page


def test_a_moderator_sets_a_trust_level_by_hand_with_a_reason_and_it_stays() -> None:
    moderator = make_moderator()
    member = make_member("Ada", trust=TrustLevel.NEW)
    client = client_for(moderator)
    url = reverse("community:moderation_trust", args=[member.pk])
    assert "Trust level of Ada" in client.get(url).content.decode()
    refused = client.post(url, {"trust_level": TrustLevel.TRUSTED, "reason": ""})
    assert refused.status_code == 422 and "Reason (kept in the moderators" in refused.content.decode()
    member.refresh_from_db()
    assert member.trust_level == TrustLevel.NEW and not ModerationAction.objects.filter(kind="trust").exists()
    response = client.post(url, {"trust_level": TrustLevel.TRUSTED, "reason": "Known volunteer since 2019."})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.trust_level == TrustLevel.TRUSTED and member.trust_by_hand
    action = ModerationAction.objects.get(kind=ModerationKind.TRUST)
    assert (action.moderator, action.member) == (moderator, member)
    assert action.reason == "New member → Trusted member: Known volunteer since 2019."
    # Trusted by hand: published at once.
    assert (
        screen_submission(member=member, text="Hello", has_picture=False, is_comment=False).status
        == "published"
    )


def test_a_level_lowered_by_hand_is_not_raised_again_by_itself(settings: Any) -> None:
    settings.SMANAV_COMMUNITY_LINKS_MEMBER = 1
    settings.SMANAV_COMMUNITY_TRUST_AFTER_POSTS = 1
    settings.SMANAV_COMMUNITY_TRUST_AFTER_DAYS = 0
    member = make_member("Ada", trust=TrustLevel.TRUSTED)
    make_post(member)
    member_trust_set(moderator=make_moderator(), member=member, level=TrustLevel.MEMBER, reason="Links spam.")
    member.refresh_from_db()
    assert member_trust_refresh(member=member) == TrustLevel.MEMBER
    verdict = screen_submission(
        member=member, text="a http://a.example b http://b.example", has_picture=False, is_comment=False
    )
    assert verdict.refused  # a member's link limit, not a trusted member's


def test_only_moderators_reach_the_trust_page_and_not_for_themselves() -> None:
    member = make_member("Ada")
    assert (
        client_for(make_member("Ben"))
        .get(reverse("community:moderation_trust", args=[member.pk]))
        .status_code
        == 404
    )
    moderator = make_moderator()
    with pytest.raises(ModerationError, match="own account"):
        member_trust_set(moderator=moderator, member=moderator, level=TrustLevel.NEW, reason="test")
