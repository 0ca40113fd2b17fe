"""The community's pages, all under /community/. Each part of the community keeps its own list of
routes (members, conversation, moderation, notifications) so that they grow apart."""

from smanav.community import urls_editing, urls_members, urls_moderation, urls_notifications, urls_posts

app_name = "community"

urlpatterns: list[object] = [
    *urls_members.urlpatterns,
    *urls_posts.urlpatterns,
    *urls_editing.urlpatterns,
    *urls_notifications.urlpatterns,
    *urls_moderation.urlpatterns,
]
