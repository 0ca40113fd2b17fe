"""Every route of the community x every role: who gets the page, who is sent to log in or to join, who
gets 404. And no community page shows anything of a patient record, of registry data, or a member's
health detail they chose not to show.

The routes are read from the URL map (`community:` namespace): a route added without an entry in
`MATRIX` fails `test_every_community_route_has_an_entry`. Arguments are made from the URL's parameter
names (`post_id`, `picture_id`, `token`, ...): objects owned by `owner`, who blocks `blocked_member`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from tests.web.personas import TOTP_KEY, Personas, log_in, people_fixture  # noqa: F401
from tests.web.shown import words_shown

from smanav.accounts.services import totp_device_create
from smanav.community.models import (
    AgeBand,
    Comment,
    FollowKind,
    Member,
    MemberLink,
    Moderator,
    Notification,
    NotificationKind,
    Picture,
    Post,
    Relation,
    SmaType,
    Topic,
    TrustLevel,
    WatchedWord,
    WatchedWordAction,
)
from smanav.community.unsubscribe import unsubscribe_token

ROLES = [
    "anonymous",
    "member",
    "blocked_member",
    "new_member",
    "moderator",
    "administrator",
    "clinic_staff",
    "family",
    "researcher",
]
# Accounts that never joined the community: administrators and clinic staff have no power here.
NOT_JOINED = ("administrator", "clinic_staff")
MEMBERS = ("member", "blocked_member", "new_member", "moderator", "family")


def for_a_researcher(expected: Callable[[str], int]) -> int:
    """A researcher (ADR 0031) reaches no signed-in page but the research cohort's dashboard: the
    community's pages are "not found" to them, its open pages open, a form's target refuses a GET."""
    return 200 if expected is anyone else (405 if expected is post_only else 404)


def members_only(role: str) -> int:
    """A page for members: anonymous visitors go to log in, accounts that did not join to the join page."""
    return 200 if role in MEMBERS else 302


def members_only_post(role: str) -> int:
    """A form's target (POST only): a GET by a member is refused (405)."""
    return 405 if role in MEMBERS else 302


def own_notification(role: str) -> int:
    """The notification is `owner`'s: another member gets 404, as for one that does not exist."""
    return 302 if role not in MEMBERS else 404


def anyone(role: str) -> int:
    """Open without signing in (the e-mails' unsubscribe link, signed)."""
    return 200


def post_only(role: str) -> int:
    """A form's target refusing any GET before it asks who is there (require_POST outermost)."""
    return 405


def moderators_only(role: str) -> int:
    """A moderators' page: other members are told it is not found (who moderates is not revealed)."""
    return 200 if role == "moderator" else (404 if role in MEMBERS else 302)


def authors_or_moderators(author: str) -> Callable[[str], int]:
    """A page to link "what the sources say": the author of what it is under, or a moderator."""

    def expected(role: str) -> int:
        return 200 if role in (author, "moderator") else (404 if role in MEMBERS else 302)

    return expected


def authors_only(author: str) -> Callable[[str], int]:
    """Editing or removing what `author` wrote: anyone else is told it is not found."""

    def expected(role: str) -> int:
        return 200 if role == author else (404 if role in MEMBERS else 302)

    return expected


def owners_content(role: str) -> int:
    """A page of `owner`'s post: `owner` blocks `blocked_member`, so to them it does not exist."""
    return 404 if role == "blocked_member" else members_only(role)


def join_page(role: str) -> int:
    """For accounts that did not join; a member is sent on to the community, a visitor to log in."""
    return 200 if role in NOT_JOINED else 302


def always_redirects(role: str) -> int:
    """ "My profile": a member is sent to their own profile page, others to log in or to join."""
    return 302


def volunteers_only(role: str) -> int:
    """The welcoming committee's queue: no member of the scene volunteered, so members get 403."""
    return 403 if role in MEMBERS else 302


