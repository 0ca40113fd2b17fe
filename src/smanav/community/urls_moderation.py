"""Moderation's routes under /community/: the moderators' pages under moderation/, and the members'
reports, "what the sources say" links and the support lines page."""

from django.urls import path

from smanav.community.views import moderation as views

urlpatterns = [
    path("moderation/", views.queue, name="moderation_queue"),
    path("moderation/post/<int:post_id>/decide/", views.decide, name="moderation_decide_post"),
    path("moderation/comment/<int:comment_id>/decide/", views.decide, name="moderation_decide_comment"),
    path("moderation/members/<int:member_id>/", views.member_page, name="moderation_member"),
    path("moderation/members/<int:member_id>/trust/", views.trust_level, name="moderation_trust"),
    path("moderation/audit/", views.audit, name="moderation_audit"),
    path("moderation/watched-words/", views.watched_words, name="moderation_watched_words"),
    path(
        "moderation/watched-words/<int:word_id>/remove/",
        views.watched_word_remove,
        name="moderation_watched_word_remove",
    ),
    path("posts/<int:post_id>/report/", views.report, name="report_post"),
    path("comments/<int:comment_id>/report/", views.report, name="report_comment"),
    path("reported/", views.report_done, name="report_done"),
    path("posts/<int:post_id>/sources/", views.sources_link, name="sources_post"),
    path("comments/<int:comment_id>/sources/", views.sources_link, name="sources_comment"),
    path("support/", views.support, name="support_lines"),
]
