from django.urls import URLPattern, URLResolver, path

from .views import awards, dashboard, supervision, upward
from .views import map as map_views

app_name = "reports"

# Each capability adds its pages here: the dashboard's drill-down, the map, reports upward, supervision, awards.
urlpatterns: list[URLPattern | URLResolver] = [
    # The dashboard of a region (the user's own is the site's root, berdaya/urls.py).
    path("dashboard/<str:code>/", dashboard.dashboard_region, name="dashboard-region"),
    # The offline map (docs/reports.md "Map").
    path("map/", map_views.region_map_page, name="map"),
    path("map/<str:code>/", map_views.region_map_page, name="map-region"),
    # Facilitator supervision: berdaya/reports/views/supervision.py.
    path("supervisi/", supervision.supervision_list, name="supervision"),
    path("supervisi/<int:pk>/", supervision.supervision_facilitator, name="supervision-facilitator"),
    # Awards (KUBE berprestasi, best facilitators): berdaya/reports/views/awards.py.
    path("penghargaan/", awards.award_list, name="award-list"),
    path("penghargaan/new/", awards.award_create, name="award-create"),
    path("penghargaan/<int:pk>/", awards.award_detail, name="award-detail"),
    path("penghargaan/<int:pk>/shortlist/", awards.award_shortlist, name="award-shortlist"),
    path("penghargaan/<int:pk>/close/", awards.award_close, name="award-close"),
    path("penghargaan/<int:pk>/decide/", awards.award_decide, name="award-decide"),
    path("penghargaan/<int:pk>/result.pdf", awards.award_pdf, name="award-pdf"),
    path("penghargaan/<int:pk>/result.xlsx", awards.award_xlsx, name="award-xlsx"),
    path("penghargaan/entries/<int:pk>/", awards.award_entry, name="award-entry"),
    # Reports upward (programme, SPM, recap, group list): berdaya/reports/views/upward.py.
    path("laporan/", upward.upward_list, name="upward"),
    path("laporan/<int:pk>/", upward.upward_detail, name="upward-detail"),
    path("laporan/<int:pk>/progress/", upward.upward_progress, name="upward-progress"),
    path("laporan/<int:pk>/download/", upward.upward_download, name="upward-download"),
]