# Route name (without the namespace) -> the expected status of a GET, by role.
MATRIX: dict[str, Callable[[str], int]] = {
    # Members (C1). The home page is the feed for members and a page about the community for others.
    "home": anyone,
    "join": join_page,
    "guidelines": anyone,
    "me": always_redirects,
    "profile_edit": members_only,
    "photo_edit": members_only,
    "settings": members_only,
    "links": members_only,
    "export": members_only,
    "leave": members_only,
    "member": owners_content,
    "member_link": members_only_post,
    "like_me": members_only,
    "welcome_queue": volunteers_only,
    "welcome": members_only_post,
    # The conversation (C2).
    # The feed's own address (the home page shows members the same feed).
    "feed": members_only,
    "search": members_only,
    "write": members_only,
    "draft_save": post_only,
    "topic": members_only,
    "topic_follow": post_only,
    "post": owners_content,
    "reply": owners_content,
    "reply_to": owners_content,
    "react": post_only,
    "answer": post_only,
    # The picture of `owner`'s post: seen where the post may be read.
    "picture": owners_content,
    # An author's changes (`owner` wrote the post, `family` the reply) and their history (moderators).
    "post_edit": authors_only("owner"),
    "post_remove": authors_only("owner"),
    "post_history": moderators_only,
    "comment_edit": authors_only("family"),
    "comment_remove": authors_only("family"),
    "comment_history": moderators_only,
    # Notifications (C4).
    "notifications": members_only,
    "notification_open": own_notification,
    "notifications_read": members_only_post,
    "notification_preferences": members_only,
    "unsubscribe": anyone,
    # Moderation (C3).
    "moderation_queue": moderators_only,
    "moderation_decide_post": post_only,
    "moderation_decide_comment": post_only,
    "moderation_member": moderators_only,
    "moderation_trust": moderators_only,
    "moderation_audit": moderators_only,
    "moderation_watched_words": moderators_only,
    "moderation_watched_word_remove": post_only,
    "report_post": owners_content,
    "report_comment": owners_content,
    "report_done": members_only,
    "sources_post": authors_or_moderators("owner"),
    "sources_comment": authors_or_moderators("family"),
    "support_lines": anyone,
}


def community_routes() -> dict[str, list[str]]:
    """Every route of the `community` namespace: its name and its URL's parameter names."""

    def walk(patterns: list[Any], inside: bool) -> Iterator[tuple[str, list[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, inside or entry.namespace == "community")
            elif isinstance(entry, URLPattern) and inside and entry.name:
                yield entry.name, list(entry.pattern.regex.groupindex)

    return dict(walk(get_resolver().url_patterns, False))


def test_every_community_route_has_an_entry() -> None:
    routes = set(community_routes())
    assert routes - set(MATRIX) == set(), "new community routes need an entry in MATRIX"
    assert set(MATRIX) - routes == set(), "MATRIX names routes that no longer exist"


@dataclass
class Scene:
    people: Personas
    owner: Member
    members: dict[str, Member]
    post: Post
    comment: Comment
    picture: Picture
    topic: Topic
    notification: Notification
    watched_word: WatchedWord

    def client(self, role: str) -> Client:
        if role == "anonymous":
            return Client()
        if role == "administrator":
            return log_in(Client(), self.people.administrator)
        if role == "clinic_staff":
            return log_in(Client(), self.people.clinician)
        if role == "researcher":
            return log_in(Client(), self.people.researcher)
        return log_in(Client(), self.members[role].user)

    def argument(self, name: str, about: Member | None = None) -> Any:
        values = {
            "post_id": self.post.pk,
            "comment_id": self.comment.pk,
            "picture_id": self.picture.pk,
            "notification_id": self.notification.pk,
            "member_id": (about or self.owner).pk,
            "topic_id": self.topic.pk,
            "slug": self.topic.slug,
            "topic": self.topic.slug,
            "token": unsubscribe_token(member_id=self.owner.pk, kind=NotificationKind.REPLY),
            "word_id": self.watched_word.pk,
        }
        return values[name]

    def url(self, route: str, parameters: list[str], about: Member | None = None) -> str:
        """The route's URL; pages about a member are about `about` (default: `owner`)."""
        return reverse(f"community:{route}", kwargs={name: self.argument(name, about) for name in parameters})


# What the family member has but did not choose to show, and what their child's record holds.
HIDDEN = {"sma_type": SmaType.TYPE_2, "age_band": AgeBand.AGE_30_49, "relation": Relation.PARENT}
HIDDEN_WORDS = ["Type 2", "30 to 49", "Parent or carer", "Zolgensma", "Ada", "HFMSE", "Northside"]
# The member's own profile form lists every SMA type, age band and relation as choices to pick from.
CHOICE_FORMS = {"profile_edit"}


def member_make(user: Any, name: str, **fields: Any) -> Member:
    return Member.objects.create(
        user=user,
        display_name=name,
        name_key=name.lower(),
        guidelines_version="1",
        guidelines_accepted_at=timezone.now(),
        **fields,
    )


@pytest.fixture(name="scene")
def scene_fixture(people: Personas) -> Scene:
    from smanav.accounts.services import user_create

    def account(name: str) -> Any:
        return user_create(
            username=name, email=f"{name}@example.org", password="correct horse battery staple"
        )

    owner = member_make(account("owner"), "Owner", trust_level=TrustLevel.TRUSTED)
    members = {
        "member": member_make(account("member"), "Mira", trust_level=TrustLevel.MEMBER),
        "blocked_member": member_make(account("blocked"), "Blake", trust_level=TrustLevel.MEMBER),
        "new_member": member_make(account("newbie"), "Nell"),
        "moderator": member_make(account("moderator"), "Moe", trust_level=TrustLevel.TRUSTED),
        # The parent of the personas (whose records hold Ada's): a member who shows none of it.
        "family": member_make(
            people.parent, "Fay", treatments=["Zolgensma"], show_treatments=False, **HIDDEN
        ),
    }
    Moderator.objects.create(member=members["moderator"])
    # Moderators pass a second factor before the moderators' pages (ADR 0020).
    totp_device_create(user=members["moderator"].user, confirmed=True, key=TOTP_KEY)
    watched_word = WatchedWord.objects.create(word="casino", action=WatchedWordAction.BLOCK)
    MemberLink.objects.create(member=owner, other=members["blocked_member"], kind=FollowKind.BLOCK)
    topic = Topic.objects.order_by("pk").first() or Topic.objects.create(slug="equipment", name="Equipment")
    picture = Picture.objects.create(
        owner=owner, content_type="image/png", data=b"\x89PNG", width=1, height=1, alt_text="A ramp"
    )
    post = Post.objects.create(
        author=owner,
        topic=topic,
        title="A ramp for the van",
        body="It fits.",
        picture=picture,
        submission_key="matrix-post",
    )
    comment = Comment.objects.create(
        post=post, author=members["family"], body="Lovely", submission_key="matrix-c"
    )
    notification = Notification.objects.create(
        recipient=owner, kind=NotificationKind.REPLY, post=post, comment=comment
    )
    return Scene(people, owner, members, post, comment, picture, topic, notification, watched_word)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(scene: Scene, role: str) -> None:
    if role in NOT_JOINED and "join" not in community_routes():
        pytest.skip("accounts that did not join are sent to community:join, which the members' part adds")
    client = scene.client(role)
    answers = {}
    for route, parameters in sorted(community_routes().items()):
        response = client.get(scene.url(route, parameters))
        answers[route] = response.status_code
        if response.status_code == 302 and role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login")), route
        elif response.status_code == 302 and role in NOT_JOINED:
            assert response["Location"] == reverse("community:join"), route
    expected = {
        route: for_a_researcher(MATRIX[route]) if role == "researcher" else MATRIX[route](role)
        for route in answers
    }
    assert answers == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "family", "moderator"])
