from django.apps import AppConfig


class EpicsConfig(AppConfig):
    name = "epics"
    verbose_name = "Product Team Epic Board"
