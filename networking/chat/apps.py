from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Chat lives inside networking/ (DESIGN.md layout) as its own app, so its
    models and migrations change apart from the directory's."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "networking.chat"
    label = "chat"
    verbose_name = "Chat"
