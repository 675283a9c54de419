from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from berdaya.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C
from berdaya.registry import importing
from berdaya.registry.importing import checking, keys, run_import, running, writing
from berdaya.registry.models import AssistanceRecord, Household, ImportJob, Person
from berdaya.registry.synthetic import build_nik

from .factories import PersonFactory

TODAY = dt.date(2026, 1, 15)
HEADER = "nik,kk_number,name,village_code,sex,birth_date,address"
KK_1 = "6401041501150001"
KK_2 = "6401041501150002"


def nik(serial: int, *, sex: str = "L", born: dt.date = dt.date(1980, 5, 2)) -> str:
    return build_nik(kecamatan="64.01.04", birth_date=born, sex=sex, serial=serial)


def good_rows() -> list[str]:
    return [
        f"{nik(1)},{KK_1},Budi Santoso,{VILLAGE_A},L,1980-05-02,Jl. Mawar 1",
        f"{nik(2, sex='P')},{KK_1},Siti Aminah,{VILLAGE_A},P,02-05-1980,Jl. Mawar 1",
        f"{nik(3)},{KK_2},Joko,{VILLAGE_B},L,02/05/1980,",
    ]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted as their English msgids, whatever the Indonesian catalogue says."""
    with translation.override("en"):
        yield


def write_csv(tmp_path: Path, lines: list[str], *, name: str = "file.csv", encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def run(path: Path, users, *, username: str = "admin", **kwargs):
    kwargs.setdefault("today", TODAY)
    return run_import(path, kind=kwargs.pop("kind", "registry"), by=users[username], **kwargs)


def messages(result) -> list[str]:
    return [issue.text() for issue in result.issues]


# --- good files --------------------------------------------------------------------------------------------------


def test_a_dry_run_reports_every_row_and_stores_nothing(tmp_path, users):
    result = run(write_csv(tmp_path, [HEADER, *good_rows()]), users)

    assert (result.summary.total, result.summary.accepted, result.summary.created) == (3, 3, 3)
    assert not Person.objects.exists()


def test_a_commit_stores_households_and_persons(tmp_path, users):
    result = run(write_csv(tmp_path, [HEADER, *good_rows()]), users, dry_run=False)

    assert result.summary.committed
    assert Household.objects.count() == 2
    siti = Person.objects.get(nik=nik(2, sex="P"))
    assert (siti.name, siti.household.kk_number, siti.sex, siti.birth_date) == (
        "Siti Aminah",
        KK_1,
        "P",
        dt.date(1980, 5, 2),
    )


def test_the_audit_trail_names_the_importing_user(tmp_path, users):
    run(write_csv(tmp_path, [HEADER, *good_rows()]), users, dry_run=False)

    assert Person.history.filter(history_user=users["admin"]).count() == 3


def test_importing_the_same_file_twice_changes_nothing(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, *good_rows()])
    run(path, users, dry_run=False)

    second = run(path, users, dry_run=False)

    assert (second.summary.created, second.summary.updated, second.summary.unchanged) == (0, 0, 3)
    assert Person.history.count() == 3


def test_the_first_row_of_a_kk_decides_its_household_even_in_a_later_batch(tmp_path, users, monkeypatch):
    monkeypatch.setattr(checking, "BATCH_SIZE", 1)
    rows = good_rows()
    rows[1] = rows[1].replace("Jl. Mawar 1", "Jl. Melati 9")  # the second member of KK_1, in the second batch

    result = run(write_csv(tmp_path, [HEADER, *rows]), users, dry_run=False)

    assert (result.summary.households_created, result.summary.households_updated) == (2, 0)
    assert Household.objects.get(kk_number=KK_1).address == "Jl. Mawar 1"
    assert Household.history.filter(kk_number=KK_1).count() == 1


def test_a_dry_run_counts_a_household_spread_over_batches_once(tmp_path, users, monkeypatch):
    monkeypatch.setattr(checking, "BATCH_SIZE", 1)

    result = run(write_csv(tmp_path, [HEADER, *good_rows()]), users)

    assert (result.summary.households_created, result.summary.households_updated) == (2, 0)


def test_a_changed_row_updates_the_person(tmp_path, users):
    run(write_csv(tmp_path, [HEADER, *good_rows()]), users, dry_run=False)
    rows = good_rows()
    rows[2] = rows[2].replace("Joko", "Joko Widodo")

    result = run(write_csv(tmp_path, [HEADER, *rows], name="v2.csv"), users, dry_run=False)

    assert (result.summary.updated, result.summary.unchanged) == (1, 2)
    assert Person.objects.get(nik=nik(3)).name == "Joko Widodo"


def test_a_changed_row_is_in_the_audit_trail_with_the_importing_user(tmp_path, users):
    run(write_csv(tmp_path, [HEADER, *good_rows()]), users, dry_run=False)
    rows = good_rows()
    rows[2] = rows[2].replace("Joko", "Joko Widodo")

    run(write_csv(tmp_path, [HEADER, *rows], name="v2.csv"), users, dry_run=False)

    change = Person.history.get(nik=nik(3), history_type="~")
    assert (change.name, change.history_user, change.household_id) == (
        "Joko Widodo",
        users["admin"],
        Household.objects.get(kk_number=KK_2).pk,
    )


def test_an_unknown_relation_is_a_warning_and_left_empty(tmp_path, users):
    path = write_csv(tmp_path, ["nik,kk_number,name,village_code,relation", f"{nik(1)},{KK_1},Budi,{VILLAGE_A},Kakak"])

    result = run(path, users, dry_run=False)

    assert (result.summary.accepted, result.summary.warnings) == (1, 1)
    assert messages(result) == ["Unknown value Kakak; left empty."]
    assert Person.objects.get().relation == ""


def test_a_birth_date_that_is_not_a_date_is_rejected(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"{nik(1)},{KK_1},Budi,{VILLAGE_A},L,2 Mei 1980,"])

    result = run(path, users)

    assert result.summary.rejected == 1
    assert messages(result) == ["2 Mei 1980 is not a date; write YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."]


def test_indonesian_headers_semicolons_and_excel_serial_dates_are_read(tmp_path, users):
    serial = (dt.date(1980, 5, 2) - dt.date(1899, 12, 30)).days
    path = write_csv(
        tmp_path,
        [
            "NIK;Nomor KK;Nama;Kode Desa;Jenis Kelamin;Tanggal Lahir;Desil;Status Perkawinan",
            f"{nik(1)};{KK_1};Budi;{VILLAGE_A.replace('.', '')};Laki-laki;{serial};3;Kawin",
        ],
    )

    result = run(path, users, dry_run=False)

    person = Person.objects.select_related("household").get()
    assert result.summary.accepted == 1
    assert (person.sex, person.birth_date, person.marital_status) == ("L", dt.date(1980, 5, 2), "married")
    assert (person.household.village_id, person.household.decile) == (VILLAGE_A, 3)


def test_a_leading_apostrophe_is_a_warning_not_a_rejection(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"'{nik(1)},{KK_1},Budi,{VILLAGE_A},L,1980-05-02,"])

    result = run(path, users)

    assert (result.summary.accepted, result.summary.warnings, result.summary.rejected) == (1, 1, 0)


def test_a_nik_that_disagrees_with_the_sex_is_a_warning(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"{nik(1)},{KK_1},Budi,{VILLAGE_A},P,1980-05-02,"])

    result = run(path, users)

    assert result.summary.warnings == 1
    assert result.summary.rejected == 0


# --- the bad-file suite ------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path, users):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    result = run(path, users, dry_run=False)

    assert result.summary.error == "The file is empty."


def test_a_header_without_rows_is_refused(tmp_path, users):
    result = run(write_csv(tmp_path, [HEADER]), users)

    assert "no rows" in result.summary.error


def test_a_windows_1252_file_is_refused_with_the_reason(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"{nik(1)},{KK_1},Andrés Muñoz,{VILLAGE_A},L,1980-05-02,"], encoding="cp1252")

    result = run(path, users, dry_run=False)

    assert "Windows-1252" in result.summary.error
    assert not Person.objects.exists()


def test_a_missing_required_column_is_named(tmp_path, users):
    path = write_csv(tmp_path, ["nik,name,village_code", f"{nik(1)},Budi,{VILLAGE_A}"])

    result = run(path, users)

    assert "Required columns are missing: KK number" in result.summary.error


def test_duplicate_niks_in_one_file_are_rejected(tmp_path, users):
    rows = good_rows()
    path = write_csv(tmp_path, [HEADER, rows[0], rows[0].replace("Budi Santoso", "Budi S")])

    result = run(path, users)

    assert result.summary.rejected == 1
    assert f"NIK {nik(1)} is already on line 2 of this file." in messages(result)


def test_a_15_digit_nik_is_rejected_as_excel_truncated(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"{nik(1)[:15]},{KK_1},Budi,{VILLAGE_A},L,1980-05-02,"])

    result = run(path, users)

    assert result.summary.rejected == 1
    assert "dropped the last one" in messages(result)[0]


def test_a_nik_in_scientific_notation_is_rejected(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"6.40104E+15,{KK_1},Budi,{VILLAGE_A},L,1980-05-02,"])

    result = run(path, users)

    assert result.summary.rejected == 1
    assert "scientific notation" in messages(result)[0]


def test_a_formula_cell_is_rejected(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, f"{nik(1)},{KK_1},=cmd|' /C calc'!A0,{VILLAGE_A},L,1980-05-02,"])

    result = run(path, users)

    assert result.summary.rejected == 1
    assert "A formula is not allowed here; type the value." in messages(result)


def test_fifty_megabytes_of_binary_junk_is_refused(tmp_path, users):
    path = tmp_path / "junk.csv"
    path.write_bytes(os.urandom(50 * 1024 * 1024))

    result = run(path, users, dry_run=False)

    assert result.summary.error
    assert result.summary.total == 0
    assert not Household.objects.exists()


def test_fifty_megabytes_of_text_junk_is_refused(tmp_path, users):
    path = tmp_path / "junk.csv"
    path.write_bytes(b"x" * (50 * 1024 * 1024))

    result = run(path, users, dry_run=False)

    assert result.summary.error
    assert not Household.objects.exists()


def test_a_village_outside_the_users_region_is_rejected(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, *good_rows()])

    result = run(path, users, username="desa_a")

    assert result.summary.rejected == 1
    assert f"{VILLAGE_B} is not the code of a village in your region." in messages(result)


def test_a_person_registered_outside_the_region_cannot_be_taken_over(tmp_path, users, regions):
    PersonFactory(nik=nik(1), household__village=regions["village_c"])
    path = write_csv(tmp_path, [HEADER, good_rows()[0]])

    result = run(path, users, username="desa_a", dry_run=False)

    assert result.summary.rejected == 1
    assert Person.objects.get(nik=nik(1)).household.village_id == VILLAGE_C


# --- all or nothing ----------------------------------------------------------------------------------------------


def test_a_commit_with_a_rejected_row_stores_nothing(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, *good_rows(), f"123,{KK_2},Bad,{VILLAGE_A},L,,"])

    result = run(path, users, dry_run=False)

    assert "1 rows were rejected, so nothing was imported" in result.summary.error
    assert not Person.objects.exists()
    assert not Household.objects.exists()


def test_accepted_only_stores_the_rest_and_reports_every_skipped_row(tmp_path, users):
    path = write_csv(tmp_path, [HEADER, *good_rows(), f"123,{KK_2},Bad,{VILLAGE_A},L,,"])

    result = run(path, users, dry_run=False, accepted_only=True)

    assert result.summary.committed
    assert (result.summary.created, result.summary.skipped) == (3, 1)
    assert {issue.line for issue in result.issues if issue.level == "rejected"} == {5}
    assert Person.objects.count() == 3


def test_a_failure_midway_leaves_nothing_behind(tmp_path, users, monkeypatch):
    monkeypatch.setattr(checking, "BATCH_SIZE", 1)
    path = write_csv(tmp_path, [HEADER, *good_rows()])
    calls = []
    original = writing.Writer.__call__

    def fail_on_third(self, rows):
        calls.append(rows)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(self, rows)

    monkeypatch.setattr(writing.Writer, "__call__", fail_on_third)

    with pytest.raises(RuntimeError):
        run(path, users, dry_run=False)

    assert not Person.objects.exists()
    assert not Household.objects.exists()


# --- mapping unknown headers -------------------------------------------------------------------------------------


def test_unknown_headers_are_reported_and_can_be_mapped(tmp_path, users):
    path = write_csv(tmp_path, ["Kolom X,kk,nama,desa", f"{nik(1)},{KK_1},Budi,{VILLAGE_A}"])

    unmapped = run(path, users)
    mapped = run(path, users, mapping={"Kolom X": "nik"})

    assert unmapped.summary.unknown_headers == ["Kolom X"]
    assert "NIK" in unmapped.summary.error
    assert (mapped.summary.error, mapped.summary.accepted) == ("", 1)


# --- XLSX --------------------------------------------------------------------------------------------------------


def write_xlsx(tmp_path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "file.xlsx"
    workbook.save(path)
    return path


def test_an_xlsx_file_is_imported_with_its_date_cells(tmp_path, users):
    path = write_xlsx(
        tmp_path,
        [
            ["NIK", "No KK", "Nama", "Desa", "Tanggal Lahir"],
            [nik(1), KK_1, "Budi", VILLAGE_A, dt.datetime(1980, 5, 2)],  # noqa: DTZ001 - spreadsheet cells are naive
        ],
    )

    result = run(path, users, dry_run=False)

    assert result.summary.created == 1
    assert Person.objects.get().birth_date == dt.date(1980, 5, 2)


def test_a_formula_in_an_xlsx_cell_is_rejected(tmp_path, users):
    path = write_xlsx(
        tmp_path,
        [
            ["NIK", "No KK", "Nama", "Desa"],
            [nik(1), KK_1, '=HYPERLINK("http://evil","x")', VILLAGE_A],
        ],
    )

    result = run(path, users)

    assert result.summary.rejected == 1


def test_a_nik_stored_as_a_number_gets_a_warning(tmp_path, users):
    path = write_xlsx(tmp_path, [["NIK", "No KK", "Nama", "Desa"], [int(nik(1)), KK_1, "Budi", VILLAGE_A]])

    result = run(path, users)

    assert (result.summary.accepted, result.summary.warnings) == (1, 1)


def test_the_report_lists_each_problem_in_indonesian_and_english(tmp_path, users):
    result = run(write_csv(tmp_path, [HEADER, f"{nik(1)[:15]},{KK_1},Budi,{VILLAGE_A},L,1980-05-02,"]), users)
    stream = io.BytesIO()

    importing.write_report(result, stream)

    sheet = load_workbook(io.BytesIO(stream.getvalue())).worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == 2
    assert "dropped the last one" in rows[1][5]


@pytest.mark.parametrize(
    ("line", "indonesian"),
    [
        (f"{nik(1)},{KK_1},=cmd|' /C calc'!A0,{VILLAGE_A},L,1980-05-02,", "Rumus tidak diperbolehkan di sini"),
        (f"{nik(1)},{KK_1},Budi,{VILLAGE_A},L,31-02-1980,", "bukan tanggal"),
        (f"{nik(1)},{KK_1},,{VILLAGE_A},L,1980-05-02,", "Nama kosong."),
    ],
)
def test_the_checkers_own_messages_are_in_indonesian_too(tmp_path, users, line, indonesian):
    result = run(write_csv(tmp_path, [HEADER, line]), users)

    with translation.override("id"):
        texts = messages(result)

    assert any(indonesian in text for text in texts), texts


# --- assistance history ------------------------------------------------------------------------------------------


def test_history_is_linked_to_registered_persons(tmp_path, users, regions):
    person = PersonFactory(household__village=regions["village_a"])
    path = write_csv(tmp_path, ["NIK,Program,Tahun,Sumber Dana,Nilai", f"{person.nik},KUBE,2019,APBN,Rp 2.000.000"])

    result = run(path, users, kind="history", dry_run=False)

    record = AssistanceRecord.objects.get()
    assert result.summary.created == 1
    assert (record.person, record.household, record.programme, record.amount) == (
        person,
        person.household,
        "kube",
        2_000_000,
    )


def test_history_of_an_unknown_nik_is_rejected(tmp_path, users):
    path = write_csv(tmp_path, ["NIK,Program,Tahun", f"{nik(9)},PKH,2023"])

    result = run(path, users, kind="history", dry_run=False, accepted_only=True)

    assert result.summary.rejected == 1
    assert "is not in the registry of your region" in messages(result)[0]


def test_reimporting_history_changes_nothing(tmp_path, users, regions):
    person = PersonFactory(household__village=regions["village_a"])
    path = write_csv(tmp_path, ["NIK,Program,Tahun", f"{person.nik},BPNT/Sembako,2023"])
    run(path, users, kind="history", dry_run=False)

    second = run(path, users, kind="history", dry_run=False)

    assert (second.summary.created, second.summary.unchanged) == (0, 1)
    assert AssistanceRecord.objects.count() == 1


# --- command line ------------------------------------------------------------------------------------------------


def test_the_command_prints_the_report(tmp_path, users, capsys):
    path = write_csv(tmp_path, [HEADER, *good_rows()])

    call_command("import", "registry", str(path), "--by", "admin")

    out = capsys.readouterr().out
    assert "Rows in the file: 3" in out
    assert Person.objects.count() == 3


def test_the_command_dry_run_stores_nothing(tmp_path, users, capsys):
    call_command("import", "registry", str(write_csv(tmp_path, [HEADER, *good_rows()])), "--dry-run", "--by", "admin")

    assert not Person.objects.exists()


def test_the_command_maps_columns(tmp_path, users, capsys):
    path = write_csv(tmp_path, ["Kolom X,kk,nama,desa", f"{nik(1)},{KK_1},Budi,{VILLAGE_A}"])

    call_command("import", "registry", str(path), "--map", "Kolom X=nik", "--by", "admin")

    assert Person.objects.count() == 1


def test_the_command_fails_on_a_refused_file(tmp_path, users, capsys):
    path = write_csv(tmp_path, [HEADER, f"123,{KK_1},Bad,{VILLAGE_A},L,,"])

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "registry", str(path), "--by", "admin")


# --- the import pages --------------------------------------------------------------------------------------------


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def media(tmp_path, settings):
    """Uploads in a temporary folder, and the task worker's work done at once, as the worker would."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return settings.MEDIA_ROOT


