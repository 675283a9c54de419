"""The pieces of "My tasks": urgency, the label with its count, and the tally that counts in one query."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import ngettext_lazy

from berdaya.lib.waiting import Tally, Waiting, is_urgent
from berdaya.regions.models import Region

TODAY = dt.date(2027, 3, 1)


def test_a_deadline_three_days_away_or_past_is_urgent_and_four_days_away_is_not():
    assert is_urgent(dt.date(2027, 3, 4), TODAY)
    assert is_urgent(dt.date(2027, 2, 1), TODAY)
    assert not is_urgent(dt.date(2027, 3, 5), TODAY)
    assert not is_urgent(None, TODAY)


def test_the_label_names_the_count_in_the_right_plural():
    label = ngettext_lazy("%(count)s list to check", "%(count)s lists to check", "count")

    with translation.override("en"):
        assert Waiting(label=label, count=1, url="/").text == "1 list to check"
        assert Waiting(label=label, count=3, url="/").text == "3 lists to check"


def test_a_tally_counts_several_querysets_in_one_query(users, django_assert_num_queries):
    tally = Tally()
    villages = tally.figures(Region.objects.filter(level=Region.Level.VILLAGE), n=("COUNT", "pk"), one=("MIN", "code"))
    none = tally.figures(Region.objects.none(), n=("COUNT", "pk"))
    nowhere = tally.exists(Region.objects.filter(code="99"))

    with django_assert_num_queries(1):
        tally.run(users["admin"])

    assert (villages["n"], villages["one"]) == (4, "64.01.04.2004")
    assert not none["n"]
    assert nowhere["any"] is False


def test_a_tally_with_nothing_asked_runs_no_query(users, django_assert_num_queries):
    tally = Tally()

    with django_assert_num_queries(0):
        tally.run(users["admin"])
