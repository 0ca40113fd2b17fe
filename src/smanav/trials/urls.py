from django.urls import path

from smanav.trials import views

urlpatterns = [
    path("trials/", views.trials_page, name="trials"),
]
