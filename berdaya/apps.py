from django.apps import AppConfig


class BerdayaConfig(AppConfig):
    """Cross-cutting pieces with no models of their own: the demo command, base templates."""

    name = "berdaya"
    verbose_name = "Berdaya"
