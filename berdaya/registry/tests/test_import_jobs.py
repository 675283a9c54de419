"""What may happen to an import job now, and the refusals of its services."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from berdaya.registry import selectors, services
from berdaya.registry.models import ImportJob
from berdaya.registry.services import RegistryError


def job(regions, users, *, status: str, summary: dict | None = None) -> ImportJob:
    return ImportJob.objects.create(
        kind="registry",
        file="imports/x.csv",
        original_name="x.csv",
        region=regions["regency"],
        created_by=users["officer"],
        status=status,
        summary=summary or {"headers": ["NIK", "Kolom X"], "unknown_headers": []},
    )


@pytest.mark.parametrize(
    ("status", "summary", "actions"),
    [
        ("checked", {}, {"commit"}),
        ("checked", {"unknown_headers": ["Kolom X"]}, {"commit", "map"}),
        ("checking", {}, set()),
        ("done", {}, set()),
    ],
)
def test_only_a_checked_import_may_be_committed_or_mapped(regions, users, status, summary, actions):
    assert selectors.actions_for(users["officer"], job(regions, users, status=status, summary=summary)) == actions


def test_a_role_that_may_not_import_has_no_import_actions(regions, users):
    assert selectors.actions_for(users["monitor"], job(regions, users, status="checked")) == frozenset()


def test_a_file_being_imported_cannot_be_committed_again(regions, users):
    running = job(regions, users, status="importing")

    with translation.override("en"), pytest.raises(RegistryError, match="Only a checked file"):
        services.commit_import_job(job=running, accepted_only=False, by=users["officer"])

    running.refresh_from_db()
    assert running.status == "importing"


def test_a_refused_commit_from_the_page_says_why_and_goes_back_to_the_import(client, regions, users):
    done = job(regions, users, status="done")
    client.force_login(users["officer"])

    response = client.post(reverse("registry:import-commit", args=[done.pk]))

    assert response.url == done.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Hanya berkas yang sudah diperiksa yang dapat diimpor atau diperiksa ulang."
    ]


def test_a_mapping_to_an_unknown_field_is_refused_with_a_message(client, regions, users):
    checked = job(regions, users, status="checked", summary={"headers": ["NIK", "Kolom X"], "unknown_headers": ["X"]})
    client.force_login(users["officer"])

    response = client.post(reverse("registry:import-map", args=[checked.pk]), {"col_1": "no_such_field"})

    checked.refresh_from_db()
    assert (checked.status, checked.mapping) == ("checked", {})
    assert len(list(get_messages(response.wsgi_request))) == 1
