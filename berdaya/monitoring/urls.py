from django.urls import URLPattern, path

from .views import monev, progress, settings, warnings

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    # Early warnings.
    path("peringatan/", warnings.warning_list, name="warning-list"),
    path("peringatan/<int:pk>/", warnings.warning_detail, name="warning-detail"),
    path("peringatan/<int:pk>/handled/", warnings.warning_handle, name="warning-handle"),
    # Monev visits.
    path("monev/", monev.monev_due, name="monev-due"),
    path("monev/groups/<int:pk>/", monev.monev_list, name="monev-list"),
    path("monev/groups/<int:pk>/new/", monev.monev_create, name="monev-create"),
    path("monev/<int:pk>/", monev.monev_detail, name="monev-detail"),
    path("monev/photos/<int:pk>/", monev.monev_photo, name="monev-photo"),
    # Settings: rule sets, monev questions, environmental practices.
    path("pengaturan/", settings.rule_settings, name="settings"),
    path("pengaturan/questions/", settings.questions, name="questions"),
    path("pengaturan/practices/", settings.practices, name="practices"),
    # The group's Perkembangan tab and the roll-ups.
    path("", progress.overview, name="overview"),
    path("kube/<int:pk>/", progress.kube_progress_page, name="kube-progress"),
    path("kube/<int:pk>/level/", progress.kube_level, name="kube-level"),
    path("kube/<int:pk>/level/end/", progress.kube_level_end, name="kube-level-end"),
]
