"""The community's pages, all under /community/. Each part of the community keeps its own list of
routes (members, conversation, moderation, notifications) so that they grow apart."""

from django.urls import include, path

app_name = "community"

urlpatterns: list[object] = [
    path("", include("smanav.community.urls_members")),
]
