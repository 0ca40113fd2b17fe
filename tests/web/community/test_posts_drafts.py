"""Drafts saved on the server as a member types: by the composer's script and by the "Save draft"
button, back when the member returns (after a time-out too), gone once published."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community.models import Draft, Picture, Post

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


def _jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 140, 90)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_picture_chosen_in_the_composer_is_kept_with_the_draft_checked_and_published() -> None:
    ana = make_member("Ana")
    client = signed_in_client(ana)
    fields = {"place": "post", "title": "Our ramp", "body": "", "topic": a_topic().pk}
    undescribed = client.post(
        "/community/drafts/save/", {**fields, "picture": SimpleUploadedFile("r.jpg", _jpeg_with_location())}
    )
    assert undescribed.status_code == 422 and b"Describe" in undescribed.content
    assert not Picture.objects.exists()
    kept = client.post(
        "/community/drafts/save/",
        {**fields, "alt_text": "A ramp", "picture": SimpleUploadedFile("r.jpg", _jpeg_with_location())},
    )
    assert kept.status_code == 200
    draft = Draft.objects.get()
    assert draft.picture is not None and draft.picture.alt_text == "A ramp"
    assert not Image.open(io.BytesIO(bytes(draft.picture.data))).getexif().get_ifd(0x8825)
    # The tab closed; another day the composer shows the picture, and publishing uses it.
    page = signed_in_client(ana).get("/community/write/").content.decode()
    assert "Your picture: “A ramp”" in page
    signed_in_client(ana).post(
        "/community/write/",
        {
            "topic": a_topic().pk,
            "title": "Our ramp",
            "body": "",
            "kind": "discussion",
            "submission_key": "k1",
        },
    )
    assert Post.objects.get().picture_id == draft.picture_id


def test_a_second_picture_replaces_the_first_which_is_not_kept() -> None:

    client = signed_in_client(make_member("Ana"))
    for name in ("first.jpg", "second.jpg"):
        upload = SimpleUploadedFile(name, _jpeg_with_location())
        response = client.post(
            "/community/drafts/save/", {"place": "post", "alt_text": name, "picture": upload}
        )
        assert response.status_code == 200
    assert list(Picture.objects.values_list("alt_text", flat=True)) == ["second.jpg"]
    assert Draft.objects.get().picture.alt_text == "second.jpg"


def test_a_reply_draft_takes_no_picture() -> None:

    client = signed_in_client(make_member("Ana"))
    upload = SimpleUploadedFile("a.jpg", _jpeg_with_location())
    response = client.post(
        "/community/drafts/save/", {"place": "reply:1", "alt_text": "A", "picture": upload}
    )
    assert response.status_code == 422 and not Picture.objects.exists()
