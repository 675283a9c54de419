"""The Dinas's monitoring settings: versions of the rules, the monev checklist and the environmental practices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from berdaya.business.tests.factories import kube_with_members
from berdaya.mentoring.models import EnvironmentPractice
from berdaya.monitoring import configuration, monev
from berdaya.monitoring.models import MonevQuestion, MonevVisit, RuleSet
from berdaya.monitoring.rules import DEFAULTS, Rules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2027, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")), tick=False) as t:
        yield t


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _add(regions: Any, users: Any, **kw: Any) -> RuleSet:
    fields = {
        "regency": regions["regency"],
        "effective_from": dt.date(2028, 1, 1),
        "values": {**DEFAULTS, "meeting_months": 3, "monev_every_months": 4},
        "note": "Kelompok di pedalaman sulit bertemu setiap bulan",
        "by": users["admin"],
    }
    return configuration.add_rule_set(**{**fields, **kw})


# Rule sets -------------------------------------------------------------------------------------------------------


def test_a_new_version_stores_only_what_differs_from_the_defaults(regions, users):
    version = _add(regions, users)

    assert version.rules == {"meeting_months": 3, "monev_every_months": 4}
    assert Rules.effective(regency="64.01", on=dt.date(2028, 1, 1))["meeting_months"] == 3


def test_a_new_version_leaves_the_months_before_it_alone(regions, users):
    _add(regions, users)

    assert Rules.effective(regency="64.01", on=dt.date(2027, 12, 31))["meeting_months"] == DEFAULTS["meeting_months"]


def test_a_version_taking_effect_in_a_past_month_is_refused(regions, users):
    with pytest.raises(configuration.ConfigurationError, match="past months stay judged"):
        _add(regions, users, effective_from=dt.date(2027, 11, 30))

    assert not RuleSet.objects.exists()


def test_a_version_may_start_this_month(regions, users):
    assert _add(regions, users, effective_from=dt.date(2027, 12, 1)).effective_from == dt.date(2027, 12, 1)


def test_a_version_needs_a_note(regions, users):
    with pytest.raises(configuration.ConfigurationError, match="what changed and why"):
        _add(regions, users, note="  ")


def test_one_version_per_day(regions, users):
    _add(regions, users)

    with pytest.raises(configuration.ConfigurationError, match="already takes effect on that day"):
        _add(regions, users, values={"meeting_months": 2})


def test_a_value_outside_its_bounds_is_refused(regions, users):
    with pytest.raises(configuration.ConfigurationError, match="from 0 to 6"):
        _add(regions, users, values={"meeting_months": 7})


def test_a_version_that_changes_nothing_is_refused(regions, users):
    with pytest.raises(configuration.ConfigurationError, match="Nothing changes"):
        _add(regions, users, values=dict(DEFAULTS))


def _post(client: Any, **data: Any) -> Any:
    form = {key: str(value) for key, value in DEFAULTS.items()}
    form.update({"effective_from": "2028-01-01", "note": "Pertemuan tiga bulan sekali cukup", "meeting_months": "3"})
    form.update(data)
    return client.post(reverse("monitoring:settings"), form)


def test_the_page_shows_what_changes_before_storing_it(client, users):
    client.force_login(users["admin"])

    response = _post(client)

    assert response.templates[0].name == "confirm.html"
    assert [str(label) for label, _value in response.context["confirmation"].rows] == [
        "Months with a meeting, of the last six"
    ]
    assert not RuleSet.objects.exists()


def test_the_confirmed_version_is_stored_for_the_admins_regency(client, users):
    client.force_login(users["admin"])

    response = _post(client, confirmed="1")

    version = RuleSet.objects.get()
    assert response.status_code == 302
    assert (version.region_id, version.rules, version.created_by) == ("64.01", {"meeting_months": 3}, users["admin"])


def test_the_form_shows_a_refusal_beside_the_values(client, users):
    client.force_login(users["admin"])

    response = _post(client, effective_from="2027-10-01", confirmed="1")

    assert "past months stay judged" in str(response.context["form"].non_field_errors())
    assert not RuleSet.objects.exists()


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [("officer", "get", 200), ("officer", "post", 403), ("desa_a", "get", 403), ("facilitator", "get", 403)],
)
def test_only_the_admin_changes_the_rules(client, users, who, method, status):
    client.force_login(users[who])

    response = _post(client, confirmed="1") if method == "post" else client.get(reverse("monitoring:settings"))

    assert response.status_code == status
    assert not RuleSet.objects.exists()


def test_the_officer_reads_the_rules_without_the_form(client, users):
    client.force_login(users["officer"])

    page = client.get(reverse("monitoring:settings")).content.decode()

    assert 'data-key="meeting_months"' in page
    assert 'id="rule-set-form"' not in page


# Checklists ------------------------------------------------------------------------------------------------------


def test_a_question_is_added_under_its_effort(client, users):
    client.force_login(users["admin"])

    client.post(
        reverse("monitoring:questions"),
        {"action": "add", "bina": "lingkungan", "text": "Limbah dibuang ke tempatnya", "order": "9"},
    )

    question = MonevQuestion.objects.get(text="Limbah dibuang ke tempatnya")
    assert (question.bina, question.code, question.active) == ("lingkungan", "l_limbah-dibuang-ke-tempatnya", True)


def test_a_question_is_reworded_and_its_code_stays(client, users):
    question = MonevQuestion.objects.get(code="u_running")
    client.force_login(users["admin"])

    client.post(
        reverse("monitoring:questions"),
        {"action": "change", "item": question.pk, "text": "Usaha berjalan setiap minggu", "order": "2"},
    )

    question.refresh_from_db()
    assert (question.code, question.text, question.order) == ("u_running", "Usaha berjalan setiap minggu", 2)
    assert question.history.latest().history_user == users["admin"]


def test_a_retired_question_is_no_longer_asked(users):
    question = MonevQuestion.objects.get(code="k_meetings")

    configuration.retire_item(item=question, by=users["admin"])

    asked = [q.code for questions in monev.checklist().values() for q in questions]
    assert "k_meetings" not in asked


def test_retiring_a_question_keeps_old_answers_readable(client, users, regions):
    kube = kube_with_members(1, village=regions["village_a"])
    visit = MonevVisit.objects.create(
        kube=kube,
        visited_on=dt.date(2027, 12, 1),
        answers={"k_meetings": True},
        findings="Rapat rutin",
        verdict=MonevVisit.Verdict.CONTINUE,
        by=users["officer"],
    )
    configuration.retire_item(item=MonevQuestion.objects.get(code="k_meetings"), by=users["admin"])
    client.force_login(users["officer"])

    page = client.get(visit.get_absolute_url()).content.decode()

    assert 'data-code="k_meetings"' in page
    assert "Pertemuan kelompok rutin dengan notulen" in page
    assert "no longer asked" in page


def test_an_officer_cannot_edit_the_checklist(client, users):
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:questions"), {"action": "add", "bina": "usaha", "text": "Baru", "order": "1"}
    )

    assert response.status_code == 403
    assert not MonevQuestion.objects.filter(text="Baru").exists()


def test_a_practice_is_added_and_retired(client, users):
    client.force_login(users["admin"])
    client.post(reverse("monitoring:practices"), {"action": "add", "text": "Tidak memakai plastik", "order": "1"})
    practice = EnvironmentPractice.objects.get(text="Tidak memakai plastik")

    client.post(reverse("monitoring:practices"), {"action": "retire", "item": practice.pk})

    practice.refresh_from_db()
    assert (practice.code, practice.active) == ("tidak-memakai-plastik", False)
    assert practice.history.latest().history_change_reason == "retired"


def test_a_province_admin_picks_the_regency(client, users, regions):
    province_admin = type(users["admin"]).objects.create_user(
        username="provinsi", role=users["admin"].role, region=regions["regency"].parent
    )
    client.force_login(province_admin)

    _post(client, regency="64.01", confirmed="1")

    assert RuleSet.objects.get().region_id == "64.01"
