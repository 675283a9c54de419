from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.training_list, name="training-list"),
    path("new/", views.training_create, name="training-create"),
    path("<int:pk>/", views.training_detail, name="training-detail"),
    path("<int:pk>/invite/", views.training_invite, name="training-invite"),
    path("<int:pk>/attendance/", views.training_attendance, name="training-attendance"),
    path("members/<int:pk>/", views.member_history, name="member-history"),
]
