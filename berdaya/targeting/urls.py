from django.urls import path

from . import views

app_name = "targeting"

urlpatterns = [
    path("", views.cycle_list, name="cycle-list"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:pk>/quota/", views.quota_set, name="cycle-quota"),
    path("cycles/<int:pk>/open/", views.cycle_open, name="cycle-open"),
    path("cycles/<int:pk>/relay/", views.cycle_relay, name="cycle-relay"),
    path("cycles/<int:pk>/start/", views.list_start, name="list-start"),
    path("cycles/<int:pk>/approve-clean/", views.cycle_approve_clean, name="cycle-approve-clean"),
    path("cycles/<int:pk>/decree/", views.cycle_decree, name="cycle-decree"),
    path("cycles/<int:pk>/sk.pdf", views.cycle_sk_pdf, name="cycle-sk"),
    path("cycles/<int:pk>/bnba.xlsx", views.cycle_bnba_xlsx, name="cycle-bnba"),
    path("cycles/<int:pk>/minutes-template.pdf", views.minutes_template_pdf, name="minutes-template"),
    path("lists/<int:pk>/", views.list_detail, name="list-detail"),
    path("lists/<int:pk>/persons/", views.list_person_search, name="list-person-search"),
    path("lists/<int:pk>/pick/", views.list_pick, name="list-pick"),
    path("lists/<int:pk>/new/", views.list_add_new, name="list-add-new"),
    path("lists/<int:pk>/minutes/", views.list_minutes, name="list-minutes"),
    path("lists/<int:pk>/minutes/download/", views.list_minutes_download, name="list-minutes-download"),
    path("lists/<int:pk>/submit/", views.list_submit, name="list-submit"),
    path("lists/<int:pk>/endorse/", views.list_endorse, name="list-endorse"),
    path("lists/<int:pk>/return/", views.list_return, name="list-return"),
    path("lists/<int:pk>/return-to-kecamatan/", views.list_return_to_kecamatan, name="list-return-kecamatan"),
    path("nominees/<int:pk>/", views.nominee_detail, name="nominee-detail"),
    path("nominees/<int:pk>/remove/", views.nominee_remove, name="nominee-remove"),
    path("nominees/<int:pk>/override/", views.nominee_override, name="nominee-override"),
    path("nominees/<int:pk>/verify/", views.nominee_verify, name="nominee-verify"),
    path("nominees/<int:pk>/approve/", views.nominee_approve, name="nominee-approve"),
    path("nominees/<int:pk>/reject/", views.nominee_reject, name="nominee-reject"),
    path("vervals/<int:pk>/photo/", views.verval_photo, name="verval-photo"),
    path("letterhead/", views.letterhead_edit, name="letterhead"),
]
