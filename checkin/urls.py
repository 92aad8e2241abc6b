from django.urls import path

from checkin import views

app_name = "checkin"

urlpatterns = [
    path("me/registrations/<str:code>/badge/", views.my_badge, name="badge"),
    path("manage/events/<slug:slug>/attendees/", views.attendees, name="attendees"),
    path(
        "manage/events/<slug:slug>/attendees/<str:code>/check/",
        views.manual_check_view,
        name="manual_check",
    ),
    path(
        "manage/events/<slug:slug>/attendees/<str:code>/reissue/",
        views.reissue_badge,
        name="reissue",
    ),
    path("manage/events/<slug:slug>/badges.pdf", views.badges_pdf, name="badges_pdf"),
    path("manage/events/<slug:slug>/badges/<str:code>.pdf", views.badges_pdf, name="badge_pdf"),
    path("manage/events/<slug:slug>/devices/", views.devices, name="devices"),
    path(
        "manage/events/<slug:slug>/devices/<int:pk>/setup/",
        views.device_setup,
        name="device_setup",
    ),
    path(
        "manage/events/<slug:slug>/devices/<int:pk>/revoke/",
        views.device_revoke_view,
        name="device_revoke",
    ),
    path("manage/events/<slug:slug>/live/", views.live, name="live"),
    path("manage/events/<slug:slug>/live.json", views.live_json, name="live_json"),
    path("scan/", views.scanner, name="scanner"),
    path("scan/pair/<str:code>/", views.pair, name="pair"),
    path("scan/sw.js", views.service_worker, name="service_worker"),
]
