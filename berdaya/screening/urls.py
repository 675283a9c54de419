from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.candidate_list, name="candidate-list"),
    path("runs/", views.run_status, name="run-status"),
    path("runs/start/", views.run_start, name="run-start"),
    path("<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("<int:pk>/review/", views.candidate_review, name="candidate-review"),
    path("<int:pk>/merge/", views.candidate_merge, name="candidate-merge"),
    path("merged/<int:old_id>/", views.merged_person, name="merged-person"),
]
