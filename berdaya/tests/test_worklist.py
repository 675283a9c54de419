"""The "My tasks" page and the menu's count: what waits for each role, gathered from every app, in scope only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from berdaya import worklist
from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.waiting import Effort, Waiting
from berdaya.mentoring.models import MonthlyReport
from berdaya.targeting.models import Cycle, NominationList, Nominee
from berdaya.targeting.tests.factories import CallRelayFactory, CycleFactory, NomineeFactory, QuotaFactory

TODAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    """Messages asserted in English: the code's and the pages' (the client's requests take the site's default);
    the browser logs in as a user would, in Indonesian."""
    if request.node.get_closest_marker("browser") is None:
        settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> Iterator[Any]:
    """1 March 2027: inside the factories' nomination window (until 31 March)."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(today, users, regions) -> Cycle:
    """An open cycle whose call Tanah Grogot has relayed and Kuaro has not."""
    made = CycleFactory(region=regions["regency"], created_by=users["admin"], status=Cycle.Status.OPEN)
    QuotaFactory(cycle=made, kecamatan=regions["kec_a"], households=10)
    QuotaFactory(cycle=made, kecamatan=regions["kec_c"], households=5)
    CallRelayFactory(cycle=made, kecamatan=regions["kec_a"], by=users["camat"])
    return made


@pytest.fixture
def busy(cycle, users, regions) -> Cycle:
    """Work for every role: Tapis's list is submitted, Tanah Periuk's has nominees at the Dinas's steps, the
    facilitator mentors a group and owes February's report."""
    submitted = NominationList.objects.create(
        cycle=cycle, village=regions["village_b"], created_by=users["desa_b"], status=NominationList.Status.SUBMITTED
    )
    NomineeFactory(nomination_list=submitted, status=Nominee.Status.SUBMITTED)
    at_dinas = NominationList.objects.create(
        cycle=cycle, village=regions["village_c"], created_by=users["desa_c"], status=NominationList.Status.ENDORSED
    )
    NomineeFactory.create_batch(2, nomination_list=at_dinas, status=Nominee.Status.ENDORSED)
    NomineeFactory(nomination_list=at_dinas, status=Nominee.Status.VERIFIED)
    KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    return cycle


def tasks_page(client, user: User) -> Any:
    client.force_login(user)
    return client.get(reverse("tasks"))


def kinds(response) -> dict[str, int]:
    return {item.kind: item.count for group in response.context["groups"] for item in group.items}


def menu_count(html: str) -> int | None:
    """The number beside "My tasks" in the menu; None when the menu has no such item."""
    found = re.search(r'<a href="/tugas/"[^>]*>My tasks(?: \((\d+)\))?</a>', html)
    if found is None:
        return None
    return int(found.group(1) or 0)


# What each role finds -----------------------------------------------------------------------------------------------


def test_the_village_finds_the_call_waiting_for_its_list(client, users, busy):
    response = tasks_page(client, users["desa_a"])

    assert response.status_code == 200
    assert kinds(response) == {"targeting.start": 1}
    assert reverse("targeting:cycle-detail", args=[busy.pk]) in response.content.decode()


def test_a_village_whose_kecamatan_has_not_relayed_the_call_has_nothing_yet(client, users, busy):
    response = tasks_page(client, users["desa_c"])

    assert kinds(response) == {}
    assert "Nothing waits for you right now" in response.content.decode()


def test_the_kecamatan_finds_the_submitted_list_of_its_village_only(client, users, busy):
    assert kinds(tasks_page(client, users["camat"])) == {"targeting.endorse": 1}
    assert kinds(tasks_page(client, users["camat_c"])) == {"targeting.relay": 1}


def test_the_dinas_finds_the_nominees_at_its_steps(client, users, busy):
    assert kinds(tasks_page(client, users["officer"])) == {"targeting.verify": 2, "targeting.decide": 1}


def test_the_facilitator_finds_last_month_report(client, users, busy):
    response = tasks_page(client, users["facilitator"])

    assert kinds(response) == {"mentoring.report": 1, "business.write_plan": 1}
    assert [group.effort for group in response.context["groups"]] == [Effort.BUSINESS, Effort.INSTITUTION]


def test_the_monitor_is_told_kindly_that_nothing_waits(client, users, busy):
    response = tasks_page(client, users["monitor"])

    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "no task waits for you here" in response.content.decode()


def test_an_account_without_a_region_has_nothing_waiting(client, users, busy):
    assert kinds(tasks_page(client, users["no_region"])) == {}


def test_urgent_work_is_marked_with_its_deadline(client, users, busy):
    Cycle.objects.filter(pk=busy.pk).update(nomination_deadline=dt.date(2027, 3, 2))

    html = tasks_page(client, users["desa_a"]).content.decode()

    assert "1 of them is urgent" in html
    assert 'class="task urgent"' in html
    assert "Due " in html


# Order --------------------------------------------------------------------------------------------------------------


