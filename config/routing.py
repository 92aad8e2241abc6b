"""WebSocket routes. Each app that speaks WebSocket adds its patterns here."""

websocket_urlpatterns: list = []
