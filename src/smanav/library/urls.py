from django.urls import path

from smanav.library import newsletter_views, views

app_name = "library"

urlpatterns = [
    path("library/", views.index, name="index"),
    path("library/feed.atom", views.feed, name="feed"),
    path("library/newsletter/", newsletter_views.subscribe, name="newsletter"),
    path("library/newsletter/confirm/<str:token>/", newsletter_views.confirm, name="newsletter_confirm"),
    path("library/newsletter/stop/<str:token>/", newsletter_views.unsubscribe, name="newsletter_unsubscribe"),
    path("library/review/", views.review_queue, name="review_queue"),
    path("library/review/<slug:slug>/", views.review_article, name="review_article"),
    path("library/<slug:slug>/", views.article, name="article"),
]
