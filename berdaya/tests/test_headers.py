"""Security headers on every response: a strict Content-Security-Policy, no-store for whatever a signed-in user is
sent (offices share computers), the referrer kept on the site, and the camera and position only for the forms that
use them (berdaya/lib/middleware.py). The browser walk (test_phone_layout.py) checks that no page breaks the policy.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.middleware import CONTENT_SECURITY_POLICY, SecurityHeadersMiddleware, allows_devices
from berdaya.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, str]:
    return {name: value for name, _, value in (part.strip().partition(" ") for part in header.split(";"))}


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    policy = directives(CONTENT_SECURITY_POLICY)

    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data: blob:"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_the_login_page_carries_the_policy_and_the_referrer_rule(client):
    response = client.get(reverse("login"))

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_a_signed_in_page_is_not_stored_by_the_browser(client, users):
    client.force_login(users["admin"])

    response = client.get(reverse("dashboard"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_page_with_a_persons_nik_is_not_stored(client, users):
    person = PersonFactory(household__village=users["desa_a"].region)
    client.force_login(users["desa_a"])

    response = client.get(reverse("registry:person-detail", args=[person.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_export_of_persons_is_not_stored(client, users):
    PersonFactory(household__village=users["desa_a"].region)
    client.force_login(users["desa_a"])

    response = client.get(reverse("registry:person-export"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_error_page_for_a_signed_in_user_is_not_stored_either(client, users):
    client.force_login(users["desa_a"])

    response = client.get(reverse("registry:person-detail", args=[999999]))

    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_pages_deny_the_camera_and_the_position(client, users):
    client.force_login(users["facilitator"])

    policy = client.get(reverse("dashboard"))["Permissions-Policy"]

    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy


def test_the_visit_form_may_use_the_camera_and_the_position(client, users, regions):
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    client.force_login(users["facilitator"])

    response = client.get(reverse("mentoring:visit-create", args=[kube.pk]))

    assert response.status_code == 200
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_the_monev_form_may_use_the_camera_and_the_position(client, users, regions):
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    client.force_login(users["officer"])

    response = client.get(reverse("monitoring:monev-create", args=[kube.pk]))

    assert response.status_code == 200
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "geolocation=(self)" in response["Permissions-Policy"]


def test_the_group_page_beside_the_visit_form_denies_the_camera(client, users, regions):
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    client.force_login(users["facilitator"])

    response = client.get(kube.get_absolute_url())

    assert "camera=()" in response["Permissions-Policy"]


def test_a_device_the_policy_does_not_know_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown devices"):
        allows_devices("camara")


def test_a_view_that_set_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert SecurityHeadersMiddleware(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"
