"""An author's changes to what they wrote: editing and removing a post or reply; and the history of
the earlier versions, for moderators."""

from __future__ import annotations

from django.urls import path

from smanav.community.views import editing as views

urlpatterns = [
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/remove/", views.post_remove, name="post_remove"),
    path("posts/<int:post_id>/history/", views.history, name="post_history"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/remove/", views.comment_remove, name="comment_remove"),
    path("comments/<int:comment_id>/history/", views.history, name="comment_history"),
]
