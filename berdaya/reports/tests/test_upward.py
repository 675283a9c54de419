"""Reports upward: the same numbers as the dashboard, the SPM indicator, the group list's scope, the background
path, and bad input. The programme fixture (conftest.py) holds five groups in two kecamatan."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from berdaya.accounts.models import User
from berdaya.groups.models import Kube, Membership
from berdaya.groups.tests.factories import MembershipFactory
from berdaya.lib.formats import rupiah
from berdaya.regions.models import Region
from berdaya.registry.models import Household
from berdaya.registry.tests.factories import HouseholdFactory
from berdaya.reports import tasks, upward
from berdaya.reports.figures import INDICATORS, Period, breakdown
from berdaya.reports.models import ReportRequest

from .conftest import AS_OF, PERIOD, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def report(kind: str, user: User, root: Region, as_of: dt.date = AS_OF, period: Period = PERIOD) -> upward.Report:
    return upward.build(kind=kind, user=user, root=root, period=period, as_of=as_of)


def sheet_rows(data: bytes, index: int = 0) -> list[tuple[Any, ...]]:
    """The rows under the header (row 4) of one sheet."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[index]
    return list(sheet.iter_rows(min_row=5, values_only=True))


def same(value: Any, expected: Any) -> bool:
    if expected is None:
        return value is None
    return Decimal(str(value)) == Decimal(str(expected))


# The dashboard's numbers ---------------------------------------------------------------------------------------


def test_the_recap_xlsx_holds_the_dashboards_rows_and_total(programme, users, regions):
    table = breakdown(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)

    rows = sheet_rows(upward.write_xlsx(report("recap", users["admin"], regions["regency"])))

    expected = [*table.rows, table.total]
    assert [row[0] for row in rows[:-1]] == [row.name for row in table.rows]
    for got, want in zip(rows, expected, strict=True):
        assert all(same(got[i + 1], want.values[code]) for i, code in enumerate(INDICATORS)), (got, want.values)


def test_the_recap_of_a_kecamatan_operator_holds_its_villages_only(programme, users, regions):
    table = breakdown(user=users["camat"], root=regions["kec_a"], as_of=AS_OF, period=PERIOD)

    rows = sheet_rows(upward.write_xlsx(report("recap", users["camat"], regions["kec_a"])))

    assert [row[0] for row in rows[:-1]] == ["Tanah Periuk", "Tapis"]
    assert rows[-1][1] == table.total.values["kubes"] == 3


def test_the_programme_reports_summary_equals_the_dashboards_totals(programme, users, regions):
    table = breakdown(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)

    rows = sheet_rows(upward.write_xlsx(report("programme", users["admin"], regions["regency"])))

    assert len(rows) == len(INDICATORS)
    assert all(same(row[1], table.total.values[code]) for row, code in zip(rows, INDICATORS, strict=True))


def test_rupiah_in_the_xlsx_are_whole_numbers_with_a_rupiah_format(programme, users, regions):
    data = upward.write_xlsx(report("programme", users["admin"], regions["regency"]))

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    aid = list(sheet.iter_rows(min_row=5))[list(INDICATORS).index("aid_paid")]
    assert aid[1].value == 3_000_000  # a1 1,000,000 and b1 2,000,000 paid in the period
    assert isinstance(aid[1].value, int)
    assert "Rp" in aid[1].number_format


def test_the_programme_pdf_prints_the_dashboards_key_figures(programme, users, regions):
    table = breakdown(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)

    data = upward.write_pdf(report("programme", users["admin"], regions["regency"]))

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    with translation.override("id"):
        assert rupiah(table.total.values["aid_paid"]) in text  # Rp 3.000.000
        assert rupiah(table.total.values["aid_budgeted"]) in text
    assert "LAPORAN" in text.upper() and "KABUPATEN PASER" in text


def test_the_level_movement_counts_each_group_once_from_its_first_to_its_last_snapshot(programme, users, regions):
    built = report("programme", users["admin"], regions["regency"])

    levels = next(section for section in built.sections if section.key == "levels")
    # a1: not assessed in January -> Berkembang in September; b1: not assessed -> Tumbuh; a2, c1 (its snapshot is
    # October's), c2: not assessed throughout. Five groups existed on AS_OF.
    assert levels.total is not None and levels.total[1:] == [0, 1, 1, 0, 3, 5]
    unassessed = levels.rows[-1]
    assert unassessed[1:] == [0, 1, 1, 0, 3, 5]


