from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("persons/export.csv", views.person_export, name="person-export"),
    path("persons/<int:pk>/", views.person_detail, name="person-detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("persons/<int:pk>/nik/", views.person_reveal_nik, name="person-reveal-nik"),
    path("households/", views.household_list, name="household-list"),
    path("households/export.csv", views.household_export, name="household-export"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("access-log/", views.disclosure_list, name="disclosure-list"),
    path("access-log/export.csv", views.disclosure_export, name="disclosure-export"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<int:pk>/map/", views.import_map, name="import-map"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:pk>/report.xlsx", views.import_report, name="import-report"),
]
