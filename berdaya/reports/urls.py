from django.urls import URLPattern, URLResolver

app_name = "reports"

# Each capability adds its pages here: the dashboard's drill-down, the map, reports upward, supervision, awards.
urlpatterns: list[URLPattern | URLResolver] = []
