from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Sign-in and sign-out signals write the audit trail; the SSO settings are checked.
        from portal import auth, checks  # noqa: F401
