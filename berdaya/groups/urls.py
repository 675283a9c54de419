from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.kube_list, name="kube-list"),
    path("new/", views.kube_create, name="kube-create"),
    path("<int:pk>/", views.kube_detail, name="kube-detail"),
    path("<int:pk>/edit/", views.kube_edit, name="kube-edit"),
    path("<int:pk>/rules/", views.kube_rules, name="kube-rules"),
    path("<int:pk>/officers/", views.kube_officers, name="kube-officers"),
    path("<int:pk>/members/add/", views.member_add, name="member-add"),
    path("<int:pk>/status/", views.kube_status, name="kube-status"),
    path("<int:pk>/facilitator/", views.kube_assign, name="kube-assign"),
    path("<int:pk>/signboard.jpg", views.kube_signboard, name="kube-signboard"),
    path("<int:pk>/berita-acara.pdf", views.kube_minutes_pdf, name="kube-minutes-pdf"),
    path("<int:pk>/members.pdf", views.kube_members_pdf, name="kube-members-pdf"),
    path("members/<int:pk>/", views.membership_detail, name="membership-detail"),
    path("members/<int:pk>/leave/", views.member_leave, name="member-leave"),
    path("members/<int:pk>/replace/", views.member_replace, name="member-replace"),
]
