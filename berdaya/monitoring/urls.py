from django.urls import URLPattern, path

from .views import levels, monev, progress, settings, warnings  # noqa: F401  (each area adds its pages below)

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    # Levels and manual levels (engine).
    # Early warnings.
    path("peringatan/", warnings.warning_list, name="warning-list"),
    path("peringatan/<int:pk>/", warnings.warning_detail, name="warning-detail"),
    path("peringatan/<int:pk>/handled/", warnings.warning_handle, name="warning-handle"),
    # Monev visits.
    # Settings: rule sets, monev questions, environmental practices.
    # The group's Perkembangan tab and the roll-ups.
]
