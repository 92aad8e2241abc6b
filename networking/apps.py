from django.apps import AppConfig


class NetworkingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "networking"
    verbose_name = "Peer networking"
