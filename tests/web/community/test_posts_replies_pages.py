"""A post's replies, 50 a page: every reply reachable by the "More replies" links (plain links, no
script), each once and in the same order, a link to a reply opening the page that holds it, threads
that cross a page saying whom they answer, and the same few queries a page however many replies."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.web.community.post_members import a_topic, make_member, signed_in_client

from smanav.community.models import Comment, Member, Post, Status
from smanav.community.selectors.conversation import REPLIES_PAGE_SIZE, Thread, conversation_for
from smanav.community.services.posts import post_create

pytestmark = pytest.mark.django_db

MORE = re.compile(r'href="(/community/posts/\d+/\?after=[^"#]+)#replies-heading">More replies')
EARLIER = re.compile(r'href="(/community/posts/\d+/(?:\?after=[^"#]+)?)#replies-heading">Earlier replies')


def a_post(author: Member) -> Post:
    return post_create(
        author=author, topic=a_topic(), title="Night ventilation", body="Masks?", submission_key="p"
    ).post


def replies(post: Post, author: Member, n: int, *, first: int = 0, ties: bool = True) -> list[Comment]:
    """`n` replies a minute apart; with `ties`, every fourth shares its time with the one before (the id
    then decides the order)."""
    start = timezone.now() - dt.timedelta(days=2)
    made = Comment.objects.bulk_create(
        Comment(
            post=post,
            author=author,
            body=f"Reply {i}",
            body_html=f"<p>Reply {i}</p>",
            submission_key=f"r{i}",
            created_at=start + dt.timedelta(minutes=i - (ties and i % 4 == 3)),
        )
        for i in range(first, first + n)
    )
    return made


def in_order(post: Post) -> list[int]:
    return list(Comment.objects.filter(post=post).order_by("created_at", "id").values_list("id", flat=True))


def shown(threads: list[Thread]) -> list[int]:
    """The replies of a page in the order they are read (each thread, then its replies)."""
    ids: list[int] = []
    for node in threads:
        ids += [node.comment.pk, *shown(node.replies)]
    return ids


def walk(client, post: Post) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """Every page of the post's replies, following the "More replies" link of each page's HTML."""
    pages, url = [], f"/community/posts/{post.pk}/"
    while True:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(shown(response.context["conversation"].threads))
        more = MORE.search(response.content.decode())
        if more is None:
            assert response.context["conversation"].next_cursor is None
            return pages
        url = more.group(1)


def test_the_more_replies_links_reach_every_reply_once_in_order() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    replies(post, ben, 2 * REPLIES_PAGE_SIZE + 7)
    client = signed_in_client(ana)
    pages = walk(client, post)
    assert [len(p) for p in pages] == [REPLIES_PAGE_SIZE, REPLIES_PAGE_SIZE, 7]
    everything = [i for page in pages for i in page]
    assert everything == in_order(post)  # none lost, none twice, oldest first
    assert walk(client, post) == pages  # the same pages every time
    page = client.get(f"/community/posts/{post.pk}/").content.decode()
    assert "107 replies" in page and "Replies 1 to 50 of 107, oldest first." in page
    assert "More replies, from reply 51" in page
    assert "Reply 50" not in page and "Reply 49" in page


def test_the_earlier_replies_link_goes_back_a_page() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    replies(post, ben, 3 * REPLIES_PAGE_SIZE + 1)
    client = signed_in_client(ana)
    url, seen = f"/community/posts/{post.pk}/", []
    for _ in range(3):
        response = client.get(url)
        seen.append(response.context["conversation"].first_number)
        url = MORE.search(response.content.decode()).group(1)  # type: ignore[union-attr]
    last = client.get(url)
    assert last.context["conversation"].first_number == 151
    assert seen == [1, 51, 101]
    back = EARLIER.search(last.content.decode())
    assert back is not None
    assert client.get(back.group(1)).context["conversation"].first_number == 101
    second = client.get(f"/community/posts/{post.pk}/?reply={in_order(post)[60]}")
    first = EARLIER.search(second.content.decode())
    assert first is not None and first.group(1) == f"/community/posts/{post.pk}/"
    assert EARLIER.search(client.get(first.group(1)).content.decode()) is None


def test_a_link_to_a_reply_opens_the_page_that_holds_it() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    replies(post, ben, 2 * REPLIES_PAGE_SIZE + 7)
    client = signed_in_client(ana)
    pages = walk(client, post)
    ids = in_order(post)
    for index in (0, 49, 50, 51, 99, 100, 106):
        response = client.get(f"/community/posts/{post.pk}/", {"reply": ids[index]})
        on_page = shown(response.context["conversation"].threads)
        assert on_page == pages[index // REPLIES_PAGE_SIZE]
        assert f'id="reply-{ids[index]}"'.encode() in response.content


def test_where_replying_reacting_and_notifying_lead_is_the_replys_page() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    replies(post, ben, REPLIES_PAGE_SIZE + 5)
    client = signed_in_client(ben)
    page = client.get(f"/community/posts/{post.pk}/")
    key = page.context["reply_form"].initial["submission_key"]
    response = client.post(
        f"/community/posts/{post.pk}/reply/", {"body": "The newest", "submission_key": key}
    )
    newest = Comment.objects.get(body="The newest")
    assert response["Location"] == f"/community/posts/{post.pk}/?reply={newest.pk}#reply-{newest.pk}"
    landed = client.get(response["Location"].partition("#")[0])
    assert newest.pk in shown(landed.context["conversation"].threads)
    assert landed.context["conversation"].first_number == 51
    response = signed_in_client(ana).post(
        f"/community/posts/{post.pk}/react/", {"kind": "hug", "comment": newest.pk}
    )
    assert response["Location"] == f"/community/posts/{post.pk}/?reply={newest.pk}#reply-{newest.pk}"


def test_a_thread_that_crosses_a_page_says_whom_it_answers() -> None:
    ana, ben, cai = make_member("Ana"), make_member("Ben"), make_member("Cai")
    post = a_post(ana)
    first = replies(post, ben, REPLIES_PAGE_SIZE, ties=False)
    answer = Comment.objects.create(
        post=post,
        parent=first[3],
        author=cai,
        body="Late answer",
        body_html="<p>Late answer</p>",
        submission_key="late",
    )
    near = Comment.objects.create(
        post=post, parent=answer, author=ana, body="Thanks", body_html="<p>Thanks</p>", submission_key="near"
    )
    client = signed_in_client(ana)
    response = client.get(f"/community/posts/{post.pk}/", {"reply": answer.pk})
    threads = response.context["conversation"].threads
    # Its parent is on page 1: it starts a thread here, with the reply to it nested under it.
    assert [t.comment.pk for t in threads] == [answer.pk]
    assert threads[0].answers_elsewhere and threads[0].answers_name == "Ben"
    assert [t.comment.pk for t in threads[0].replies] == [near.pk]
    link = f'href="/community/posts/{post.pk}/?reply={first[3].pk}#reply-{first[3].pk}">In reply to Ben'
    assert link.encode() in response.content
    # And the first page says, under the reply, that it was answered on a later page.
    first_page = client.get(f"/community/posts/{post.pk}/")
    parent = next(t for t in first_page.context["conversation"].threads if t.comment.pk == first[3].pk)
    assert (parent.later_count, parent.later_first_id) == (1, answer.pk)  # its reply's reply is not counted
    later = f'href="/community/posts/{post.pk}/?reply={answer.pk}#reply-{answer.pk}">1 more reply to this'
    assert later.encode() in first_page.content
    # Once the parent's author is blocked, the reply says it answers a reply that is not shown.
    from smanav.community.models import FollowKind, MemberLink

    MemberLink.objects.create(member=ana, other=ben, kind=FollowKind.BLOCK)
    response = client.get(f"/community/posts/{post.pk}/", {"reply": answer.pk})
    assert b"In reply to an earlier reply" in response.content and b"In reply to Ben" not in response.content


def test_others_replies_waiting_for_a_moderator_take_no_place_on_the_pages() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    made = replies(post, ben, REPLIES_PAGE_SIZE + 2, ties=False)
    Comment.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(status=Status.PENDING)
    Comment.objects.filter(pk=made[2].pk).update(status=Status.HIDDEN)
    for_ana = conversation_for(member=ana, post=post)
    assert for_ana.count == REPLIES_PAGE_SIZE and for_ana.next_cursor is None
    assert shown(for_ana.threads)[0] == made[2].pk  # hidden: keeps its place without its text
    for_ben = conversation_for(member=ben, post=post)  # his own are there for him
    assert for_ben.count == REPLIES_PAGE_SIZE + 2 and for_ben.next_cursor is not None
    assert (
        signed_in_client(ana)
        .get(f"/community/posts/{post.pk}/", {"reply": made[0].pk})
        .context["conversation"]
        .first_number
        == 1
    )


@pytest.mark.parametrize(
    "query",
    ["?after=nonsense", "?after=1e400_3", "?reply=999999999", "?reply=-1", "?reply=x", "?reply=%C2%B2"],
)
def test_a_bad_cursor_or_reply_opens_the_first_page(query: str) -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    replies(post, ben, 3)
    response = signed_in_client(ana).get(f"/community/posts/{post.pk}/{query}")
    assert response.status_code == 200
    assert len(shown(response.context["conversation"].threads)) == 3


def test_another_posts_reply_does_not_open_its_page_here() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post, other = (
        a_post(ana),
        post_create(author=ben, topic=a_topic(), title="Other", body="x", submission_key="o").post,
    )
    replies(post, ben, REPLIES_PAGE_SIZE + 1)
    theirs = Comment.objects.create(
        post=other, author=ben, body="elsewhere", body_html="", submission_key="e"
    )
    response = signed_in_client(ana).get(f"/community/posts/{post.pk}/", {"reply": theirs.pk})
    assert response.context["conversation"].first_number == 1 and b"elsewhere" not in response.content


def test_every_kind_of_page_costs_the_same_queries_for_60_or_300_replies() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    client = signed_in_client(ana)

    def counts() -> list[int]:
        ids = in_order(post)
        second = MORE.search(client.get(f"/community/posts/{post.pk}/").content.decode())
        assert second is not None
        urls = [
            f"/community/posts/{post.pk}/",
            second.group(1),
            f"/community/posts/{post.pk}/?reply={ids[55]}",
        ]
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    replies(post, ben, 60)
    client.get(f"/community/posts/{post.pk}/")
    few = counts()
    replies(post, ben, 240, first=60)
    assert counts() == few
    assert "OFFSET" not in " ".join(q["sql"] for q in captured_post_page(client, post)).upper()


def captured_post_page(client, post: Post) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/community/posts/{post.pk}/", {"reply": in_order(post)[-1]})
    return captured.captured_queries


def test_marking_an_answer_with_a_digit_that_is_no_number_changes_nothing() -> None:
    ana, ben = make_member("Ana"), make_member("Ben")
    post = a_post(ana)
    Post.objects.filter(pk=post.pk).update(kind="question")
    replies(post, ben, 1)
    response = signed_in_client(ana).post(f"/community/posts/{post.pk}/answer/", {"comment": "²"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.accepted_answer is None
