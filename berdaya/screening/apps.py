from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "berdaya.screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from berdaya.registry import hooks

        from .services import screen_after_import

        hooks.AFTER_IMPORT_COMMIT.append(screen_after_import)
