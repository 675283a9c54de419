from django.apps import AppConfig


class BerdayaConfig(AppConfig):
    """Cross-cutting pieces with no models of their own: the demo command, base templates."""

    name = "berdaya"
    verbose_name = "Berdaya"

    def ready(self) -> None:
        # The audit context's receiver names the acting user on every history row.
        from berdaya.lib import audit  # noqa: F401
