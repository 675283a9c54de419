from django.urls import URLPattern, path  # noqa: F401

from .views import levels, monev, progress, settings, warnings  # noqa: F401  (each area adds its pages below)

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    # Levels and manual levels (engine).
    # Early warnings.
    # Monev visits.
    # Settings: rule sets, monev questions, environmental practices.
    # The group's Perkembangan tab and the roll-ups.
]
