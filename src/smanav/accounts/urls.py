from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from smanav.accounts import account_views, views

app_name = "accounts"

urlpatterns = [
    path("", account_views.account, name="account"),
    path("password/", account_views.password_change, name="password_change"),
    path("email/", account_views.email_change, name="email_change"),
    path("email/confirm/<str:token>/", account_views.email_confirm, name="email_confirm"),
    path("reminders/", account_views.reminders, name="reminders"),
    path("recovery-codes/", account_views.recovery_codes, name="recovery_codes"),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("clinics/", views.clinics, name="clinics"),
    path("clinics/staff/<int:membership_id>/decide/", views.staff_decide, name="staff_decide"),
    path("researchers/<int:grant_id>/decide/", views.researcher_decide, name="researcher_decide"),
    path("administrators/<int:grant_id>/decide/", views.administrator_decide, name="administrator_decide"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