def upload(client, tmp_path: Path, lines: list[str]):
    with write_csv(tmp_path, lines, name="upload.csv").open("rb") as f:
        return client.post(reverse("registry:import-list"), {"kind": "registry", "file": f})


def test_uploading_a_file_checks_it_and_committing_stores_it(client, users, tmp_path, media):
    client.force_login(users["officer"])
    upload(client, tmp_path, [HEADER, *good_rows()])
    job = ImportJob.objects.get()
    assert (job.status, job.summary["accepted"]) == ("checked", 3)

    client.post(reverse("registry:import-commit", args=[job.pk]), {"confirmed": "1"})

    job.refresh_from_db()
    assert job.status == "done"
    assert Person.objects.count() == 3


def test_the_import_page_counts_households_too(client, users, tmp_path, media):
    client.force_login(users["officer"])
    upload(client, tmp_path, [HEADER, *good_rows()])
    job = ImportJob.objects.get()

    page = client.get(reverse("registry:import-detail", args=[job.pk])).content.decode()  # Indonesian by default

    assert re.search(r"<b>2</b><span>Keluarga yang akan menjadi data baru</span>", page)


def test_the_import_page_writes_large_counts_with_the_languages_grouping(client, users, tmp_path, media):
    client.force_login(users["officer"])
    upload(client, tmp_path, [HEADER, *good_rows()])
    job = ImportJob.objects.get()
    job.summary = {**job.summary, "total": 1_000_000}
    job.save(update_fields=["summary"])

    page = client.get(reverse("registry:import-detail", args=[job.pk])).content.decode()  # Indonesian by default

    assert "<b>1.000.000</b>" in page


