"""The conversation's pages: the feed, topics, posts, replies, reactions, questions, drafts, search and
pictures."""

from __future__ import annotations

from django.urls import path

from smanav.community.views import posts as views

urlpatterns = [
    # The feed's own address; the community's home ("", `urls_members`) shows the same feed to members.
    path("latest/", views.feed_page, name="feed"),
    path("search/", views.search_page, name="search"),
    path("write/", views.post_write, name="write"),
    path("drafts/save/", views.draft_autosave, name="draft_save"),
    path("topics/<slug:slug>/", views.topic_page, name="topic"),
    path("topics/<slug:slug>/follow/", views.topic_follow, name="topic_follow"),
    path("posts/<int:post_id>/", views.post_page, name="post"),
    path("posts/<int:post_id>/reply/", views.reply_write, name="reply"),
    path("posts/<int:post_id>/reply/<int:comment_id>/", views.reply_write, name="reply_to"),
    path("posts/<int:post_id>/react/", views.reaction_post, name="react"),
    path("posts/<int:post_id>/answer/", views.answer_choose, name="answer"),
    path("pictures/<int:picture_id>/", views.picture_show, name="picture"),
]
