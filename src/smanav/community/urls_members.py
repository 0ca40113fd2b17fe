"""The members' pages of the community: joining, the guidelines, profiles, blocks and mutes, the
welcoming committee, members like me, exporting my data and leaving."""

from django.urls import path

from smanav.community.views import members as views

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("me/", views.me, name="me"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/photo/", views.photo_edit, name="photo_edit"),
    path("me/settings/", views.settings, name="settings"),
    path("me/members/", views.links, name="links"),
    path("me/export/", views.export, name="export"),
    path("me/leave/", views.leave, name="leave"),
    path("members/<int:member_id>/", views.member_detail, name="member"),
    path("members/<int:member_id>/link/", views.member_link, name="member_link"),
    path("members-like-me/", views.like_me, name="like_me"),
    path("welcome/", views.welcome_queue, name="welcome_queue"),
    path("welcome/<int:member_id>/", views.welcome, name="welcome"),
]