def test_urgent_work_comes_first_then_by_effort_and_deadline(users, busy):
    Cycle.objects.filter(pk=busy.pk).update(decision_deadline=dt.date(2027, 3, 2))
    MonthlyReport.objects.create(facilitator=users["facilitator"], month=dt.date(2027, 1, 1), status="returned")

    officer = [item.kind for item in worklist.gather(users["officer"])]
    facilitator = [(item.kind, item.urgent) for item in worklist.gather(users["facilitator"])]

    assert officer == ["targeting.decide", "targeting.verify"]
    assert facilitator[0] == ("mentoring.returned", True)


def test_the_groups_keep_the_four_efforts_in_their_order():
    def item(effort: str) -> Waiting:
        return Waiting(label="x", count=1, url="/", effort=effort)  # type: ignore[arg-type]

    groups = worklist.by_effort([item(Effort.INSTITUTION), item(Effort.HUMAN), item(Effort.INSTITUTION)])

    assert [(g.effort, len(g.items)) for g in groups] == [(Effort.HUMAN, 1), (Effort.INSTITUTION, 2)]


# The menu and the dashboard -----------------------------------------------------------------------------------------


def test_the_menu_counts_every_task_of_the_user(client, users, busy):
    client.force_login(users["officer"])

    html = client.get(reverse("dashboard")).content.decode()

    assert menu_count(html) == 3


def test_the_menu_offers_my_tasks_without_a_count_when_nothing_waits(client, users, regions):
    client.force_login(users["camat"])

    assert menu_count(client.get(reverse("dashboard")).content.decode()) == 0


def test_the_menu_does_not_offer_my_tasks_to_the_monitor(client, users, busy):
    client.force_login(users["monitor"])

    assert menu_count(client.get(reverse("dashboard")).content.decode()) is None


def test_the_menu_and_the_page_count_once_per_request(client, users, busy, monkeypatch):
    calls = []
    gather = worklist.gather

    def counted(user: User, **kwargs: Any) -> list[Waiting]:
        calls.append(user.pk)
        return gather(user, **kwargs)

    monkeypatch.setattr(worklist, "gather", counted)

    response = tasks_page(client, users["officer"])

    assert menu_count(response.content.decode()) == 3
    assert calls == [users["officer"].pk]


def endorse_one_more(busy: Cycle, regions) -> None:
    at_dinas = NominationList.objects.get(cycle=busy, village=regions["village_c"])
    NomineeFactory(nomination_list=at_dinas, status=Nominee.Status.ENDORSED)


def test_the_menu_keeps_its_count_for_a_minute_between_pages(client, users, regions, busy, today):
    client.force_login(users["officer"])
    client.get(reverse("dashboard"))
    endorse_one_more(busy, regions)

    still = menu_count(client.get(reverse("regions:region-list")).content.decode())
    today.shift(dt.timedelta(seconds=worklist.MENU_COUNT_SECONDS + 1))
    later = menu_count(client.get(reverse("regions:region-list")).content.decode())

    assert (still, later) == (3, 4)


def test_the_users_own_change_makes_the_menu_count_afresh(client, users, regions, busy, today):
    client.force_login(users["officer"])
    client.get(reverse("dashboard"))
    endorse_one_more(busy, regions)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert menu_count(client.get(reverse("regions:region-list")).content.decode()) == 4


def test_the_tasks_page_counts_afresh(client, users, regions, busy, today):
    client.force_login(users["officer"])
    client.get(reverse("dashboard"))
    endorse_one_more(busy, regions)

    assert menu_count(client.get(reverse("tasks")).content.decode()) == 4


def test_the_count_costs_one_query_on_a_page(client, users, busy, django_assert_max_num_queries):
    client.force_login(users["officer"])
    client.get(reverse("regions:region-list"))  # the session and the permissions are warm

    with django_assert_max_num_queries(2) as counted:
        worklist.gather(users["officer"])

    # One for every app's figures, and one for the regency's monitoring rules (the monev cadence of the Dinas).
    assert len(counted.captured_queries) == 2
    assert "monitoring_ruleset" in counted.captured_queries[0]["sql"]


def test_the_count_costs_one_query_for_a_facilitator(client, users, busy, django_assert_max_num_queries):
    client.force_login(users["facilitator"])
    client.get(reverse("regions:region-list"))

    with django_assert_max_num_queries(1) as counted:
        worklist.gather(users["facilitator"])

    assert len(counted.captured_queries) == 1


def test_the_dashboard_shows_the_top_tasks(client, users, busy):
    client.force_login(users["officer"])

    html = client.get(reverse("dashboard")).content.decode()

    assert 'id="dashboard-tasks"' in html
    assert "2 endorsed nominees await verval" in html


def test_the_dashboard_of_a_user_with_nothing_waiting_has_no_tasks_block(client, users, regions):
    client.force_login(users["monitor"])

    assert 'id="dashboard-tasks"' not in client.get(reverse("dashboard")).content.decode()


# On a phone ---------------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_village_operator_opens_its_tasks_from_the_menu_on_a_phone(page, users, busy):
    from berdaya.tests.test_browser_login import log_in

    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "desa_a")

    page.locator("header summary").click()  # on a phone the menu folds behind one button
    page.locator('nav a[href="/tugas/"]').click()
    page.locator("#tasks li.task a").first.click()

    assert page.url.endswith(reverse("targeting:cycle-detail", args=[busy.pk]))
    page.go_back()
    # A plain list: nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
