"""Awards: who reaches the shortlist and why not, the committee's marks, the ranking and its tie-break, the result
as PDF and XLSX, and who may see a round.

Scorecards are LevelSnapshots of July to December 2027; the shortlist reads December (`TODAY` is in it).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.monitoring.models import EarlyWarning, Level
from berdaya.monitoring.tests.factories import EarlyWarningFactory, LevelSnapshotFactory
from berdaya.regions.models import Region
from berdaya.reports import awards
from berdaya.reports.awards import AwardError
from berdaya.reports.models import Assessment, AwardEntry, AwardRound
from berdaya.worklist import gather

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 12, 20)
MONTHS = [dt.date(2027, month, 1) for month in range(7, 13)]


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def group(
    name: str,
    total: int,
    *,
    level: int = Level.BERKEMBANG,
    months: int = 6,
    village: str = "64.01.04.2004",
    facilitator: User | None = None,
) -> Kube:
    """A group with a scorecard of `total` at `level` for the last `months` months of 2027."""
    kube = KubeFactory(name=name, village__code=village, status=Kube.Status.ACTIVE, facilitator=facilitator)
    scores = {"manusia": total, "usaha": total, "lingkungan": total, "kelembagaan": total, "total": total}
    for month in MONTHS[-months:]:
        LevelSnapshotFactory(kube=kube, month=month, level=level, scores=scores)
    return kube


def new_round(users: dict[str, User], regions: dict[str, Region], **rules: Any) -> AwardRound:
    rules = {"kind": AwardRound.Kind.KUBE, "min_score": 60, "months_of_data": 6, **rules}
    return awards.create_round(region=regions["regency"], year=2027, by=users["admin"], **rules)


def shortlist(award: AwardRound, users: dict[str, User]) -> dict[str, AwardEntry]:
    entries = awards.build_shortlist(award=award, by=users["admin"], today=TODAY)
    return {entry.name: entry for entry in entries}


def mark(entry: AwardEntry, by: User, institution: int, social: int, economic: int, **extra: Any) -> Assessment:
    return awards.record_assessment(
        entry=entry, by=by, institution=institution, social=social, economic=economic, **extra
    )


def reasons(entry: AwardEntry) -> str:
    with translation.override("en"):
        return " ".join(entry.reason_texts())


# The shortlist ----------------------------------------------------------------------------------------------------


def test_a_group_meeting_every_threshold_is_shortlisted_with_its_scorecard(users, regions):
    group("KUBE Sejahtera", 80)

    entries = shortlist(new_round(users, regions), users)

    entry = entries["KUBE Sejahtera"]
    assert (entry.shortlisted, entry.rank, entry.scorecard, entry.reasons) == (True, 1, Decimal(80), [])


def test_a_group_below_the_minimum_scorecard_is_left_out_with_the_reason(users, regions):
    group("KUBE Lemah", 55)

    entry = shortlist(new_round(users, regions, min_score=60), users)["KUBE Lemah"]

    assert not entry.shortlisted
    assert reasons(entry) == "Scorecard 55 is below 60."


def test_a_group_with_a_problem_past_its_deadline_is_left_out(users, regions):
    kube = group("KUBE Bermasalah", 90)
    EarlyWarningFactory(kube=kube, kind=EarlyWarning.Kind.PROBLEM_OVERDUE, key="7")

    entry = shortlist(new_round(users, regions), users)["KUBE Bermasalah"]

    assert not entry.shortlisted
    assert reasons(entry) == "An open problem is past its deadline."


def test_a_problem_warning_already_handled_does_not_keep_a_group_out(users, regions):
    kube = group("KUBE Pulih", 90)
    EarlyWarningFactory(
        kube=kube, kind=EarlyWarning.Kind.PROBLEM_OVERDUE, key="7", handled_at=dt.datetime(2027, 11, 1, tzinfo=dt.UTC)
    )

    assert shortlist(new_round(users, regions), users)["KUBE Pulih"].shortlisted


def test_a_group_short_of_the_months_of_data_is_left_out(users, regions):
    group("KUBE Baru", 90, months=3)

    entry = shortlist(new_round(users, regions, months_of_data=6), users)["KUBE Baru"]

    assert not entry.shortlisted
    assert reasons(entry) == "Scorecards for 3 of the last 6 months."


def test_a_group_below_the_minimum_level_is_left_out(users, regions):
    group("KUBE Tumbuh", 90, level=Level.TUMBUH)

    entry = shortlist(new_round(users, regions, min_level=Level.BERKEMBANG), users)["KUBE Tumbuh"]

    assert not entry.shortlisted
    assert reasons(entry) == "Level Tumbuh is below Berkembang."


def test_the_shortlist_keeps_the_best_up_to_its_size(users, regions):
    for name, total in [("KUBE A", 70), ("KUBE B", 95), ("KUBE C", 85)]:
        group(name, total)

    entries = shortlist(new_round(users, regions, max_shortlist=2), users)

    assert [(name, entries[name].rank) for name in ("KUBE B", "KUBE C")] == [("KUBE B", 1), ("KUBE C", 2)]
    assert reasons(entries["KUBE A"]) == "Ranked 3: beyond the shortlist of 2."


def test_groups_of_another_regency_are_not_candidates(users, regions):
    group("KUBE Tetangga", 99, village="64.02.01.2001")
    group("KUBE Paser", 70)

    entries = shortlist(new_round(users, regions), users)

    assert list(entries) == ["KUBE Paser"]


def test_a_facilitator_is_judged_by_the_average_of_their_groups(users, regions):
    facilitator = users["facilitator"]
    group("KUBE Satu", 70, facilitator=facilitator)
    group("KUBE Dua", 90, facilitator=facilitator)
    group("KUBE Muda", 10, months=2, facilitator=facilitator)  # short of data: not counted either way

    entries = shortlist(new_round(users, regions, kind=AwardRound.Kind.FACILITATOR), users)

    entry = entries[str(facilitator)]
    assert (entry.shortlisted, entry.scorecard, entry.scores["counted"], entry.scores["groups"]) == (
        True,
        Decimal("80.00"),
        2,
        3,
    )


def test_a_facilitator_with_an_overdue_problem_in_a_group_is_left_out(users, regions):
    facilitator = users["facilitator"]
    kube = group("KUBE Satu", 90, facilitator=facilitator)
    EarlyWarningFactory(kube=kube, kind=EarlyWarning.Kind.PROBLEM_OVERDUE, key="3")

    entry = shortlist(new_round(users, regions, kind=AwardRound.Kind.FACILITATOR), users)[str(facilitator)]

    assert reasons(entry) == "An open problem is past its deadline in KUBE Satu."


def test_no_scorecard_in_the_year_means_no_shortlist(users, regions):
    award = new_round(users, regions)

    with pytest.raises(AwardError, match="has a scorecard in 2027"):
        awards.build_shortlist(award=award, by=users["admin"], today=TODAY)

    assert AwardRound.objects.get(pk=award.pk).status == AwardRound.Status.DRAFT


def test_the_reason_a_group_was_left_out_is_shown_on_the_round_page(client, users, regions, english):
    group("KUBE Lemah", 55)
    award = new_round(users, regions)
    shortlist(award, users)
    client.force_login(users["officer"])

    page = client.get(award.get_absolute_url()).content.decode()

    assert "KUBE Lemah" in page
    assert "Scorecard 55 is below 60." in page


# The committee's marks ------------------------------------------------------------------------------------------


@pytest.fixture
def shortlisted(users, regions) -> dict[str, AwardEntry]:
    group("KUBE Atas", 90)
    group("KUBE Tengah", 80)
    group("KUBE Bawah", 70)
    return shortlist(new_round(users, regions), users)


def test_a_mark_above_100_is_refused(users, shortlisted):
    with pytest.raises(AwardError, match="from 0 to 100"):
        mark(shortlisted["KUBE Atas"], users["admin"], 101, 50, 50)

    assert not Assessment.objects.exists()


def test_the_form_refuses_a_mark_above_100_and_records_nothing(client, users, shortlisted, english):
    client.force_login(users["officer"])
    entry = shortlisted["KUBE Atas"]

    response = client.post(entry.get_absolute_url(), {"institution": 120, "social": 50, "economic": 50})

    assert "less than or equal to 100" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_form_records_a_committee_members_marks(client, users, shortlisted):
    client.force_login(users["officer"])
    entry = shortlisted["KUBE Atas"]

    response = client.post(entry.get_absolute_url(), {"institution": 80, "social": 70, "economic": 60})

    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.assessor, assessment.institution, assessment.social, assessment.economic) == (
        users["officer"],
        80,
        70,
        60,
    )


def test_a_committee_member_finds_the_entries_left_to_mark_in_my_tasks(users, shortlisted):
    mark(shortlisted["KUBE Atas"], users["officer"], 80, 70, 60)

    (task,) = [item for item in gather(users["officer"]) if item.kind == "reports.awards.marks"]

    assert task.count == 2
    assert task.url == shortlisted["KUBE Atas"].round.get_absolute_url()


def test_another_members_marks_do_not_clear_my_task(users, shortlisted):
    for entry in shortlisted.values():
        mark(entry, users["admin"], 80, 70, 60)

    (task,) = [item for item in gather(users["officer"]) if item.kind == "reports.awards.marks"]

    assert task.count == 3


def test_a_round_closed_for_marks_asks_nothing_more(users, shortlisted):
    for entry in shortlisted.values():
        mark(entry, users["officer"], 80, 70, 60)
    awards.close_assessment(award=shortlisted["KUBE Atas"].round, by=users["admin"])

    assert not [item for item in gather(users["admin"]) if item.kind == "reports.awards.marks"]


def test_changing_marks_needs_a_reason(users, shortlisted):
    entry = shortlisted["KUBE Atas"]
    mark(entry, users["admin"], 80, 80, 80)

    with pytest.raises(AwardError, match="Say why"):
        mark(entry, users["admin"], 60, 80, 80)

    assert Assessment.objects.get().institution == 80


def test_a_change_of_marks_keeps_one_assessment_and_audits_the_reason(users, shortlisted):
    entry = shortlisted["KUBE Atas"]
    mark(entry, users["admin"], 80, 80, 80)

    mark(entry, users["admin"], 60, 80, 80, reason="Buku kas belum lengkap")

    assessment = Assessment.objects.get()
    latest = assessment.history.first()
    assert (assessment.institution, latest.history_user, latest.history_change_reason) == (
        60,
        users["admin"],
        "Buku kas belum lengkap",
    )


def test_an_entry_left_out_is_not_marked(users, regions):
    group("KUBE Lemah", 20)
    entry = shortlist(new_round(users, regions), users)["KUBE Lemah"]

    with pytest.raises(AwardError, match="Only a shortlisted entry"):
        mark(entry, users["admin"], 50, 50, 50)


# Ranking --------------------------------------------------------------------------------------------------------


def test_the_result_ranks_by_the_committees_average(users, shortlisted):
    mark(shortlisted["KUBE Atas"], users["admin"], 60, 60, 60)
    mark(shortlisted["KUBE Bawah"], users["admin"], 90, 90, 90)
    mark(shortlisted["KUBE Bawah"], users["officer"], 70, 70, 70)
    mark(shortlisted["KUBE Tengah"], users["admin"], 70, 70, 70)

    ranked = awards.ranking(shortlisted["KUBE Atas"].round)

    assert [(row.rank, row.entry.name, row.committee_score) for row in ranked] == [
        (1, "KUBE Bawah", Decimal("80.00")),
        (2, "KUBE Tengah", Decimal("70.00")),
        (3, "KUBE Atas", Decimal("60.00")),
    ]


def test_a_tie_in_the_committees_average_goes_to_the_higher_scorecard(users, shortlisted):
    for name in ("KUBE Bawah", "KUBE Atas", "KUBE Tengah"):
        mark(shortlisted[name], users["admin"], 75, 75, 75)

    ranked = awards.ranking(shortlisted["KUBE Atas"].round)

    assert [row.entry.name for row in ranked] == ["KUBE Atas", "KUBE Tengah", "KUBE Bawah"]


def test_the_rounds_weights_decide_between_strengths(users, regions):
    group("KUBE Lembaga", 80)
    group("KUBE Usaha", 80)
    entries = shortlist(new_round(users, regions, weight_institution=1, weight_social=1, weight_economic=3), users)
    mark(entries["KUBE Lembaga"], users["admin"], 100, 100, 40)  # equal weights: 80
    mark(entries["KUBE Usaha"], users["admin"], 50, 50, 100)  # equal weights: 66.67

    ranked = awards.ranking(entries["KUBE Usaha"].round)

    assert [(row.entry.name, row.committee_score) for row in ranked] == [
        ("KUBE Usaha", Decimal("80.00")),
        ("KUBE Lembaga", Decimal("64.00")),
    ]


def test_marking_closes_only_when_every_entry_has_marks(users, shortlisted):
    mark(shortlisted["KUBE Atas"], users["admin"], 60, 60, 60)

    with pytest.raises(AwardError, match="Not yet marked: KUBE"):
        awards.close_assessment(award=shortlisted["KUBE Atas"].round, by=users["admin"])


@pytest.fixture
def decided(users, shortlisted) -> AwardRound:
    mark(shortlisted["KUBE Atas"], users["admin"], 60, 60, 60)
    mark(shortlisted["KUBE Tengah"], users["admin"], 90, 90, 90)
    mark(shortlisted["KUBE Bawah"], users["admin"], 75, 75, 75)
    award = shortlisted["KUBE Atas"].round
    awards.close_assessment(award=award, by=users["admin"])
    return awards.decide_round(award=award, by=users["admin"])


def test_deciding_freezes_the_ranking_on_the_entries(decided):
    frozen = {entry.name: (entry.result_rank, entry.committee_score) for entry in decided.entries.all()}

    assert frozen == {
        "KUBE Tengah": (1, Decimal("90.00")),
        "KUBE Bawah": (2, Decimal("75.00")),
        "KUBE Atas": (3, Decimal("60.00")),
    }


def test_a_decided_round_takes_no_more_marks(users, decided):
    entry = decided.entries.get(name="KUBE Atas")

    with pytest.raises(AwardError, match="only while the round is shortlisted"):
        mark(entry, users["officer"], 100, 100, 100)


def test_deciding_asks_for_confirmation_first(client, users, shortlisted):
    award = shortlisted["KUBE Atas"].round
    for entry in shortlisted.values():
        mark(entry, users["admin"], 70, 70, 70)
    awards.close_assessment(award=award, by=users["admin"])
    client.force_login(users["admin"])

    response = client.post(reverse("reports:award-decide", args=[award.pk]))

    assert response.status_code == 200
    assert AwardRound.objects.get(pk=award.pk).status == AwardRound.Status.ASSESSED


# Documents ------------------------------------------------------------------------------------------------------


def test_the_result_pdf_renders(client, users, decided):
    client.force_login(users["monitor"])

    response = client.get(reverse("reports:award-pdf", args=[decided.pk]))

    assert response.content.startswith(b"%PDF")


def test_the_result_xlsx_has_the_ranked_rows(client, users, decided):
    client.force_login(users["officer"])

    response = client.get(reverse("reports:award-xlsx", args=[decided.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [(row[0], row[1], row[3]) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows == [(1, "KUBE Tengah", 90), (2, "KUBE Bawah", 75), (3, "KUBE Atas", 60)]


# Who may see and do what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "status"), [("admin", 404), ("officer", 404), ("monitor", 404)])
def test_a_round_of_another_regency_is_404(client, users, regions, username, status):
    other = Region.objects.get(code="64.02")
    award = awards.create_round(region=other, year=2027, kind=AwardRound.Kind.KUBE, by=users["admin"])
    client.force_login(users[username])

    assert client.get(award.get_absolute_url()).status_code == status


@pytest.mark.parametrize(
    ("username", "status"), [("monitor", 200), ("camat", 403), ("desa_a", 403), ("facilitator", 403)]
)
def test_only_the_dinas_opens_award_rounds(client, users, regions, username, status):
    award = new_round(users, regions)
    client.force_login(users[username])

    assert client.get(award.get_absolute_url()).status_code == status


def test_a_monitor_reads_a_round_but_cannot_mark(client, users, shortlisted):
    client.force_login(users["monitor"])
    entry = shortlisted["KUBE Atas"]

    response = client.post(reverse("reports:award-entry", args=[entry.pk]), {"institution": 80, "social": 80})

    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_regency_has_one_round_per_year_and_kind(users, regions):
    new_round(users, regions)

    with pytest.raises(AwardError, match="already has a KUBE round for 2027"):
        new_round(users, regions)


def test_the_form_opens_a_round_for_the_users_regency(client, users, regions):
    client.force_login(users["admin"])

    client.post(
        reverse("reports:award-create"),
        {
            "region": "64.01",
            "year": 2027,
            "kind": "kube",
            "min_score": 70,
            "min_level": Level.BERKEMBANG,
            "months_of_data": 6,
            "max_shortlist": 5,
            "weight_institution": 1,
            "weight_social": 1,
            "weight_economic": 2,
        },
    )

    award = AwardRound.objects.get()
    assert (award.region_id, award.min_score, award.weights, award.created_by) == (
        "64.01",
        70,
        (1, 1, 2),
        users["admin"],
    )


def test_the_form_says_when_the_regency_already_has_the_round(client, users, regions, english):
    new_round(users, regions)
    client.force_login(users["admin"])

    response = client.post(
        reverse("reports:award-create"),
        {
            "region": "64.01",
            "year": 2027,
            "kind": "kube",
            "min_score": 60,
            "min_level": Level.BERKEMBANG,
            "months_of_data": 6,
            "max_shortlist": 10,
            "weight_institution": 1,
            "weight_social": 1,
            "weight_economic": 1,
        },
    )

    assert "This regency already has a round of this kind for this year." in response.content.decode()
    assert AwardRound.objects.count() == 1


def test_the_round_page_costs_the_same_queries_for_more_entries(client, users, regions, django_assert_max_num_queries):
    for number in range(8):
        group(f"KUBE {number}", 60 + number * 5)
    award = new_round(users, regions)
    entries = shortlist(award, users)
    for entry in entries.values():
        if entry.shortlisted:
            mark(entry, users["admin"], 70, 70, 70)
    client.force_login(users["admin"])

    with django_assert_max_num_queries(20):
        assert client.get(award.get_absolute_url()).status_code == 200


def test_a_group_without_a_scorecard_for_the_month_read_is_told_which_month(users, regions):
    group("KUBE Lama", 90, months=6)
    stopped = KubeFactory(name="KUBE Berhenti", status=Kube.Status.ACTIVE)
    LevelSnapshotFactory(kube=stopped, month=dt.date(2027, 10, 1), level=Level.BERKEMBANG)

    entry = shortlist(new_round(users, regions, months_of_data=1), users)["KUBE Berhenti"]

    assert reasons(entry) == "No scorecard for Dec 2027. Scorecards for 0 of the last 1 months."