def test_no_page_shows_a_record_registry_data_or_hidden_health_details(scene: Scene, role: str) -> None:
    client = scene.client(role)
    for route, parameters in sorted(community_routes().items()):
        response = client.get(scene.url(route, parameters))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/"):
            continue
        if route in CHOICE_FORMS:
            continue
        page = response.content.decode()
        assert not words_shown(page, HIDDEN_WORDS), route


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "moderator", "new_member"])
def test_pages_about_the_family_member_show_none_of_what_they_hid(scene: Scene, role: str) -> None:
    """Another member (a moderator too) reading pages about the family member: their profile and the
    like show no detail they kept hidden, nothing of their child's record."""
    client = scene.client(role)
    family = scene.members["family"]
    about_members = [
        (route, parameters) for route, parameters in community_routes().items() if "member_id" in parameters
    ]
    assert about_members, "the members' pages take a member_id"
    read_profile = False
    for route, parameters in sorted(about_members):
        response = client.get(scene.url(route, parameters, about=family))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/"):
            continue
        page = response.content.decode()
        if route == "member":
            assert "Fay" in page  # the profile was read, not a page about someone else
            read_profile = True
        assert not words_shown(page, HIDDEN_WORDS), route
    assert read_profile


def test_the_api_has_no_community_operation() -> None:
    """The JSON API under /api/v1/ serves records and lookups; none of its routes reads the community
    (a community API would need its own rows in this matrix)."""
    from smanav.api.router import api

    paths = [str(path) for path in api.get_openapi_schema()["paths"]]
    assert [path for path in paths if "community" in path] == []


def test_every_community_route_has_its_own_path() -> None:
    """Two routes on one path means the second can never answer (the home page and the feed did)."""

    def walk(patterns: list[Any], prefix: str, inside: bool) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(
                    entry.url_patterns, prefix + str(entry.pattern), inside or entry.namespace == "community"
                )
            elif isinstance(entry, URLPattern) and inside:
                yield prefix + str(entry.pattern), str(entry.name)

    seen: dict[str, list[str]] = {}
    for path, name in walk(get_resolver().url_patterns, "", False):
        seen.setdefault(path, []).append(name)
    assert {path: names for path, names in seen.items() if len(names) > 1} == {}
    assert "feed" in seen["community/latest/"]
