"""The community's pages for test_every_page.py: its people and conversation (made through the
community's own services), the pages each of them sees, and the community's routes that are not pages.

Personas: `member` (a member of some standing, who asked a question, follows a topic and has a draft),
`new_member` (just joined: their first post waits for a moderator) and `moderator`. Ids for the paths:
{c_post} (a post with a picture and threaded replies), {c_reply} (a reply to it), {c_question} (a
question with an accepted answer), {c_unsubscribe} (the member's link to stop e-mails of replies).
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image
from tests.e2e.page_cases import Page, fill, submit, submit_empty
from tests.web.personas import TOTP_KEY

from smanav.accounts.services import totp_device_create, user_create
from smanav.community.models import (
    FlagReason,
    Member,
    NotificationKind,
    PostKind,
    ReactionKind,
    Topic,
    TopicFollow,
    TrustLevel,
    WatchedWordAction,
)
from smanav.community.pictures import picture_create
from smanav.community.services.comments import answer_accept, comment_create
from smanav.community.services.drafts import PLACE_NEW_POST, draft_save
from smanav.community.services.editing import post_edit
from smanav.community.services.members import member_join
from smanav.community.services.moderation import (
    MemberAction,
    flag_create,
    member_moderate,
    moderator_grant,
    watched_word_add,
)
from smanav.community.services.posts import post_create
from smanav.community.services.reactions import reaction_toggle
from smanav.community.topics import topics_ensure
from smanav.community.unsubscribe import unsubscribe_token

ANONYMOUS, MEMBER, NEW_MEMBER, MODERATOR = "anonymous", "member", "new_member", "moderator"
# Members read the community as families do: no codes or field paths on their pages.
COMMUNITY_FAMILY_PERSONAS = {MEMBER, NEW_MEMBER}

POST_TITLE = "Our new power chair"
QUESTION_TITLE = "How did the first loading doses go?"
WAITING_TITLE = "Hello from a new family"

COMMUNITY_NOT_PAGES = {
    "community/pictures/<int:picture_id>/": "a picture's bytes (its alt text is checked on the post page)",
    "community/drafts/save/": "POST only: the composer's script saves the draft as the member types",
    "community/topics/<slug:slug>/follow/": "POST only: the Follow button of the topic page",
    "community/posts/<int:post_id>/react/": "POST only: the reaction buttons of the post page",
    "community/posts/<int:post_id>/answer/": "POST only: the Mark as the answer button of the post page",
    "community/notifications/read/": "POST only: the Mark as read buttons of the notifications page",
    "community/moderation/post/<int:post_id>/decide/": "POST only: the Approve, Hide and Restore buttons "
    "of the moderation queue",
    "community/moderation/comment/<int:comment_id>/decide/": "POST only: the Approve, Hide and Restore "
    "buttons of the moderation queue",
    "community/moderation/watched-words/<int:word_id>/remove/": "POST only: the Stop watching buttons of "
    "the watched words page",
    "community/notifications/<int:notification_id>/": "a redirect to the reply or post a notification is "
    "about, marking it read (tests/web/community/test_notification_pages.py)",
}


def _key() -> str:
    return uuid.uuid4().hex


def _member(name: str, trust: TrustLevel, *, second_factor: bool = False) -> Member:
    """An account that joined the community (`member_join`), at the trust level a member reaches."""
    user = user_create(username=name.lower(), email=f"{name.lower()}@example.org", password=_key())
    if second_factor:  # moderators pass a second factor (ADR 0020)
        totp_device_create(user=user, confirmed=True, key=TOTP_KEY)
    member = member_join(user=user, display_name=name, accepted_guidelines=True)
    member.trust_level = trust
    member.save(update_fields=["trust_level"])
    return member


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def community_seed() -> tuple[dict[str, str], dict[str, Any]]:
    """The community's members and conversation: ids for the paths, and the account of each persona."""
    topics_ensure()  # the module's database was flushed by an earlier module
    member = _member("Ana", TrustLevel.MEMBER)
    new_member = _member("Ben", TrustLevel.NEW)
    moderator = _member("Mo", TrustLevel.TRUSTED, second_factor=True)
    moderator_grant(member=moderator, reason="The community's first moderator.")
    cai = _member("Cai", TrustLevel.MEMBER)

    equipment = Topic.objects.get(slug="equipment")
    picture = picture_create(
        owner=moderator, upload=_photo(), alt_text="A blue power chair in a park, its seat raised"
    )
    post = post_create(
        author=moderator,
        topic=equipment,
        title=POST_TITLE,
        body="It arrived on **Monday**. The seat rises, so she can reach the kitchen counter.",
        picture=picture,
        submission_key=_key(),
    ).post
    reply = comment_create(
        author=member, post=post, body="How long did the funding take?", submission_key=_key()
    ).comment
    comment_create(
        author=moderator,
        post=post,
        parent=reply,
        body="Nine months, with two appeals.",
        submission_key=_key(),
    )
    # The moderator corrected their post once: the moderators' history has an earlier version.
    post_edit(
        author=moderator,
        post=post,
        title=POST_TITLE,
        body="It arrived on **Monday**. The seat rises, so she can reach the kitchen counter and the sink.",
    )
    reaction_toggle(member=member, kind=ReactionKind.HUG, post=post)
    TopicFollow.objects.create(member=member, topic=equipment)

    question = post_create(
        author=member,
        topic=Topic.objects.get(slug="treatments"),
        title=QUESTION_TITLE,
        body="Our son starts nusinersen next week. What helped on the day?",
        kind=PostKind.QUESTION,
        submission_key=_key(),
    ).post
    answer = comment_create(
        author=moderator,
        post=question,
        body="A favourite film on a tablet, and the numbing cream an hour before.",
        submission_key=_key(),
    ).comment
    answer_accept(member=member, post=question, comment=answer)
    draft_save(member=member, place=PLACE_NEW_POST, title="School trip", body="Half-written, for later.")

    # Moderation: the new member's first post waits, a reply is reported, a member warned, a word watched.
    waiting = post_create(
        author=new_member,
        topic=Topic.objects.get(slug="newly-diagnosed"),
        title=WAITING_TITLE,
        body="Our daughter was diagnosed last week. Where do we start?",
        submission_key=_key(),
    ).post
    assert waiting.status == "pending", "a new member's first post waits for a moderator"
    reported = comment_create(
        author=cai, post=post, body="Stop every treatment and try this diet instead.", submission_key=_key()
    ).comment
    flag_create(reporter=member, reason=FlagReason.MISINFORMATION, comment=reported, note="Not safe.")
    member_moderate(
        moderator=moderator, member=cai, action=MemberAction.WARN, reason="Please keep to the guidelines."
    )
    watched_word_add(
        moderator=moderator, word="miracle cure", action=WatchedWordAction.REVIEW, reason="Often misleading."
    )

    ids = {
        "c_post": str(post.pk),
        "c_reply": str(reply.pk),
        "c_question": str(question.pk),
        "c_answer": str(answer.pk),
        "c_reported": str(reported.pk),
        "c_cai": str(cai.pk),
        "c_unsubscribe": unsubscribe_token(member_id=member.pk, kind=NotificationKind.REPLY),
    }
    return ids, {MEMBER: member.user, NEW_MEMBER: new_member.user, MODERATOR: moderator.user}


