"""Account URLs. Django's auth views keep their default (un-namespaced) names,
which its password-reset email template expects."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import auth_views as throttled
from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/calendar/new/", views.calendar_token_create, name="calendar_token_create"),
    path(
        "profile/calendar/regenerate/",
        views.calendar_token_regenerate,
        name="calendar_token_regenerate",
    ),
    path(
        "profile/calendar/revoke/", views.calendar_token_revoke_view, name="calendar_token_revoke"
    ),
    path("login/", throttled.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", throttled.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
