from django.urls import path

from smanav.library import views

app_name = "library"

urlpatterns = [
    path("library/", views.index, name="index"),
    path("library/feed.atom", views.feed, name="feed"),
    path("library/review/", views.review_queue, name="review_queue"),
    path("library/review/<slug:slug>/", views.review_article, name="review_article"),
    path("library/<slug:slug>/", views.article, name="article"),
]
