"""WebSocket routes. Each app that speaks WebSocket adds its patterns here."""

from django.urls import path

from checkin.consumers import LiveCheckinConsumer
from networking.chat.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/checkin/events/<int:event_id>/", LiveCheckinConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),
]
