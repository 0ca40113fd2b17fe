from django.urls import path

from smanav.careplans import views

app_name = "careplans"

urlpatterns = [
    path("records/<int:patient_id>/charts/<str:instrument>.svg", views.chart, name="chart"),
    path("records/<int:patient_id>/care-plan.pdf", views.pdf, name="pdf"),
    path("records/<int:patient_id>/care-plan.fhir.json", views.fhir, name="fhir"),
]
