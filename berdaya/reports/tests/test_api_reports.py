"""Reports upward through the API: the same Report as the XLSX, as JSON or one section as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from berdaya.accounts.services import create_token
from berdaya.reports import upward
from berdaya.reports.figures import INDICATORS, breakdown

from .conftest import AS_OF, PERIOD
from .test_upward import report, sheet_rows

pytestmark = pytest.mark.django_db

PARAMS = "span=year&year=2027&as_of=2027-09-30"


@pytest.fixture(autouse=True)
def _fresh(settings: Any, tmp_path: Any) -> None:
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


def get(user, path: str, **headers: str):
    secret = create_token(
        by=user, owner=user, name="dasbor", expires_on=timezone.localdate() + dt.timedelta(days=30), read_only=True
    ).secret
    return Client().get(path, headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en", **headers})


def cells(values: list[Any]) -> list[Any]:
    """A JSON row as the workbook holds it (decimals and dates come as text in JSON)."""
    out = []
    for value in values:
        if isinstance(value, str) and value[:1].isdigit() and value.count("-") == 2:
            out.append(dt.datetime.fromisoformat(value))
        elif isinstance(value, str) and value.replace(".", "", 1).isdigit():
            out.append(Decimal(value))
        else:
            out.append(value)
    return out


def comparable(row: tuple[Any, ...] | list[Any]) -> list[Any]:
    """Numbers as decimals, and an empty text as the empty cell the workbook keeps."""
    return [Decimal(str(v)) if isinstance(v, float | Decimal) else (v if v != "" else None) for v in row]


@pytest.mark.parametrize("kind", ["recap", "spm", "groups"])
def test_the_json_rows_are_the_xlsx_rows(programme, users, regions, kind):
    expected = sheet_rows(upward.write_xlsx(report(kind, users["admin"], regions["regency"])))

    section = get(users["admin"], f"/api/v1/reports/regions/64.01/{kind}?{PARAMS}").json()["sections"][0]

    got = [*section["rows"], section["total"]]
    assert [comparable(cells(row)) for row in got] == [comparable(row) for row in expected]


def test_the_recap_total_is_the_dashboards_breakdown(programme, users, regions):
    table = breakdown(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)

    body = get(users["admin"], f"/api/v1/reports/regions/64.01/recap?{PARAMS}").json()

    total = body["sections"][0]["total"]
    for index, code in enumerate(INDICATORS, start=1):
        want = table.total.values[code]
        assert (total[index] is None) if want is None else Decimal(str(total[index])) == Decimal(str(want)), code


def test_the_programme_report_has_every_section_of_the_pdf(programme, users, regions):
    built = report("programme", users["admin"], regions["regency"])

    body = get(users["admin"], f"/api/v1/reports/regions/64.01/programme?{PARAMS}").json()

    assert [section["key"] for section in body["sections"]] == [section.key for section in built.sections]


def test_the_csv_of_the_group_list_parses_to_its_rows_and_total(programme, users, regions):
    built = report("groups", users["admin"], regions["regency"])

    response = get(users["admin"], f"/api/v1/reports/regions/64.01/groups?{PARAMS}&format=csv")

    parsed = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert parsed[0] == [column.label for column in built.sections[0].columns]
    assert [int(line[0]) for line in parsed[1:-1]] == [row[0] for row in built.sections[0].rows]
    assert len(parsed) == len(built.sections[0].rows) + 2


def test_a_csv_of_an_unknown_section_is_a_422_naming_the_sections(programme, users):
    response = get(users["admin"], f"/api/v1/reports/regions/64.01/programme?{PARAMS}&format=csv&section=nope")

    assert response.status_code == 422
    assert "summary" in response.json()["fields"]["section"][0]


def test_a_kecamatan_operator_gets_its_own_kecamatans_groups_only(programme, users):
    body = get(users["camat"], f"/api/v1/reports/regions/64.01.04/groups?{PARAMS}").json()

    ids = {row[0] for row in body["sections"][0]["rows"]}
    assert ids == {programme.a1.pk, programme.a2.pk, programme.b1.pk}


def test_a_region_outside_the_scope_is_a_404(programme, users):
    assert get(users["camat"], f"/api/v1/reports/regions/64.01.05/recap?{PARAMS}").status_code == 404


def test_a_role_that_does_not_report_upward_is_a_403(programme, users):
    response = get(users["desa_a"], f"/api/v1/reports/regions/64.01.04.2004/recap?{PARAMS}")

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_period_the_page_would_refuse_is_a_422_naming_the_field(programme, users):
    response = get(users["admin"], "/api/v1/reports/regions/64.01/recap?span=quarter&year=2027")

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["quarter"]
