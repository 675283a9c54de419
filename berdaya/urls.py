from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from berdaya import api, personal_data, pwa, taskwatch, worklist
from berdaya.accounts.views import LoginView
from berdaya.reports.views.dashboard import dashboard

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("tugas/", worklist.tasks, name="tasks"),
    path("tugas/latar/", taskwatch.background_tasks, name="background-tasks"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("berdaya.accounts.urls")),
    path("regions/", include("berdaya.regions.urls")),
    path("registry/", include("berdaya.registry.urls")),
    # Everything held about one person (UU 27/2022): spans every app, so it is the project's, not the registry's.
    path(
        "registry/persons/<int:pk>/data.json",
        include(([path("", personal_data.person_data_export, name="person-data-export")], "privacy")),
    ),
    path("inbox/", include("berdaya.inbox.urls")),
    path("targeting/", include("berdaya.targeting.urls")),
    path("screening/", include("berdaya.screening.urls")),
    path("groups/", include("berdaya.groups.urls")),
    path("mentoring/", include("berdaya.mentoring.urls")),
    path("training/", include("berdaya.training.urls")),
    path("business/", include("berdaya.business.urls")),
    path("monitoring/", include("berdaya.monitoring.urls")),
    path("reports/", include("berdaya.reports.urls")),
    # The REST API (docs/api.md); it answers 401 itself rather than redirecting to the login page.
    path("api/v1/", api.urls()),
    # At the root, so that the service worker may serve every page of the site (a worker's scope is its folder).
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    # Switching language must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
