from django.apps import AppConfig


class BerdayaConfig(AppConfig):
    """Cross-cutting pieces with no models of their own: the demo command, base templates."""

    name = "berdaya"
    verbose_name = "Berdaya"

    def ready(self) -> None:
        # The audit context's receiver names the acting user on every history row.
        # A task that dies with its worker closes the record it was working on (an import job left "running").
        from berdaya import taskwatch  # noqa: F401
        from berdaya.lib import audit  # noqa: F401
