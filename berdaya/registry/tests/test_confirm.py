"""A second look before a checked registry file is stored: the rows its check counted, and what is skipped."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from berdaya.registry.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(regions, users):
    return ImportJob.objects.create(
        kind="registry",
        file="imports/dtsen.csv",
        original_name="dtsen.csv",
        region=regions["regency"],
        created_by=users["officer"],
        status="checked",
        summary={"total": 5, "accepted": 4, "rejected": 1, "created": 3, "updated": 1, "headers": []},
    )


@pytest.fixture
def officer(client, users):
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def test_committing_first_shows_what_is_stored_and_stores_nothing(officer, checked):
    response = officer.post(reverse("registry:import-commit", args=[checked.pk]))

    assert response.status_code == 200
    assert "3 new and 1 changed records of dtsen.csv are stored." in text_of(response)
    assert ImportJob.objects.get(pk=checked.pk).status == "checked"


def test_committing_only_the_accepted_rows_says_how_many_are_skipped(officer, checked):
    response = officer.post(reverse("registry:import-commit", args=[checked.pk]), {"accepted_only": "on"})

    assert "1 rejected rows are skipped." in text_of(response)
    assert 'name="accepted_only" value="on"' in response.content.decode()


def test_cancel_goes_back_to_the_import(officer, checked):
    response = officer.post(reverse("registry:import-commit", args=[checked.pk]))

    assert response.context["cancel"] == checked.get_absolute_url()
