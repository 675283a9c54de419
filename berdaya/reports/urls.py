from django.urls import URLPattern, URLResolver, path

from .views import map as map_views

app_name = "reports"

# Each capability adds its pages here: the dashboard's drill-down, the map, reports upward, supervision, awards.
urlpatterns: list[URLPattern | URLResolver] = [
    # The offline map (docs/reports.md "Map").
    path("map/", map_views.region_map_page, name="map"),
    path("map/<str:code>/", map_views.region_map_page, name="map-region"),
]
