from django.urls import path

from smanav.patients import acknowledgement_views, views

app_name = "patients"

urlpatterns = [
    path("records/", views.dashboard, name="dashboard"),
    path("records/new/", views.patient_new, name="new"),
    path("records/<int:patient_id>/", views.patient_detail, name="detail"),
    path(
        "records/<int:patient_id>/alerts/<str:fingerprint>/acknowledge/",
        acknowledgement_views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("records/<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("records/<int:patient_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path(
        "records/<int:patient_id>/assessments/<int:assessment_id>/delete/",
        views.assessment_delete,
        name="assessment_delete",
    ),
    path("records/<int:patient_id>/treatments/new/", views.treatment_new, name="treatment_new"),
    path(
        "records/<int:patient_id>/treatments/<int:treatment_id>/end/",
        views.treatment_end,
        name="treatment_end",
    ),
    path(
        "records/<int:patient_id>/treatments/<int:treatment_id>/regimen/",
        views.treatment_regimen,
        name="treatment_regimen",
    ),
    path(
        "records/<int:patient_id>/treatments/<int:treatment_id>/doses/new/", views.dose_new, name="dose_new"
    ),
    path("records/<int:patient_id>/doses/<int:dose_id>/delete/", views.dose_delete, name="dose_delete"),
    path("records/<int:patient_id>/lab-tests/new/", views.lab_tests_new, name="lab_tests_new"),
    path(
        "records/<int:patient_id>/lab-tests/<int:lab_test_id>/delete/",
        views.lab_test_delete,
        name="lab_test_delete",
    ),
    path("records/<int:patient_id>/history/", views.patient_history, name="history"),
    path("records/<int:patient_id>/history/<int:version>/", views.patient_version, name="version"),
    path("records/<int:patient_id>/sharing/", views.patient_sharing, name="sharing"),
    path(
        "records/<int:patient_id>/sharing/<int:share_id>/withdraw/",
        views.patient_share_withdraw,
        name="share_withdraw",
    ),
    path("clinic/", views.worklist, name="worklist"),
]
