"""Posts, replies, reactions and questions: written through the services and the pages, saved once,
sanitised, screened, and answered by the asker."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community import screening
from smanav.community.models import Comment, Draft, Picture, Post, PostKind, Reaction, ReactionKind, Status
from smanav.community.screening import Screening
from smanav.community.services.comments import answer_accept, comment_create
from smanav.community.services.posts import SubmissionRefused, post_create
from smanav.community.services.reactions import reaction_toggle

pytestmark = pytest.mark.django_db


def write(author, *, key="k1", title="Our new chair", body="It *tilts*.", **kwargs):  # type: ignore[no-untyped-def]
    return post_create(author=author, topic=a_topic(), title=title, body=body, submission_key=key, **kwargs)


def test_a_post_is_published_with_its_markdown_rendered() -> None:
    ana = make_member("Ana")
    submitted = write(ana)
    assert submitted.created
    post = Post.objects.get()
    assert post.status == Status.PUBLISHED
    assert post.body_html == "<p>It <em>tilts</em>.</p>\n"


def test_no_raw_html_or_script_survives() -> None:
    ana = make_member("Ana")
    body = "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](https://example.org)"
    post = write(ana, body=body).post
    assert "<script" not in post.body_html and "<img" not in post.body_html
    assert "javascript:" not in post.body_html.split("[click]")[0]
    assert 'href="javascript' not in post.body_html
    assert '<a href="https://example.org" rel="nofollow ugc noopener noreferrer">ok</a>' in post.body_html


def test_the_same_submission_twice_is_saved_once() -> None:
    ana = make_member("Ana")
    first = write(ana)
    second = write(ana)
    assert not second.created and second.post == first.post
    assert Post.objects.count() == 1


def test_a_post_needs_text_or_a_picture() -> None:
    ana = make_member("Ana")
    with pytest.raises(SubmissionRefused) as refused:
        write(ana, body="   ")
    assert refused.value.field == "body"
    picture = Picture.objects.create(
        owner=ana, content_type="image/jpeg", data=b"x", width=1, height=1, alt_text="A"
    )
    assert write(ana, body="", picture=picture).post.picture == picture


def test_a_picture_of_someone_else_cannot_be_used() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    picture = Picture.objects.create(
        owner=ben, content_type="image/jpeg", data=b"x", width=1, height=1, alt_text="A"
    )
    with pytest.raises(SubmissionRefused):
        write(ana, body="", picture=picture)
    assert not Post.objects.exists()


def test_screening_holds_or_refuses_a_post(monkeypatch: pytest.MonkeyPatch) -> None:
    ana = make_member("Ana")
    monkeypatch.setattr(
        screening,
        "screen_submission",
        lambda **_: Screening(status=Status.PENDING, message="A moderator will look."),
    )
    held = write(ana)
    assert held.post.status == Status.PENDING and held.message == "A moderator will look."
    monkeypatch.setattr(
        screening, "screen_submission", lambda **_: Screening(status=None, message="Not allowed.")
    )
    with pytest.raises(SubmissionRefused, match="Not allowed"):
        write(ana, key="k2")
    assert Post.objects.count() == 1


def test_replies_thread_and_count_and_are_saved_once() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = write(ana).post
    first = comment_create(author=ben, post=post, body="Lovely!", submission_key="r1").comment
    comment_create(author=ben, post=post, body="Lovely!", submission_key="r1")
    answer = comment_create(
        author=ana, post=post, parent=first, body="Thank you", submission_key="r2"
    ).comment
    assert answer.parent == first
    post.refresh_from_db()
    assert post.comment_count == 2
    assert Comment.objects.count() == 2


def test_a_reply_to_another_posts_comment_is_refused() -> None:
    ana = make_member("Ana")
    one, two = write(ana).post, write(ana, key="k2", body="A second post, not the same text.").post
    elsewhere = comment_create(author=ana, post=two, body="Hi", submission_key="r1").comment
    with pytest.raises(SubmissionRefused):
        comment_create(author=ana, post=one, parent=elsewhere, body="Hi", submission_key="r2")


def test_a_reaction_toggles_and_keeps_the_count() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = write(ana).post
    assert reaction_toggle(member=ben, post=post, kind=ReactionKind.HUG)
    assert reaction_toggle(member=ben, post=post, kind=ReactionKind.HELPFUL)
    post.refresh_from_db()
    assert post.reaction_count == 2
    assert not reaction_toggle(member=ben, post=post, kind=ReactionKind.HUG)
    post.refresh_from_db()
    assert post.reaction_count == 1
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["helpful"]


def test_only_the_asker_accepts_an_answer() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    question = write(ana, kind=PostKind.QUESTION, title="Which cough assist?").post
    reply = comment_create(author=ben, post=question, body="The one with a mask", submission_key="r1").comment
    with pytest.raises(SubmissionRefused):
        answer_accept(member=ben, post=question, comment=reply)
    answer_accept(member=ana, post=question, comment=reply)
    question.refresh_from_db()
    assert question.accepted_answer == reply


def test_a_silenced_member_cannot_write() -> None:
    import datetime as dt

    from django.utils import timezone

    ana = make_member("Ana")
    ana.silenced_until = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(SubmissionRefused, match="paused"):
        write(ana)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_the_composer_publishes_a_post_with_a_picture_and_removes_the_draft() -> None:
    ana = make_member("Ana")
    client = signed_in_client(ana)
    page = client.get("/community/write/")
    assert page.status_code == 200
    key = page.context["form"].initial["submission_key"]
    form = {
        "topic": a_topic().pk,
        "kind": "discussion",
        "title": "At the park",
        "body": "",
        "alt_text": "Ana's chair on the grass",
        "submission_key": key,
        "publish": "",
    }
    response = client.post("/community/write/", {**form, "picture": SimpleUploadedFile("p.jpg", jpeg())})
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/community/posts/{post.pk}/"
    assert post.picture is not None and post.picture.alt_text == "Ana's chair on the grass"
    assert not Draft.objects.exists()
    # Pressed twice (a slow connection): still one post.
    client.post("/community/write/", form)
    assert Post.objects.count() == 1
    page = client.get(f"/community/posts/{post.pk}/")
    assert b"Ana&#x27;s chair on the grass" in page.content


def test_the_composer_names_the_field_of_a_refused_picture_and_stores_nothing() -> None:
    ana = make_member("Ana")
    client = signed_in_client(ana)
    form = {"topic": a_topic().pk, "title": "A list", "body": "", "alt_text": "list", "submission_key": "x"}
    response = client.post(
        "/community/write/", {**form, "picture": SimpleUploadedFile("a.png", b"not a picture")}
    )
    assert response.status_code == 422
    assert "not a picture we can read" in response.context["form"].errors["picture"][0]
    assert not Post.objects.exists() and not Picture.objects.exists()


def test_the_post_page_shows_threaded_replies_and_reactions_work_without_javascript() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = write(ana, kind=PostKind.QUESTION).post
    client = signed_in_client(ben)
    page = client.get(f"/community/posts/{post.pk}/")
    key = page.context["reply_form"].initial["submission_key"]
    response = client.post(
        f"/community/posts/{post.pk}/reply/", {"body": "Try **this**", "submission_key": key}
    )
    comment = Comment.objects.get()
    assert response["Location"].endswith(f"#reply-{comment.pk}")
    reply_page = client.get(f"/community/posts/{post.pk}/reply/{comment.pk}/")
    key2 = reply_page.context["form"].initial["submission_key"]
    client.post(
        f"/community/posts/{post.pk}/reply/{comment.pk}/", {"body": "And more", "submission_key": key2}
    )
    client.post(f"/community/posts/{post.pk}/react/", {"kind": "hug", "comment": comment.pk})
    page = signed_in_client(ana).get(f"/community/posts/{post.pk}/")
    threads = page.context["conversation"].threads
    assert [t.comment.body for t in threads] == ["Try **this**"]
    assert [t.comment.body for t in threads[0].replies] == ["And more"]
    assert b"<strong>this</strong>" in page.content
    assert b"Mark as the answer" in page.content
    signed_in_client(ana).post(f"/community/posts/{post.pk}/answer/", {"comment": comment.pk})
    post.refresh_from_db()
    assert post.accepted_answer == comment
    page = client.get(f"/community/posts/{post.pk}/")
    answer = f"/community/posts/{post.pk}/?reply={comment.pk}#reply-{comment.pk}"
    assert f'href="{answer}">Go to the answer the asker accepted'.encode() in page.content
    assert b"Mark as the answer" not in page.content  # only the asker may choose


def test_publishing_an_empty_composer_names_the_text_and_saves_no_draft() -> None:
    client = signed_in_client(make_member("Ana"))
    response = client.post("/community/write/", {"topic": a_topic().pk, "submission_key": "k", "publish": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["body"] == ["Write some text, add a picture, or both."]
    assert not Draft.objects.exists() and not Post.objects.exists()
