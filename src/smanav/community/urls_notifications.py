"""The notification pages: the inbox, the preferences, and the unsubscribe link of the e-mails."""

from __future__ import annotations

from django.urls import path

from smanav.community.views import notifications as views

urlpatterns = [
    path("notifications/", views.inbox, name="notifications"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/settings/", views.preferences, name="notification_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
