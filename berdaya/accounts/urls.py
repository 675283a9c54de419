from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user-list"),
    path("users/export.csv", views.user_export, name="user-export"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/password/", views.user_set_password, name="user-password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user-unlock"),
    path("users/<int:pk>/tokens/", views.user_tokens, name="user-tokens"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
