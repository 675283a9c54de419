from django.urls import URLPattern, path

from .views import levels, monev, progress, settings, warnings  # noqa: F401  (each area adds its pages below)

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    # Levels and manual levels (engine).
    # Early warnings.
    # Monev visits.
    # Settings: rule sets, monev questions, environmental practices.
    # The group's Perkembangan tab and the roll-ups.
    path("", progress.overview, name="overview"),
    path("kube/<int:pk>/", progress.kube_progress_page, name="kube-progress"),
    path("kube/<int:pk>/level/", progress.kube_level, name="kube-level"),
    path("kube/<int:pk>/level/end/", progress.kube_level_end, name="kube-level-end"),
]
