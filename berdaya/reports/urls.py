from django.urls import URLPattern, URLResolver, path

from .views import supervision

app_name = "reports"

# Each capability adds its pages here: the dashboard's drill-down, the map, reports upward, supervision, awards.
urlpatterns: list[URLPattern | URLResolver] = [
    path("supervisi/", supervision.supervision_list, name="supervision"),
    path("supervisi/<int:pk>/", supervision.supervision_facilitator, name="supervision-facilitator"),
]
