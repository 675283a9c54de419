from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("groups/<int:pk>/timeline/", views.kube_timeline, name="kube-timeline"),
    path("groups/<int:pk>/visits/new/", views.visit_create, name="visit-create"),
    path("groups/<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("groups/<int:pk>/problems/new/", views.problem_create, name="problem-create"),
    path("groups/<int:pk>/environment/", views.environment_list, name="environment-list"),
    path("groups/<int:pk>/environment/new/", views.environment_create, name="environment-create"),
    path("environment/<int:pk>/", views.environment_detail, name="environment-detail"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/update/", views.problem_action, {"action": "update"}, name="problem-update"),
    path("problems/<int:pk>/resolve/", views.problem_action, {"action": "resolve"}, name="problem-resolve"),
    path("problems/<int:pk>/escalate/", views.problem_action, {"action": "escalate"}, name="problem-escalate"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/draft/", views.report_draft, name="report-draft"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/refresh/", views.report_refresh, name="report-refresh"),
    path("reports/<int:pk>/acknowledge/", views.report_review, {"decision": "acknowledge"}, name="report-acknowledge"),
    path("reports/<int:pk>/return/", views.report_review, {"decision": "return"}, name="report-return"),
    path("reports/<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("facilitators/", views.facilitator_list, name="facilitator-list"),
    path("facilitators/<int:pk>/", views.facilitator_detail, name="facilitator-detail"),
]