# SPM -----------------------------------------------------------------------------------------------------------


def member(kube: Kube, village: Region, decile: int) -> Membership:
    """A current member of `kube` whose household lives in `village` with this welfare decile."""
    membership = MembershipFactory(kube=kube)
    Household.objects.filter(pk=membership.household_id).update(village=village, decile=decile)
    return membership


def test_the_spm_indicator_counts_poor_households_and_the_households_in_a_kube(regions, users):
    village_a, village_c = regions["village_a"], regions["village_c"]
    for decile in (1, 2, 4, 7, None):
        HouseholdFactory(village=village_a, decile=decile)
    HouseholdFactory.create_batch(2, village=village_c, decile=3)
    kube_a = make_group(village_a, "KUBE A")
    kube_c = make_group(village_c, "KUBE C")
    member(kube_a, village_a, 1)
    member(kube_a, village_a, 2)
    member(kube_a, village_a, 8)  # in a KUBE, not poor
    gone = member(kube_a, village_a, 2)  # poor, left before AS_OF
    Membership.objects.filter(pk=gone.pk).update(joined_on=dt.date(2027, 1, 10), left_on=dt.date(2027, 6, 30))
    member(kube_c, village_c, 3)

    lines, total = upward.spm_lines(user=users["admin"], root=regions["regency"], as_of=AS_OF)

    # Poor (decile 1-4) in the registry: Tanah Grogot 3 made + the members' of decile 1 and 2 + the leaver's = 6;
    # Kuaro 2 made + 1 member's = 3. In a KUBE on AS_OF: Tanah Grogot 3 (two of them poor), Kuaro 1 (poor).
    by_code = {line.code: line for line in lines}
    a, c = by_code["64.01.04"], by_code["64.01.05"]
    assert (a.poor, a.empowered, a.empowered_poor, a.share) == (6, 3, 2, Decimal("50.0"))
    assert (c.poor, c.empowered, c.empowered_poor, c.share) == (3, 1, 1, Decimal("33.3"))
    assert (total.poor, total.empowered, total.empowered_poor, total.share) == (9, 4, 3, Decimal("44.4"))


def test_the_spm_xlsx_has_the_numerator_and_denominator_per_kecamatan(programme, users, regions):
    lines, total = upward.spm_lines(user=users["admin"], root=regions["regency"], as_of=AS_OF)

    rows = sheet_rows(upward.write_xlsx(report("spm", users["admin"], regions["regency"])))

    assert [(row[1], row[2]) for row in rows] == [(x.poor, x.empowered) for x in [*lines, total]]
    # Members on AS_OF: a1 2, a2 2, b1 2, c1 1, c2 1 (the dashboard's households).
    table = breakdown(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)
    assert rows[-1][2] == table.total.values["households"] == 8


# Group list ----------------------------------------------------------------------------------------------------


def test_the_group_list_holds_every_group_in_scope(programme, users, regions):
    rows = sheet_rows(upward.write_xlsx(report("groups", users["admin"], regions["regency"])))

    ids = {row[0] for row in rows[:-1]}
    assert ids == {programme.a1.pk, programme.a2.pk, programme.b1.pk, programme.c1.pk, programme.c2.pk}
    table = breakdown(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)
    assert rows[-1][7] == table.total.values["members"]
    assert rows[-1][9] == table.total.values["aid_paid"]


def test_a_kecamatan_operators_group_list_has_nothing_outside_its_kecamatan(programme, users, regions):
    built = report("groups", users["camat"], regions["kec_a"])

    ids = {row[0] for row in built.sections[0].rows}
    assert ids == {programme.a1.pk, programme.a2.pk, programme.b1.pk}


# Requests, the background path and scope -------------------------------------------------------------------------


def ask(client: Client, user: User, **data: Any) -> HttpResponse:
    client.force_login(user)
    form = {"kind": "recap", "region": "64.01.04", "span": "year", "year": 2027, "as_of": "2027-09-30", "fmt": "xlsx"}
    return client.post(reverse("reports:upward"), {**form, **data})


