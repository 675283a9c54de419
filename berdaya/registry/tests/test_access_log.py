"""The access log of personal data: written by one function, append-only, read by the Admin Dinas on one page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from berdaya.registry.models import Disclosure
from berdaya.registry.privacy import disclosures_about, record_disclosure
from berdaya.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LOG = "registry:disclosure-list"
EXPORT = "registry:disclosure-export"


@pytest.fixture
def log(users: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    """Siti's NIK revealed by the officer on 1 March; a member list of 3 by the admin on 10 March; a reveal in
    another regency."""
    siti = PersonFactory(name="Siti Aminah", household__village=regions["village_a"])
    budi = PersonFactory(name="Budi Santoso", household__village=regions["village_b"])
    far = PersonFactory(name="Jauh Sekali", household__village=regions["other_regency"])
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        reveal = record_disclosure(
            by=users["officer"], kind=Disclosure.Kind.REVEAL, region=regions["village_a"], person=siti
        )
    with time_machine.travel(dt.datetime(2027, 3, 10, 9, tzinfo=dt.UTC), tick=False):
        member_list = record_disclosure(
            by=users["admin"],
            kind=Disclosure.Kind.MEMBER_LIST_PDF,
            region=regions["kec_a"],
            persons=[siti.pk, budi.pk],
            count=3,
            document="KUBE Mawar",
        )
    elsewhere = record_disclosure(
        by=users["admin"], kind=Disclosure.Kind.REVEAL, region=regions["other_regency"], person=far
    )
    return {"siti": siti, "budi": budi, "reveal": reveal, "member_list": member_list, "elsewhere": elsewhere}


def _shown(client: Any, **query: Any) -> set[int]:
    page = client.get(reverse(LOG), query)
    return {entry.pk for entry in page.context["page"]}


def _exported(client: Any, **query: Any) -> list[str]:
    response = client.get(reverse(EXPORT), query)
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1:]


def test_one_document_of_many_persons_is_one_row_linking_each(log):
    member_list = log["member_list"]

    assert member_list.count == 3
    assert set(member_list.persons.all()) == {log["siti"], log["budi"]}


def test_who_saw_a_persons_data_is_one_query(log, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = list(disclosures_about(log["siti"]))

    assert found == [log["member_list"], log["reveal"]]


def test_a_disclosure_cannot_be_changed(log):
    reveal = log["reveal"]
    reveal.count = 99

    with pytest.raises(ValueError, match="append-only"):
        reveal.save()


def test_a_reveal_records_where_it_came_from(client, users, log):
    client.force_login(users["officer"])

    client.post(
        reverse("registry:person-reveal-nik", args=[log["siti"].pk]),
        headers={"User-Agent": "HP Kantor"},
        REMOTE_ADDR="10.1.2.3",
    )

    latest = Disclosure.objects.order_by("-pk").first()
    assert latest is not None
    assert (latest.kind, latest.person, latest.ip, latest.user_agent) == (
        "reveal",
        log["siti"],
        "10.1.2.3",
        "HP Kantor",
    )
    assert latest.url == reverse("registry:person-reveal-nik", args=[log["siti"].pk])


@pytest.mark.parametrize("username", ["officer", "monitor", "camat", "desa_a", "facilitator"])
def test_only_the_admin_dinas_reads_the_log(client, users, log, username):
    client.force_login(users[username])

    assert client.get(reverse(LOG)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403


def test_the_admin_reads_the_log_of_its_region_only(client, users, log):
    client.force_login(users["admin"])

    assert _shown(client) == {log["reveal"].pk, log["member_list"].pk}


def test_an_admin_without_a_region_reads_nothing(client, users, log):
    client.force_login(users["no_region"])

    assert _shown(client) == set()


def test_the_log_filters_by_who_saw(client, users, log):
    client.force_login(users["admin"])

    assert _shown(client, by=users["officer"].pk) == {log["reveal"].pk}


def test_the_log_filters_by_the_persons_name(client, users, log):
    client.force_login(users["admin"])

    assert _shown(client, q="budi") == {log["member_list"].pk}


def test_the_log_filters_by_the_persons_nik(client, users, log):
    client.force_login(users["admin"])

    assert _shown(client, q=log["siti"].nik) == {log["reveal"].pk, log["member_list"].pk}


def test_the_log_filters_by_kind(client, users, log):
    client.force_login(users["admin"])

    assert _shown(client, kind=Disclosure.Kind.MEMBER_LIST_PDF) == {log["member_list"].pk}


def test_the_log_filters_by_days(client, users, log):
    client.force_login(users["admin"])

    assert _shown(client, since="2027-03-01", until="2027-03-05") == {log["reveal"].pk}


def test_a_date_that_is_not_one_is_ignored_with_a_message(client, users, log):
    client.force_login(users["admin"])

    response = client.get(reverse(LOG), {"since": "kemarin"})

    assert response.status_code == 200
    assert response.context["form"].errors["since"]
    assert {entry.pk for entry in response.context["page"]} == {log["reveal"].pk, log["member_list"].pk}


def test_the_export_holds_the_filtered_rows(client, users, log):
    client.force_login(users["admin"])

    rows = _exported(client, kind=Disclosure.Kind.MEMBER_LIST_PDF)

    assert len(rows) == 1
    assert "KUBE Mawar" in rows[0]
    assert ",3," in rows[0]


def test_the_export_holds_no_row_from_outside_the_region(client, users, log):
    client.force_login(users["admin"])

    rows = _exported(client)

    assert len(rows) == 2
    assert not any("Jauh Sekali" in row for row in rows)


def test_the_log_is_paged(client, users, regions):
    person = PersonFactory(household__village=regions["village_a"])
    for _ in range(51):
        record_disclosure(by=users["officer"], kind=Disclosure.Kind.REVEAL, region=regions["village_a"], person=person)
    client.force_login(users["admin"])

    page = client.get(reverse(LOG)).context["page"]

    assert (len(page.object_list), page.paginator.count) == (50, 51)


def test_the_log_and_its_export_are_never_cached(client, users, log):
    client.force_login(users["admin"])

    for name in (LOG, EXPORT):
        assert "no-store" in client.get(reverse(name))["Cache-Control"]


def test_the_log_page_is_in_the_admins_menu_only(client, users):
    for username, shown in [("admin", True), ("officer", False), ("monitor", False)]:
        client.force_login(users[username])

        assert (reverse(LOG) in client.get(reverse("dashboard")).content.decode()) is shown, username


def test_the_log_lists_in_a_constant_number_of_queries(client, users, log, django_assert_max_num_queries):
    client.force_login(users["admin"])

    # 13: the page, its menu and the menu's tasks (the background-task warnings for the Admin Dinas included).
    with django_assert_max_num_queries(13):
        response = client.get(reverse(LOG))

    assert response.status_code == 200
