from django.urls import path

from events import calendar_views, payment_views, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path(
        "events/<slug:slug>/sessions/<int:pk>/signup/",
        views.session_signup,
        name="session_signup",
    ),
    path("me/registrations/", views.my_registrations, name="my_registrations"),
    path(
        "me/registrations/<str:code>/cancel/",
        views.registration_cancel_view,
        name="registration_cancel",
    ),
    path("me/signups/<int:pk>/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("me/registrations/<str:code>/pay/", payment_views.pay, name="pay"),
    path(
        "me/registrations/<str:code>/payment/",
        payment_views.payment_return,
        name="payment_return",
    ),
    path("stripe/webhook/", payment_views.stripe_webhook, name="stripe_webhook"),
    path("manage/", views.organizer_home, name="organizer_home"),
    path("manage/events/<slug:slug>/", views.organizer_dashboard, name="dashboard"),
    # Calendars (.ics): a registration's file, an event's public feed, the personal feed.
    path(
        "me/registrations/<str:code>/calendar.ics",
        calendar_views.registration_ics,
        name="registration_calendar",
    ),
    path("events/<slug:slug>/calendar.ics", calendar_views.event_ics, name="event_calendar"),
    path("calendar/<str:token>.ics", calendar_views.personal_feed, name="calendar_feed"),
]
