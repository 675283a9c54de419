from django.urls import URLPattern, path

from .views import levels, monev, progress, settings, warnings  # noqa: F401  (each area adds its pages below)

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    # Levels and manual levels (engine).
    path("groups/<int:pk>/level/", levels.level_set, name="level-set"),
    path("groups/<int:pk>/level/end/", levels.level_end, name="level-end"),
    # Early warnings.
    # Monev visits.
    # Settings: rule sets, monev questions, environmental practices.
    # The group's Perkembangan tab and the roll-ups.
]
