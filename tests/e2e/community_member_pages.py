"""The community members' pages for the every-page checks (tests/e2e/test_every_page.py): the cases, the
routes that are no pages, and what the seed adds. The parent is a member (made by the conversation's
seed, or here), trusted, on the welcoming committee, with members like me on; the adult is another
member whose profile the parent opens; the library reviewer is an account that has not joined."""

from __future__ import annotations

from typing import Any

from smanav.community.models import TrustLevel
from smanav.community.services.members import member_join, member_settings_update


def seed_members(people: Any) -> dict[str, str]:
    # Joining answers the member an account already is.
    parent = member_join(user=people.parent, display_name="Maria", accepted_guidelines=True)
    parent.trust_level = TrustLevel.TRUSTED
    parent.save(update_fields=["trust_level"])
    member_settings_update(
        member=parent, matching_opt_in=True, is_welcomer=True, remove_posts_on_leaving=False
    )
    other = member_join(user=people.adult, display_name="Sam", accepted_guidelines=True)
    return {"member": str(other.pk)}


def _submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=button, exact=True).click()


def _submit_empty(button: str) -> Any:
    return lambda page: _submit(page, button)


def _no_display_name(page: Any) -> None:
    page.get_by_label("Display name", exact=True).fill("")
    _submit(page, "Save my profile")


NOT_PAGES = {
    "community/me/": "a redirect to my own profile (visited as community/members/<int:member_id>/)",
    "community/me/export/": "a JSON download (tests/web/community/test_members_leaving.py)",
    "community/members/<int:member_id>/link/": "POST only: the Follow, Mute and Block buttons of a profile",
    "community/welcome/<int:member_id>/": "POST only: the Send my welcome buttons of the welcome queue",
    # The conversation's picture route (an image; its alt text is checked on the pages that show it).
    "community/pictures/<int:picture_id>/": "an image: a member's photo or a post's picture",
}


def pages(page_type: Any) -> list[Any]:
    """The cases, made with the every-page module's `Page` (id, persona, path, shows, act, status)."""
    member = "/community/members/{member}/"
    return [
        page_type("community-home", "anonymous", "/community/", "Only members read what members write"),
        page_type("community-home-member", "parent", "/community/", "Latest in the community"),
        page_type("community-guidelines", "anonymous", "/community/guidelines/", "not medical advice"),
        page_type("community-join", "reviewer", "/community/join/", "Choose the name other members will see"),
        page_type(
            "community-join-problems",
            "reviewer",
            "/community/join/",
            "Enter a display name",
            _submit_empty("Join the community"),
            422,
        ),
        page_type("community-profile", "parent", member, "You and this member"),
        page_type("community-profile-edit", "parent", "/community/me/profile/", "Show this on my profile"),
        page_type(
            "community-profile-edit-problems",
            "parent",
            "/community/me/profile/",
            "Enter a display name",
            _no_display_name,
            422,
        ),
        page_type("community-photo", "parent", "/community/me/photo/", "What the photo shows"),
        page_type(
            "community-photo-problems",
            "parent",
            "/community/me/photo/",
            "Choose a photo",
            _submit_empty("Save my photo"),
            422,
        ),
        page_type("community-settings", "parent", "/community/me/settings/", "I volunteer for the welcoming"),
        page_type("community-links", "parent", "/community/me/members/", "You have not blocked anyone"),
        page_type("community-like-me", "parent", "/community/members-like-me/", "Members like me"),
        page_type("community-welcome", "parent", "/community/welcome/", "Your welcome to Sam"),
        page_type("community-leave", "parent", "/community/me/leave/", "Download my community data"),
        page_type(
            "community-leave-problems",
            "parent",
            "/community/me/leave/",
            "Tick the box to confirm",
            _submit_empty("Leave the community"),
            422,
        ),
    ]