def _search(query: str) -> Any:
    def act(page: Any) -> None:
        fill(page, {"Search posts, questions and replies": query})
        submit(page, "Search")

    return act


def _silence_without_date(page: Any) -> None:
    page.locator("input[name='action'][value='silence']").check()
    fill(page, {"Reason (the member is told it)": "Posting the same advice many times."})
    submit(page, "Save and tell the member")


def _watch_again(page: Any) -> None:
    fill(page, {"Word or phrase": "Miracle cure"})
    submit(page, "Watch it")


def _report_again(page: Any) -> None:
    page.locator("input[name='reason'][value='spam']").check()
    submit(page, "Send the report")


def _link_elsewhere(page: Any) -> None:
    fill(page, {"Address of the cited page (a library article)": "https://elsewhere.example/cure"})
    submit(page, "Save")


def _blank_title(page: Any) -> None:
    fill(page, {"Title": "  "})
    submit(page, "Save the change")


def _blank_reply(page: Any) -> None:
    fill(page, {"Your reply": "   "})
    submit(page, "Publish reply")


POST = "/community/posts/{c_post}/"

COMMUNITY_PAGES = [
    Page("community-feed", MEMBER, "/community/", POST_TITLE),
    Page("community-feed-following", MEMBER, "/community/latest/?show=following", POST_TITLE),
    Page("community-feed-new-member", NEW_MEMBER, "/community/", QUESTION_TITLE),
    Page("community-topic", MEMBER, "/community/topics/equipment/", POST_TITLE),
    Page("community-post", MEMBER, POST, "Nine months, with two appeals."),
    Page("community-post-moderator", MODERATOR, POST, "How long did the funding take?"),
    Page(
        "community-question",
        MEMBER,
        "/community/posts/{c_question}/",
        "Accepted answer: the asker found this helped.",
    ),
    Page("community-write", MEMBER, "/community/write/", "Draft saved at"),
    Page("community-write-new-member", NEW_MEMBER, "/community/write/", "Take all the time you need"),
    Page(
        "community-write-problems",
        NEW_MEMBER,
        "/community/write/",
        "Write some text, add a picture, or both.",
        submit_empty("Publish"),
        422,
    ),
    Page("community-reply", MEMBER, POST + "reply/", "Reply to"),
    Page("community-reply-to-reply", MODERATOR, POST + "reply/{c_reply}/", "How long did the funding take?"),
    Page("community-reply-problems", MEMBER, POST + "reply/", "Reply to", _blank_reply, 422),
    Page("community-post-edit", MEMBER, "/community/posts/{c_question}/edit/", "Edit your post"),
    Page(
        "community-post-edit-problems",
        MEMBER,
        "/community/posts/{c_question}/edit/",
        "Give your post a title.",
        _blank_title,
        422,
    ),
    Page("community-post-remove", MEMBER, "/community/posts/{c_question}/remove/", "Remove your post"),
    Page("community-reply-edit", MEMBER, "/community/comments/{c_reply}/edit/", "Edit your reply"),
    Page("community-reply-remove", MEMBER, "/community/comments/{c_reply}/remove/", "Remove your reply"),
    Page("community-post-history", MODERATOR, POST + "history/", "and the sink"),
    Page("community-reply-history", MODERATOR, "/community/comments/{c_reply}/history/", "never edited"),
    Page("community-search", MEMBER, "/community/search/", POST_TITLE, _search("chairs")),
    Page("community-search-nothing", MEMBER, "/community/search/?q=zebra", "Search the community"),
    Page("community-notifications", MEMBER, "/community/notifications/", f"Mo replied in “{POST_TITLE}”."),
    Page("community-notification-settings", MEMBER, "/community/notifications/settings/", "How you are told"),
    Page("community-unsubscribe", ANONYMOUS, "/community/unsubscribe/{c_unsubscribe}/", "Stop e-mails"),
    Page(
        "community-unsubscribe-done",
        ANONYMOUS,
        "/community/unsubscribe/{c_unsubscribe}/",
        "You will not get these e-mails any more",
        submit_empty("Stop these e-mails"),
    ),
    Page(
        "community-unsubscribe-refused",
        ANONYMOUS,
        "/community/unsubscribe/made-up/",
        "This link does not work",
        status=404,
    ),
    Page("community-moderation-queue", MODERATOR, "/community/moderation/", WAITING_TITLE),
    Page("community-moderation-member", MODERATOR, "/community/moderation/members/{c_cai}/", "Cai"),
    Page(
        "community-moderation-member-problems",
        MODERATOR,
        "/community/moderation/members/{c_cai}/",
        "Cai",
        _silence_without_date,
    ),
    Page(
        "community-moderation-trust",
        MODERATOR,
        "/community/moderation/members/{c_cai}/trust/",
        "Trust level of Cai",
    ),
    Page(
        "community-moderation-trust-problems",
        MODERATOR,
        "/community/moderation/members/{c_cai}/trust/",
        "Please correct these problems",
        submit_empty("Save the trust level"),
        422,
    ),
    Page(
        "community-moderation-audit",
        MODERATOR,
        "/community/moderation/audit/",
        "Please keep to the guidelines.",
    ),
    Page(
        "community-moderation-audit-filtered",
        MODERATOR,
        "/community/moderation/audit/?member=nobody",
        "Moderator actions",
    ),
    Page("community-watched-words", MODERATOR, "/community/moderation/watched-words/", "miracle cure"),
    Page(
        "community-watched-words-problems",
        MODERATOR,
        "/community/moderation/watched-words/",
        "is already watched",
        _watch_again,
    ),
    Page("community-report-post", MEMBER, POST + "report/", "Report to the moderators"),
    Page(
        "community-report-reply",
        MEMBER,
        "/community/comments/{c_reported}/report/",
        "Report to the moderators",
    ),
    Page(
        "community-report-problems",
        MEMBER,
        "/community/comments/{c_reported}/report/",
        "You have already reported this",
        _report_again,
    ),
    Page("community-reported", MEMBER, "/community/reported/", "Report sent"),
    Page("community-sources-post", MODERATOR, POST + "sources/", "What the sources say"),
    Page(
        "community-sources-reply",
        MODERATOR,
        "/community/comments/{c_answer}/sources/",
        "What the sources say",
    ),
    Page(
        "community-sources-problems",
        MODERATOR,
        POST + "sources/",
        "What the sources say",
        _link_elsewhere,
    ),
    Page("community-support", ANONYMOUS, "/community/support/", "People you can talk to now"),
    Page("community-support-region", MEMBER, "/community/support/?region=GB", "People you can talk to now"),
]
