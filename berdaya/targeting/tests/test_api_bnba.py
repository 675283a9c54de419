"""The BNBA of a decree through the API: the spreadsheet's rows as JSON or CSV, full NIKs only where allowed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from berdaya.accounts.services import create_token
from berdaya.registry.models import Disclosure
from berdaya.registry.templatetags.registry import masked_nik
from berdaya.targeting.models import Nominee

from .test_documents import decided  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()


def get(user, path: str, **headers: str):
    secret = create_token(
        by=user, owner=user, name="tarik", expires_on=timezone.localdate() + dt.timedelta(days=30), read_only=True
    ).secret
    return Client().get(path, headers={"Authorization": f"Bearer {secret}", **headers})


def url(cycle) -> str:
    return f"/api/v1/targeting/cycles/{cycle.pk}/bnba"


def test_the_json_holds_the_rows_of_the_bnba_spreadsheet(client, users, cycle, decided):  # noqa: F811
    client.force_login(users["officer"])
    sheet = load_workbook(io.BytesIO(client.get(reverse("targeting:cycle-bnba", args=[cycle.pk])).content)).active
    expected = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]

    rows = get(users["officer"], url(cycle)).json()["rows"]

    fields = ["number", "nik", "name", "kk_number", "address", "village", "kecamatan", "aid"]
    # An empty cell of the workbook is None; the JSON says "".
    assert [[row[name] or None for name in fields] for row in rows] == expected


def test_the_csv_parses_to_the_same_rows_as_the_json(users, cycle, decided):  # noqa: F811
    rows = get(users["officer"], url(cycle)).json()["rows"]

    response = get(users["officer"], f"{url(cycle)}?format=csv")

    parsed = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert parsed[0][:3] == ["No", "NIK", "Nama"]
    assert [line[1] for line in parsed[1:]] == [row["nik"] for row in rows]


def test_an_accept_header_asking_for_csv_gives_csv(users, cycle, decided):  # noqa: F811
    response = get(users["officer"], url(cycle), Accept="text/csv")

    assert response["Content-Type"].startswith("text/csv")


def test_a_role_that_may_issue_the_decree_gets_full_niks_and_one_log_row_with_the_count(users, cycle, decided):  # noqa: F811
    rows = get(users["officer"], url(cycle)).json()["rows"]

    assert sorted(row["nik"] for row in rows) == sorted(n.nik for n in decided)
    logged = Disclosure.objects.get()
    assert (logged.kind, logged.count, logged.by) == ("bnba_api", 3, users["officer"])
    persons = Nominee.objects.filter(pk__in=[n.pk for n in decided]).values_list("person_id", flat=True)
    assert set(logged.persons.values_list("pk", flat=True)) == set(persons)


@pytest.mark.parametrize("username", ["monitor", "camat", "desa_a"])
def test_other_roles_get_masked_niks_and_no_log_row(users, cycle, decided, username):  # noqa: F811
    rows = get(users[username], url(cycle)).json()["rows"]

    assert sorted(row["nik"] for row in rows) == sorted(masked_nik(n.nik) for n in decided)
    assert not Disclosure.objects.exists()


def test_a_cycle_outside_the_scope_is_a_404(users, cycle, decided):  # noqa: F811
    response = get(users["no_region"], url(cycle))

    assert response.status_code == 404
