from django.urls import path

from smanav.registry import views

app_name = "registry"

urlpatterns = [
    path("records/<int:patient_id>/consent/", views.consent_page, name="consent"),
    path("records/<int:patient_id>/consent/give/", views.consent_give, name="consent_give"),
    path("records/<int:patient_id>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("records/<int:patient_id>/consent/review/", views.consent_review, name="consent_review"),
]