def test_a_small_report_is_made_at_once_and_downloaded_by_its_requester(client, programme, users):
    response = ask(client, users["camat"])

    wanted = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == wanted.get_absolute_url()
    assert wanted.status == ReportRequest.Status.DONE and wanted.progress == 100
    download = client.get(reverse("reports:upward-download", args=[wanted.pk]))
    assert download.status_code == 200
    rows = sheet_rows(b"".join(download.streaming_content))
    download.close()
    assert rows[-1][1] == 3  # Tanah Grogot's three groups


def test_a_large_report_goes_to_the_task_worker_and_records_its_progress(
    client, programme, users, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    monkeypatch.setattr(upward, "INLINE_MAX_GROUPS", 2)
    seen: list[object] = []
    real = upward._set
    monkeypatch.setattr(
        upward, "_set", lambda wanted, **fields: (seen.append(fields.get("progress")), real(wanted, **fields))
    )

    ask(client, users["camat"], kind="programme", fmt="pdf")  # three groups: more than two

    wanted = ReportRequest.objects.get()
    assert wanted.status == ReportRequest.Status.PENDING
    waiting = client.get(reverse("reports:upward-detail", args=[wanted.pk])).content.decode()
    assert "<progress" in waiting and reverse("reports:upward-progress", args=[wanted.pk]) in waiting
    assert client.get(reverse("reports:upward-download", args=[wanted.pk])).status_code == 404

    tasks.make_report.call(wanted.pk)  # what the worker does

    wanted.refresh_from_db()
    assert wanted.status == ReportRequest.Status.DONE and wanted.file.name.endswith(".pdf")
    assert [p for p in seen if p is not None] == [5, 30, 50, 65, 80, 100]
    download = client.get(reverse("reports:upward-download", args=[wanted.pk]))
    download.close()
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_a_report_that_fails_says_so_on_its_page_not_with_a_500(client, programme, users, monkeypatch):
    def broken(report: upward.Report, fmt: str) -> bytes:
        raise ValueError("the disk is full")

    monkeypatch.setattr(upward, "write", broken)

    response = ask(client, users["camat"])

    wanted = ReportRequest.objects.get()
    assert (wanted.status, wanted.error) == (ReportRequest.Status.FAILED, "the disk is full")
    assert "could not be made" in client.get(response.url).content.decode()


def test_the_progress_fragment_reloads_the_page_once_the_report_is_ready(client, programme, users):
    ask(client, users["camat"])
    wanted = ReportRequest.objects.get()

    response = client.get(reverse("reports:upward-progress", args=[wanted.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


@pytest.mark.parametrize(("username", "status"), [("admin", 200), ("camat_c", 404), ("officer", 404)])
def test_a_reports_file_is_for_its_requester_and_the_admin_dinas(client, programme, users, username, status):
    ask(client, users["camat"])
    wanted = ReportRequest.objects.get()
    client.force_login(users[username])

    response = client.get(reverse("reports:upward-download", args=[wanted.pk]))
    response.close()
    assert response.status_code == status


@pytest.mark.parametrize("username", ["desa_a", "facilitator"])
def test_village_operators_and_facilitators_do_not_report_upward(client, users, username):
    client.force_login(users[username])

    assert client.get(reverse("reports:upward")).status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"span": "range", "start": "2027-09-01", "end": "2027-03-01"}, "The period must start before it ends."),
        ({"span": "range", "start": "2027-13-45", "end": "2027-03-01"}, "Enter a valid date."),
        ({"as_of": "2026-12-31"}, "cannot come before the period starts"),
        ({"span": "quarter", "quarter": ""}, "Choose the quarter."),
        ({"region": "64.02"}, "Select a valid choice."),
        ({"region": "64.01"}, "Select a valid choice."),  # the regency is above a kecamatan operator
    ],
)
def test_bad_input_gets_a_message_and_makes_nothing(client, programme, users, data, message):
    response = ask(client, users["camat"], **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_the_form_offers_the_users_region_and_the_kecamatan_below_it(client, regions, users):
    client.force_login(users["admin"])

    choices = client.get(reverse("reports:upward")).context["form"].fields["region"].choices

    assert [code for code, _label in choices] == ["64.01", "64.01.04", "64.01.05"]


def test_the_menu_offers_reports_to_the_dinas_and_kecamatan_operators(client, users):
    for username, shown in [("admin", True), ("monitor", True), ("camat", True), ("desa_a", False)]:
        client.force_login(users[username])
        page = client.get(reverse("dashboard")).content.decode()
        assert (reverse("reports:upward") in page) is shown, username
