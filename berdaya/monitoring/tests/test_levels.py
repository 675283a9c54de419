"""Monthly snapshots and manual levels: the history of a group's level, and a Dinas officer's say with a reason."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.monitoring.levels import LevelError, end_manual_level, set_manual_level, snapshot_months
from berdaya.monitoring.models import Level, LevelSnapshot, ManualLevel
from berdaya.monitoring.tests.factories import MeetingFactory, RuleSetFactory
from berdaya.monitoring.tests.groups import TODAY, berkembang_group, officer, tumbuh_group

pytestmark = pytest.mark.django_db

NOW = dt.date(2027, 9, 14)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def snapshot(kube: Kube, month: dt.date) -> LevelSnapshot:
    return LevelSnapshot.objects.get(kube=kube, month=month)


def test_a_snapshot_keeps_the_level_indicators_and_scores():
    kube = berkembang_group()

    written = snapshot_months([dt.date(2027, 9, 1)], by=officer(), today=TODAY)

    row = snapshot(kube, dt.date(2027, 9, 1))
    assert written == 1
    assert (row.level, row.computed_level, row.is_manual, row.rule_set) == (
        Level.BERKEMBANG,
        Level.BERKEMBANG,
        False,
        None,
    )
    meetings = next(i for i in row.indicators if i["code"] == "meetings")
    assert meetings == {"code": "meetings", "level": 2, "value": "6 of 6 months", "number": "6", "holds": True}
    assert set(row.scores) == {"manusia", "usaha", "lingkungan", "kelembagaan", "total"}


def test_recomputing_a_month_updates_its_snapshot():
    kube = berkembang_group()
    by = officer()
    snapshot_months([dt.date(2027, 9, 1)], by=by, today=TODAY)
    kube.meetings.filter(held_on__month__in=[4, 5, 6]).delete()

    snapshot_months([dt.date(2027, 9, 1)], by=by, today=TODAY)

    assert LevelSnapshot.objects.filter(kube=kube).count() == 1
    assert snapshot(kube, dt.date(2027, 9, 1)).level == Level.TUMBUH


def test_only_groups_formed_by_the_months_end_get_a_snapshot():
    formed = tumbuh_group()
    KubeFactory(formed_on=dt.date(2027, 10, 1))
    KubeFactory(formed_on=None)

    written = snapshot_months([dt.date(2027, 9, 1)], by=officer(), today=TODAY)

    assert written == 1
    assert LevelSnapshot.objects.get().kube == formed


def test_a_group_dissolved_before_a_month_gets_no_snapshot_of_it():
    kube = tumbuh_group()
    Kube.objects.filter(pk=kube.pk).update(status=Kube.Status.DISSOLVED, status_since=dt.date(2027, 8, 20))

    snapshot_months([dt.date(2027, 8, 1), dt.date(2027, 9, 1)], by=officer(), today=TODAY)

    assert list(LevelSnapshot.objects.values_list("month", flat=True)) == [dt.date(2027, 8, 1)]


def test_a_rule_set_effective_later_does_not_rewrite_past_snapshots():
    kube = berkembang_group()
    MeetingFactory(kube=kube, held_on=dt.date(2027, 10, 5), minutes="")  # October: met, but no minutes
    by = officer()
    snapshot_months([dt.date(2027, 9, 1)], by=by, today=TODAY)
    # From October, every one of the last six months needs a meeting with minutes (the default asks four).
    rule_set = RuleSetFactory(effective_from=dt.date(2027, 10, 1), rules={"meeting_months": 6})

    snapshot_months([dt.date(2027, 9, 1), dt.date(2027, 10, 1)], by=by, today=TODAY)

    september, october = snapshot(kube, dt.date(2027, 9, 1)), snapshot(kube, dt.date(2027, 10, 1))
    assert (september.rule_set, september.level) == (None, Level.BERKEMBANG)
    assert (october.rule_set, october.computed_level) == (rule_set, Level.TUMBUH)
    meetings = next(i for i in october.indicators if i["code"] == "meetings")
    assert (meetings["number"], meetings["holds"]) == ("5", False)


def test_a_manual_level_without_a_reason_is_refused():
    kube = tumbuh_group()

    with pytest.raises(LevelError, match="needs a reason"):
        set_manual_level(kube=kube, level=Level.MANDIRI, reason="  ", by=officer(), today=NOW)

    assert not ManualLevel.objects.exists()


def test_a_manual_level_overrides_the_snapshot_and_the_computed_level_stays():
    kube = tumbuh_group()

    manual = set_manual_level(
        kube=kube, level=Level.BERKEMBANG, reason="Rapat rutin tercatat di buku desa", by=officer(), today=NOW
    )

    row = snapshot(kube, dt.date(2027, 9, 1))
    assert (row.level, row.computed_level, row.is_manual) == (Level.BERKEMBANG, Level.TUMBUH, True)
    assert manual.history.get().history_change_reason == "Rapat rutin tercatat di buku desa"
    assert manual.history.get().history_user.username == "petugas"


def test_a_new_manual_level_ends_the_one_in_force():
    kube = tumbuh_group()
    by = officer()
    first = set_manual_level(kube=kube, level=Level.BERKEMBANG, reason="Alasan pertama", by=by, today=NOW)

    set_manual_level(kube=kube, level=Level.MANDIRI, reason="Alasan kedua", by=by, today=NOW + dt.timedelta(days=1))

    first.refresh_from_db()
    assert first.ended_on == NOW + dt.timedelta(days=1)
    assert ManualLevel.objects.filter(ended_on__isnull=True).get().level == Level.MANDIRI


def test_ending_a_manual_level_gives_the_computed_level_back():
    kube = tumbuh_group()
    by = officer()
    set_manual_level(kube=kube, level=Level.MANDIRI, reason="Penilaian lapangan", by=by, today=NOW)

    end_manual_level(kube=kube, reason="Dinilai ulang", by=by, today=NOW + dt.timedelta(days=2))

    row = snapshot(kube, dt.date(2027, 9, 1))
    assert (row.level, row.is_manual) == (Level.TUMBUH, False)


def test_a_manual_level_applies_to_past_months_only_while_it_was_in_force():
    kube = tumbuh_group()
    set_manual_level(kube=kube, level=Level.MANDIRI, reason="Penilaian lapangan", by=officer(), today=NOW)

    snapshot_months([dt.date(2027, 8, 1), dt.date(2027, 9, 1), dt.date(2027, 10, 1)], by=officer(), today=TODAY)

    levels = dict(LevelSnapshot.objects.filter(kube=kube).values_list("month", "is_manual"))
    assert levels == {dt.date(2027, 8, 1): False, dt.date(2027, 9, 1): True, dt.date(2027, 10, 1): True}


def test_ending_without_a_manual_level_is_refused():
    with pytest.raises(LevelError, match="no level set by hand"):
        end_manual_level(kube=tumbuh_group(), reason="Tidak ada", by=officer(), today=NOW)
