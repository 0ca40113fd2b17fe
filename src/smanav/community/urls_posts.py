"""The conversation's pages: the feed, topics, posts, replies, reactions, questions, drafts, search and
pictures."""

from __future__ import annotations

from django.urls import path

from smanav.community.views import posts as views

urlpatterns = [
    path("pictures/<int:picture_id>/", views.picture_show, name="picture"),
]
