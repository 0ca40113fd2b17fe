from django.urls import path

from smanav.registry import dashboard_views, report_views, views

app_name = "registry"

urlpatterns = [
    path("registry/dashboard/", dashboard_views.dashboard_page, name="cohort_dashboard"),
    path("registry/dashboard/time-to-event.svg", dashboard_views.survival_chart, name="survival_chart"),
    path(
        "registry/dashboard/<str:instrument>-<str:by>.svg",
        dashboard_views.trajectory_chart,
        name="trajectory_chart",
    ),
    path("records/<int:patient_id>/consent/", views.consent_page, name="consent"),
    path("records/<int:patient_id>/consent/give/", views.consent_give, name="consent_give"),
    path("records/<int:patient_id>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("records/<int:patient_id>/consent/review/", views.consent_review, name="consent_review"),
    path("records/<int:patient_id>/registry/", report_views.registry_page, name="reported"),
    path("records/<int:patient_id>/registry/add/", report_views.report_add, name="report_add"),
    path(
        "records/<int:patient_id>/registry/<int:value_id>/remove/",
        report_views.report_remove,
        name="report_remove",
    ),
    path(
        "records/<int:patient_id>/registry/resolve/", report_views.conflict_resolve, name="conflict_resolve"
    ),
]
