from django.urls import URLPattern, URLResolver, path

from .views import dashboard

app_name = "reports"

# Each capability adds its pages here: the dashboard's drill-down, the map, reports upward, supervision, awards.
urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/<str:code>/", dashboard.dashboard_region, name="dashboard-region"),
]
