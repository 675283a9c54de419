from django.urls import URLPattern, URLResolver

app_name = "reports"

# Each capability adds its pages here: the dashboard's drill-down, the map, reports upward, supervision, awards.
urlpatterns: list[URLPattern | URLResolver] = []

# Awards (KUBE berprestasi, best facilitators): berdaya/reports/views/awards.py.
from django.urls import path  # noqa: E402

from .views import awards  # noqa: E402

urlpatterns += [
    path("penghargaan/", awards.award_list, name="award-list"),
    path("penghargaan/new/", awards.award_create, name="award-create"),
    path("penghargaan/<int:pk>/", awards.award_detail, name="award-detail"),
    path("penghargaan/<int:pk>/shortlist/", awards.award_shortlist, name="award-shortlist"),
    path("penghargaan/<int:pk>/close/", awards.award_close, name="award-close"),
    path("penghargaan/<int:pk>/decide/", awards.award_decide, name="award-decide"),
    path("penghargaan/<int:pk>/result.pdf", awards.award_pdf, name="award-pdf"),
    path("penghargaan/<int:pk>/result.xlsx", awards.award_xlsx, name="award-xlsx"),
    path("penghargaan/entries/<int:pk>/", awards.award_entry, name="award-entry"),
]
