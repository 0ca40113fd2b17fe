from django.urls import path

from smanav.careplans import views

app_name = "careplans"

urlpatterns = [
    path("records/<int:patient_id>/charts/<str:instrument>.svg", views.chart, name="chart"),
    path("records/<int:patient_id>/care-plan.pdf", views.pdf, name="pdf"),
    path("records/<int:patient_id>/care-plan.fhir.json", views.fhir, name="fhir"),
    path("records/<int:patient_id>/data-download/", views.record_data_download, name="record_data_download"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
]
