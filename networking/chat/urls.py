from django.urls import path

from networking.chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.index, name="index"),
    path("chat/conversations/", views.conversations, name="conversations"),
    path("chat/rooms/<int:pk>/", views.room, name="room"),
    path("chat/rooms/<int:pk>/send/", views.send, name="send"),
    path("chat/dm/<int:user_id>/", views.direct, name="direct"),
    path("chat/messages/<int:pk>/report/", views.report, name="report"),
    path("chat/manage/events/<slug:slug>/reports/", views.reports, name="reports"),
    path("chat/manage/events/<slug:slug>/mutes/", views.mutes, name="mutes"),
    path(
        "chat/manage/events/<slug:slug>/reports/<int:pk>/dismiss/",
        views.report_dismiss,
        name="report_dismiss",
    ),
    path(
        "chat/manage/events/<slug:slug>/messages/<int:pk>/remove/",
        views.message_remove,
        name="message_remove",
    ),
    path("chat/manage/events/<slug:slug>/mute/<int:user_id>/", views.mute, name="mute"),
    path("chat/manage/events/<slug:slug>/unmute/<int:user_id>/", views.unmute, name="unmute"),
    path("chat/manage/private-reports/", views.private_reports, name="private_reports"),
    path(
        "chat/manage/private-reports/<int:pk>/dismiss/",
        views.private_report_dismiss,
        name="private_report_dismiss",
    ),
    path(
        "chat/manage/private-reports/<int:pk>/remove/",
        views.private_message_remove,
        name="private_message_remove",
    ),
]
