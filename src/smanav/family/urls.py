from django.urls import path

from smanav.family import views

app_name = "family"

urlpatterns = [
    path("records/add/", views.record_add, name="start"),
    path("records/<int:patient_id>/carers/", views.carers, name="carers"),
    path(
        "records/<int:patient_id>/carers/<int:guardian_id>/remove/", views.carer_remove, name="carer_remove"
    ),
    path(
        "records/<int:patient_id>/invitations/<int:invitation_id>/withdraw/",
        views.carer_invitation_withdraw,
        name="carer_invitation_withdraw",
    ),
    path("carers/accept/<str:token>/", views.carer_accept, name="carer_accept"),
    path("accounts/delete/", views.account_delete, name="account_delete"),
]
