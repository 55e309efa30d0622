from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API v1"

    def ready(self):
        # Signing out of the browser revokes the user's API tokens (api/tokens.py).
        from api import tokens  # noqa: F401
