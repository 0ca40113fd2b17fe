"""Drafts saved on the server as a member types: by the composer's script and by the "Save draft"
button, back when the member returns (after a time-out too), gone once published."""

from __future__ import annotations

import pytest
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community.models import Draft, Post

pytestmark = pytest.mark.django_db


def test_the_script_saves_the_draft_and_it_comes_back_in_a_new_session() -> None:
    ana = make_member("Ana")
    client = signed_in_client(ana)
    response = client.post(
        "/community/drafts/save/",
        {
            "place": "post",
            "title": "Half a thought",
            "body": "We went to the",
            "topic": a_topic().pk,
            "kind": "question",
        },
    )
    assert response.status_code == 200
    draft = Draft.objects.get()
    assert (draft.title, draft.body, draft.kind) == ("Half a thought", "We went to the", "question")
    # Signed out (the session timed out); signed in again later, from another browser.
    client.logout()
    assert client.post("/community/drafts/save/", {"place": "post", "body": "lost?"}).status_code == 302
    page = signed_in_client(ana).get("/community/write/")
    assert page.context["form"].initial["body"] == "We went to the"
    assert b"We went to the" in page.content
    assert b"You have a post you have not finished" in signed_in_client(ana).get("/community/").content


def test_the_save_draft_button_works_without_javascript() -> None:
    ana = make_member("Ana")
    client = signed_in_client(ana)
    response = client.post(
        "/community/write/", {"title": "", "body": "Slowly, slowly", "submission_key": "k", "save_draft": ""}
    )
    assert response.status_code == 302
    assert Draft.objects.get().body == "Slowly, slowly"
    assert not Post.objects.exists()


def test_reply_drafts_are_kept_per_place_and_removed_when_published() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    client = signed_in_client(ana)
    client.post(
        "/community/write/",
        {"topic": a_topic().pk, "title": "Hello", "body": "Hi all", "submission_key": "k", "publish": ""},
    )
    post = Post.objects.get()
    ben_client = signed_in_client(ben)
    ben_client.post("/community/drafts/save/", {"place": f"reply:{post.pk}", "body": "Welcome"})
    page = ben_client.get(f"/community/posts/{post.pk}/")
    assert page.context["reply_form"].initial["body"] == "Welcome"
    ben_client.post(f"/community/posts/{post.pk}/reply/", {"body": "Welcome!", "submission_key": "r"})
    assert not Draft.objects.exists()


def test_a_draft_in_an_unknown_place_is_refused() -> None:
    ana = make_member("Ana")
    response = signed_in_client(ana).post("/community/drafts/save/", {"place": "somewhere", "body": "x"})
    assert response.status_code == 422
    assert not Draft.objects.exists()