def test_the_progress_fragment_reloads_the_page_once_the_worker_is_done(client, users, tmp_path, media):
    client.force_login(users["officer"])
    upload(client, tmp_path, [HEADER, *good_rows()])
    job = ImportJob.objects.get()

    response = client.get(reverse("registry:import-progress", args=[job.pk]), headers={"HX-Request": "true"})

    assert job.status == "checked"
    assert response["HX-Refresh"] == "true"


def test_the_progress_fragment_polls_while_the_job_runs(client, users, tmp_path, media, regions):
    job = ImportJob.objects.create(
        kind="registry",
        file="imports/x.csv",
        original_name="x.csv",
        region=regions["regency"],
        created_by=users["officer"],
        status="checking",
    )
    client.force_login(users["officer"])

    page = client.get(reverse("registry:import-progress", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in page


def test_the_xlsx_report_can_be_downloaded(client, users, tmp_path, media):
    client.force_login(users["officer"])
    upload(client, tmp_path, [HEADER, f"6.40104E+15,{KK_1},Budi,{VILLAGE_A},L,1980-05-02,"])
    job = ImportJob.objects.get()

    response = client.get(reverse("registry:import-report", args=[job.pk]))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "scientific notation" in list(workbook.worksheets[1].iter_rows(values_only=True))[1][5]


@pytest.mark.parametrize(("username", "status"), [("officer", 200), ("admin", 200), ("desa_c", 404), ("camat_c", 404)])
def test_an_import_is_seen_only_inside_its_scope(client, users, regions, media, username, status):
    job = ImportJob.objects.create(
        kind="registry",
        file="imports/x.csv",
        original_name="x.csv",
        region=regions["kec_a"],
        created_by=users["camat"],
        status="checked",
    )
    client.force_login(users[username])

    assert client.get(job.get_absolute_url()).status_code == status


def test_a_monitor_cannot_import(client, users):
    client.force_login(users["monitor"])

    assert client.get(reverse("registry:import-list")).status_code == 403


# --- large files: checked in a second process ----------------------------------------------------------------------


@pytest.fixture
def in_a_second_process(monkeypatch):
    """Every file counts as large, so it is read and checked by the child process."""
    monkeypatch.setattr(running, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(checking, "BATCH_SIZE", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_a_large_file_checked_in_a_second_process_is_stored(tmp_path, users, in_a_second_process):
    path = write_csv(tmp_path, [HEADER, *good_rows()])

    result = run(path, users, dry_run=False)

    assert result.summary.committed
    assert (result.summary.total, result.summary.created) == (3, 3)
    assert Person.objects.get(nik=nik(2, sex="P")).birth_date == dt.date(1980, 5, 2)


def test_the_second_process_reports_a_nik_repeated_in_a_later_batch(tmp_path, users, in_a_second_process):
    path = write_csv(tmp_path, [HEADER, *good_rows(), f"{nik(1)},{KK_2},Budi Lagi,{VILLAGE_B},L,1980-05-02,"])

    result = run(path, users)

    assert f"NIK {nik(1)} is already on line 2 of this file." in messages(result)
    assert [issue.line for issue in result.issues] == [5]


def test_a_file_error_found_by_the_second_process_reaches_the_user_and_stores_nothing(
    tmp_path, users, in_a_second_process, monkeypatch
):
    monkeypatch.setattr(checking, "BATCH_SIZE", 200)
    # Past the first 64 KB, which the parent itself reads to tell the encoding.
    good = [
        f"{nik(serial)},{KK_1},Budi Santoso {serial},{VILLAGE_A},L,1980-05-02,Jl. Mawar 1" for serial in range(1, 1001)
    ]
    path = tmp_path / "mixed.csv"
    bad = f"{nik(1001)},{KK_2},Andr\xe9,{VILLAGE_B},L,1980-05-02,"
    path.write_bytes("\n".join([HEADER, *good]).encode("utf-8") + b"\n" + bad.encode("cp1252") + b"\n")
    assert path.stat().st_size > 64 * 1024

    result = run(path, users, dry_run=False)

    assert "Line 1002 is not UTF-8 text" in result.summary.error
    assert not Person.objects.exists()


def test_a_person_stored_by_someone_else_meanwhile_fails_the_import_cleanly(tmp_path, users, monkeypatch):
    PersonFactory(nik=nik(1), household__village_id=VILLAGE_A, birth_date=dt.date(1980, 5, 2))
    # As if the registry had been read before another import stored that person.
    monkeypatch.setattr(keys.KeySet, "of_column", classmethod(lambda cls, table, column: cls([])))
    path = write_csv(tmp_path, [HEADER, *good_rows()])

    result = run(path, users, dry_run=False)

    assert "stored by someone else while this file was being imported" in result.summary.error
    assert not result.summary.committed
    assert Person.objects.count() == 1


def test_imported_names_lose_bidi_and_zero_width_controls_and_are_stored_composed(tmp_path, users):
    decomposed = unicodedata.normalize("NFD", "Désy")
    path = write_csv(
        tmp_path,
        [
            HEADER,
            f"{nik(1)},{KK_1},\u202eBudi\u200b Santoso,{VILLAGE_A},L,1980-05-02,",
            f"{nik(2, sex='P')},{KK_1},{decomposed} Aminah,{VILLAGE_A},P,1980-05-02,",
            f"{nik(3)},{KK_2},Joko,{VILLAGE_B},L,1980-05-02,",
        ],
    )

    result = run(path, users, dry_run=False)

    assert result.summary.accepted == 3
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Budi Santoso", "Désy Aminah", "Joko"]


def test_a_decile_in_superscript_digits_is_rejected_not_a_crash(tmp_path, users):
    path = write_csv(tmp_path, ["nik,kk_number,name,village_code,decile", f"{nik(1)},{KK_1},Budi,{VILLAGE_A},\u00b2"])

    result = run(path, users)

    assert messages(result) == ["The decile must be a whole number from 1 to 10."]
