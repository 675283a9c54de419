"""Checked imports waiting for the user who uploaded them."""

from __future__ import annotations

from django.urls import reverse

from berdaya.registry.models import ImportJob
from berdaya.registry.selectors import waiting_for


def job(region, user, status: str = ImportJob.Status.CHECKED) -> ImportJob:
    return ImportJob.objects.create(
        kind=ImportJob.Kind.REGISTRY,
        file="imports/x.csv",
        original_name="x.csv",
        region=region,
        created_by=user,
        status=status,
    )


def test_a_checked_import_waits_for_its_uploader_and_leads_to_it(regions, users):
    checked = job(regions["village_a"], users["desa_a"])

    [item] = waiting_for(users["desa_a"])

    assert (item.kind, item.count, item.url) == (
        "registry.import",
        1,
        reverse("registry:import-detail", args=[checked.pk]),
    )


def test_several_checked_imports_lead_to_the_import_list(regions, users):
    job(regions["regency"], users["officer"])
    job(regions["regency"], users["officer"])

    [item] = waiting_for(users["officer"])

    assert (item.count, item.url) == (2, reverse("registry:import-list"))


def test_an_import_running_or_done_waits_for_no_one(regions, users):
    job(regions["regency"], users["officer"], ImportJob.Status.CHECKING)
    job(regions["regency"], users["officer"], ImportJob.Status.DONE)

    assert waiting_for(users["officer"]) == []


def test_someone_else_import_is_not_the_user_task_even_in_scope(regions, users):
    job(regions["village_a"], users["desa_a"])

    assert waiting_for(users["officer"]) == []
    assert waiting_for(users["desa_b"]) == []


def test_an_own_import_outside_the_user_scope_no_longer_waits(regions, users):
    job(regions["village_a"], users["desa_a"])
    moved = users["desa_a"]
    moved.region = regions["village_b"]  # the operator now works for Tapis
    moved.save()

    assert waiting_for(moved) == []
