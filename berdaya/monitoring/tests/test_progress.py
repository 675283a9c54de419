"""The group's Perkembangan tab: its level and why, the scorecard, trends, warnings, monev history, "as of" a month,
and the manual level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.stored_text import keep
from berdaya.monitoring import progress
from berdaya.monitoring.engine import Component, Evaluation, Source
from berdaya.monitoring.engine import IndicatorResult as Result
from berdaya.monitoring.models import Bina, EarlyWarning, Level, LevelSnapshot, ManualLevel, MonevVisit, RuleSet
from berdaya.monitoring.rules import INDICATORS, Rules

TODAY = dt.datetime(2027, 8, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
AUGUST = dt.date(2027, 8, 1)


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def tumbuh_blocked_by_meetings(kube: Kube) -> Evaluation:
    """Every Tumbuh indicator holds; Berkembang fails on meetings (2 of 6 months, 4 needed); Mandiri fails all."""
    results = []
    for indicator in INDICATORS:
        holds = indicator.level == Level.TUMBUH or (
            indicator.level == Level.BERKEMBANG and indicator.code != "meetings"
        )
        value = "2 of 6 months" if indicator.code == "meetings" else ("yes" if holds else "no")
        sources = (
            (Source("Meetings of the group", f"/mentoring/kube/{kube.pk}/"),) if indicator.code == "meetings" else ()
        )
        results.append(
            Result(
                indicator.code, indicator.level, indicator.bina, str(indicator.label), value, None, None, holds, sources
            )
        )
    components = (
        Component(
            Bina.MANUSIA, "training_coverage", "Training coverage", Decimal("0.8"), 40, "8 of 10 members trained"
        ),
        Component(Bina.KELEMBAGAAN, "meetings", "Meetings", Decimal("0.3333"), 25, "2 of 6 months with a meeting"),
    )
    scores = {"manusia": 71, "usaha": 55, "lingkungan": 40, "kelembagaan": 38, "total": 53}
    return Evaluation(kube.pk, AUGUST, Level.TUMBUH, tuple(results), components, scores, Rules())


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "live_evaluation", lambda kube, month, today: tumbuh_blocked_by_meetings(kube))


@pytest.fixture
def kube(users: dict[str, User]) -> Kube:
    return KubeFactory(status=Kube.Status.ACTIVE, facilitator=users["facilitator"], name="KUBE Sumber Rejeki")


def snapshot(kube: Kube, month: dt.date, level: int, **fields: Any) -> LevelSnapshot:
    scores = fields.pop("scores", {"manusia": 50, "usaha": 50, "lingkungan": 50, "kelembagaan": 50, "total": 50})
    return LevelSnapshot.objects.create(
        kube=kube, month=month, level=level, computed_level=fields.pop("computed_level", level), scores=scores, **fields
    )


def months_back(count: int, last: dt.date = AUGUST) -> list[dt.date]:
    months = [last]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def warning(kube: Kube, kind: str, text: str, **fields: Any) -> EarlyWarning:
    return EarlyWarning.objects.create(
        kube=kube,
        kind=kind,
        key=fields.pop("key", ""),
        raised_on=fields.pop("raised_on", dt.date(2027, 8, 1)),
        message=keep(text),
        evidence_url=f"/groups/{kube.pk}/",
        **fields,
    )


def monev(kube: Kube, by: User, verdict: str, findings: str, on: dt.date = dt.date(2027, 7, 20)) -> MonevVisit:
    return MonevVisit.objects.create(kube=kube, visited_on=on, findings=findings, verdict=verdict, by=by)


def page(client: Any, user: User, kube: Kube, **query: str) -> str:
    client.force_login(user)
    response = client.get(reverse("monitoring:kube-progress", args=[kube.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


# The level and its reasons ------------------------------------------------------------------------------------


def test_the_tab_shows_the_level_what_holds_it_and_what_blocks_the_next(client, users, kube, live):
    html = page(client, users["officer"], kube)

    level = html.split('id="level-now">')[1].split("<")[0]
    holding = html.split('id="holding">')[1].split("</ul>")[0]
    blocking = html.split('id="blocking">')[1].split("</ul>")[0]
    assert level == "Tumbuh"
    assert "A facilitator is assigned" in holding and "Regular meetings" not in holding
    assert "Regular meetings with minutes · 2 of 6 months" in blocking
    assert "needs 4 months" in blocking
    assert f'href="/mentoring/kube/{kube.pk}/"' in blocking


def test_the_full_indicator_table_is_grouped_by_level(client, users, kube, live):
    html = page(client, users["officer"], kube)

    table = html.split('id="indicators">')[1].split("</details>")[0]
    assert table.count("data-indicator=") == len(INDICATORS)
    assert table.index("Tumbuh") < table.index("Berkembang") < table.index("Maju/Mandiri")


def test_a_manual_level_shows_the_computed_level_beside_it_with_its_reason(client, users, kube, live):
    ManualLevel.objects.create(
        kube=kube,
        level=Level.BERKEMBANG,
        reason="Pasar baru dibuka",
        since=dt.date(2027, 8, 3),
        set_by=users["officer"],
    )

    html = page(client, users["desa_a"], kube)

    assert html.split('id="level-now">')[1].split("<")[0] == "Berkembang"
    assert "computed: Tumbuh" in html
    assert "Pasar baru dibuka" in html.split('id="manual">')[1]


def test_the_scorecard_shows_each_effort_with_its_components_weights_and_formulas(client, users, kube, live):
    html = page(client, users["camat"], kube)

    card = html.split('id="scorecard">')[1].split("</section>\n</div>")[0]
    assert '<span id="total">53</span>' in card
    manusia = card.split('data-effort="manusia">')[1].split("</section>")[0]
    assert "<b>71</b>" in manusia
    assert "Training coverage: 80 %" in manusia and "weight 40" in manusia and "8 of 10 members trained" in manusia


# Trends, warnings, monev -------------------------------------------------------------------------------------


def test_trends_are_server_rendered_svg_of_the_scores_and_the_level(client, users, kube, live):
    for number, month in enumerate(months_back(6)):
        snapshot(kube, month, level=min(3, number // 2))

    html = page(client, users["officer"], kube)

    trends = html.split('id="trends">')[1].split("</section>")[0]
    assert trends.count("<svg") == 2
    assert trends.count("<polyline") == 5  # four efforts and the total
    assert trends.count("<rect") == 6  # a level a month
    assert trends.count("<tr><td>") == 6


def test_open_warnings_come_first_and_handled_ones_after(client, users, kube, live):
    warning(kube, EarlyWarning.Kind.NOT_VISITED, "Not visited for 50 days")
    warning(
        kube,
        EarlyWarning.Kind.ASSET_DAMAGED,
        "The freezer is broken",
        key="7",
        handled_at=timezone.now(),
        handled_by=users["facilitator"],
        handled_note="Sudah diperbaiki",
    )
    other = KubeFactory(status=Kube.Status.ACTIVE)
    warning(other, EarlyWarning.Kind.NOT_VISITED, "Another group's warning")

    html = page(client, users["officer"], kube)

    open_list = html.split('id="open-warnings">')[1].split("</ul>")[0]
    closed = html.split('id="closed-warnings">')[1].split("</ul>")[0]
    assert "Not visited for 50 days" in open_list and "freezer" not in open_list
    assert "The freezer is broken" in closed and "Sudah diperbaiki" in closed
    assert "Another group" not in html


def test_the_monev_history_lists_visits_with_their_verdicts(client, users, kube, live):
    monev(kube, users["officer"], MonevVisit.Verdict.CONTINUE, "Usaha berjalan baik", on=dt.date(2027, 2, 10))
    monev(kube, users["officer"], MonevVisit.Verdict.GUIDANCE, "Pembukuan belum rapi")

    html = page(client, users["facilitator"], kube)

    rows = html.split('id="monev-rows">')[1].split("</table>")[0]
    assert rows.index("Pembukuan belum rapi") < rows.index("Usaha berjalan baik")
    assert "Needs guidance" in rows and "Continue (passed)" in rows


# As of a month -----------------------------------------------------------------------------------------------


def test_as_of_a_past_month_shows_that_months_snapshot_with_the_rules_of_its_time(client, users, kube, live):
    stricter = RuleSet.objects.create(
        region_id="64.01",
        effective_from=dt.date(2027, 3, 1),
        rules={"meeting_months": 5},
        note="x",
        created_by=users["admin"],
    )
    indicators = [
        {"code": "facilitator", "level": 1, "value": "yes", "holds": True},
        {"code": "meetings", "level": 2, "value": "3 of 6 months", "holds": False},
    ]
    snapshot(kube, dt.date(2027, 4, 1), Level.TUMBUH, indicators=indicators, rule_set=stricter)
    snapshot(kube, dt.date(2027, 5, 1), Level.BERKEMBANG)

    html = page(client, users["officer"], kube, month="2027-04")

    assert "Level as of Apr 2027" in html
    assert html.split('id="level-now">')[1].split("<")[0] == "Tumbuh"
    blocking = html.split('id="blocking">')[1].split("</ul>")[0]
    assert "3 of 6 months" in blocking and "needs 5 months" in blocking
    assert "<a " not in blocking  # the records are linked for the current month only
    assert 'value="2027-04" selected' in html
    assert html.split('id="trends">')[1].count("<rect") == 1  # the trend stops at the month shown


def test_a_month_without_a_snapshot_says_so(client, users, kube, live):
    snapshot(kube, dt.date(2027, 5, 1), Level.BERKEMBANG)

    html = page(client, users["officer"], kube, month="2026-01")

    assert 'id="not-judged"' in html


def test_a_group_not_yet_formed_shows_its_latest_snapshot_for_the_current_month(client, users, kube):
    snapshot(kube, AUGUST, Level.BERKEMBANG)

    html = page(client, users["officer"], kube)

    assert html.split('id="level-now">')[1].split("<")[0] == "Berkembang"


def test_the_current_month_is_judged_live_by_the_engine_with_links_to_the_records(client, users, kube):
    Kube.objects.filter(pk=kube.pk).update(formed_on=dt.date(2027, 1, 10))

    html = page(client, users["officer"], kube)

    assert html.split('id="level-now">')[1].split("<")[0] == "Not yet growing"
    assert "What keeps it from Tumbuh" in html
    assert f'href="/groups/{kube.pk}/"' in html.split('id="blocking">')[1].split("</ul>")[0]


# The manual level --------------------------------------------------------------------------------------------


def test_the_manual_level_form_is_offered_to_the_dinas_officer_only(client, users, kube, live):
    assert 'id="manual-level"' in page(client, users["officer"], kube)
    assert 'id="manual-level"' not in page(client, users["monitor"], kube)
    assert 'id="manual-level"' not in page(client, users["facilitator"], kube)


def test_a_manual_level_without_a_reason_is_refused_with_a_message(client, users, kube, live):
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:kube-level", args=[kube.pk]), {"level": Level.MANDIRI, "reason": "  "}, follow=True
    )

    assert "Reason: This field is required." in response.content.decode()
    assert not ManualLevel.objects.filter(kube=kube).exists()


def test_setting_a_level_by_hand_is_refused_to_a_role_without_the_permission(client, users, kube):
    client.force_login(users["monitor"])

    response = client.post(reverse("monitoring:kube-level", args=[kube.pk]), {"level": 3, "reason": "Bagus"})

    assert response.status_code == 403
    assert not ManualLevel.objects.exists()


def test_setting_a_level_by_hand_asks_first(client, users, kube, live):
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:kube-level", args=[kube.pk]), {"level": Level.MANDIRI, "reason": "Mitra bank baru"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="confirmed"' in html and "Maju/Mandiri" in html and "Mitra bank baru" in html
    assert not ManualLevel.objects.exists()


# Scope and queries -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("officer", 200),
        ("monitor", 200),
        ("camat", 200),
        ("desa_a", 200),
        ("facilitator", 200),
        ("desa_b", 404),
        ("camat_c", 404),
        ("other_facilitator", 404),
        ("no_region", 404),
    ],
)
def test_the_tab_is_seen_only_inside_the_groups_scope(client, users, kube, live, username, status):
    client.force_login(users[username])

    assert client.get(reverse("monitoring:kube-progress", args=[kube.pk])).status_code == status


def _fill(kube: Kube, by: User, records: int) -> None:
    for month in months_back(24):
        snapshot(kube, month, Level.TUMBUH)
    for number in range(records):
        warning(kube, EarlyWarning.Kind.PROBLEM_OVERDUE, f"Problem {number}", key=str(number))
        warning(
            kube, EarlyWarning.Kind.MONTH_UNCLOSED, f"Month {number}", key=f"m{number}", cleared_on=dt.date(2027, 8, 2)
        )
        monev(kube, by, MonevVisit.Verdict.CONTINUE, f"Monev {number}")
    ManualLevel.objects.create(kube=kube, level=2, reason="Alasan", since=dt.date(2027, 8, 1), set_by=by)


def test_the_tab_asks_a_bounded_number_of_queries_whatever_the_records(
    client, users, live, django_assert_max_num_queries
):
    small = KubeFactory(status=Kube.Status.ACTIVE, facilitator=users["facilitator"])
    large = KubeFactory(status=Kube.Status.ACTIVE, facilitator=users["facilitator"])
    _fill(small, users["officer"], 2)
    _fill(large, users["officer"], 30)
    client.force_login(users["officer"])
    client.get(reverse("monitoring:kube-progress", args=[small.pk]))  # sessions and caches warmed

    counts = []
    for kube in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("monitoring:kube-progress", args=[kube.pk])).status_code == 200
        counts.append(len(queries))
    with django_assert_max_num_queries(45):
        client.get(reverse("monitoring:kube-progress", args=[large.pk]))

    assert counts[0] == counts[1]
