from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.region_list, name="region-list"),
    path("export.csv", views.region_export, name="region-export"),
    path("<str:code>/", views.region_list, name="region-detail"),
]
