"""Bina lingkungan records: the practice checklist, neighbours employed, contributions and complaints, written alone
or with a visit (once, however often the phone sends it), and the cash book's wages beside the typed ones."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business.models import CashEntry
from berdaya.business.tests.factories import ExpenseFactory
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.inbox.models import Notification
from berdaya.mentoring.defaults import install_practices
from berdaya.mentoring.forms import EnvironmentForm
from berdaya.mentoring.models import EnvironmentPractice, EnvironmentRecord, Visit
from berdaya.mentoring.selectors import cash_book_wages
from berdaya.mentoring.services import MentoringError, record_environment, record_visit

from .factories import VisitFactory

pytestmark = pytest.mark.django_db

# The default checklist (migration 0007), in its order.
PRACTICES = ["waste", "water", "chemicals", "local_materials", "nuisance"]


@pytest.fixture
def kube(users, regions):
    install_practices(EnvironmentPractice)  # as the migration does; a flushed test database has lost them
    return KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)


def record(kube, **kwargs):
    defaults = {"recorded_on": dt.date(2027, 8, 1), "by": UserFactory(), "practices": {"waste": True}}
    return record_environment(kube=kube, **(defaults | kwargs))


def told(kind="mentoring.complaint"):
    """The notifications of `kind` to the shared `users` (the factories make more admins)."""
    return Notification.objects.filter(kind=kind, recipient_user__username__in=["officer", "admin", "facilitator"])


def wages(kube, day, amount):
    return ExpenseFactory(kube=kube, entry_date=day, category=CashEntry.Category.WAGES, amount=amount)


# The service --------------------------------------------------------------------------------------------------------


def test_a_record_keeps_the_checklist_answers_and_the_figures(kube):
    stored = record(
        kube,
        practices={"waste": True, "water": False},
        neighbours_employed=2,
        neighbour_days=6,
        neighbour_wages=480_000,
        community_contribution=100_000,
        social_activities="Kerja bakti membersihkan saluran",
    )

    stored.refresh_from_db()
    assert stored.practices == {"waste": True, "water": False}
    assert (stored.neighbours_employed, stored.neighbour_days, stored.neighbour_wages) == (2, 6, 480_000)
    assert stored.community_contribution == 100_000


def test_a_record_dated_in_the_future_is_refused(kube):
    with pytest.raises(MentoringError, match="cannot be in the future"):
        record(kube, recorded_on=dt.date(2027, 8, 3))

    assert not EnvironmentRecord.objects.exists()


def test_a_dissolved_group_gets_no_record(kube):
    Kube.objects.filter(pk=kube.pk).update(status=Kube.Status.DISSOLVED)
    kube.refresh_from_db()

    with pytest.raises(MentoringError, match="Dissolved"):
        record(kube)

    assert not EnvironmentRecord.objects.exists()


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("neighbours_employed", "Neighbours employed"),
        ("neighbour_days", "Days of work for neighbours"),
        ("neighbour_wages", "Wages paid to neighbours"),
        ("community_contribution", "Contributions to the community"),
    ],
)
def test_a_negative_figure_is_refused(kube, field, label):
    figures = {"neighbours_employed": 1, field: -1}

    with pytest.raises(MentoringError, match=f"{label} cannot be negative"):
        record(kube, **figures)

    assert not EnvironmentRecord.objects.exists()


def test_wages_paid_to_no_neighbour_are_refused(kube):
    with pytest.raises(MentoringError, match="no neighbour employed"):
        record(kube, neighbours_employed=0, neighbour_wages=200_000)


def test_a_practice_not_on_the_checklist_is_refused(kube):
    with pytest.raises(MentoringError, match="Unknown environmental practice: noise"):
        record(kube, practices={"noise": True})


def test_an_empty_record_is_refused(kube):
    with pytest.raises(MentoringError, match="Nothing to record"):
        record(kube, practices={})


def test_a_record_sent_twice_is_stored_once(kube):
    facilitator, key = UserFactory(), uuid.uuid4()

    first = record(kube, by=facilitator, client_key=key)
    again = record(kube, by=facilitator, client_key=key)

    assert again.pk == first.pk
    assert EnvironmentRecord.objects.count() == 1


def test_complaints_go_to_the_dinas_over_the_groups_village(users, kube):
    stored = record(kube, complaints="Bau limbah tahu sampai ke rumah warga", by=users["facilitator"])

    notes = told().select_related("recipient_user")
    assert {n.recipient_user.username for n in notes} == {"officer", "admin"}
    assert {(n.url, n.body) for n in notes} == {(stored.get_absolute_url(), "Bau limbah tahu sampai ke rumah warga")}


def test_a_record_without_complaints_tells_no_one(users, kube):
    record(kube, complaints="  ", by=users["facilitator"])

    assert not Notification.objects.filter(kind="mentoring.complaint").exists()


def test_a_visit_can_have_only_one_record(kube):
    visit = VisitFactory(kube=kube)
    record(kube, visit=visit)

    with pytest.raises(MentoringError, match="already has a bina lingkungan record"):
        record(kube, visit=visit)


def test_a_record_for_another_groups_visit_is_refused(kube):
    with pytest.raises(MentoringError, match="another group"):
        record(kube, visit=VisitFactory())


# With the visit -----------------------------------------------------------------------------------------------------


def visit(kube, **kwargs):
    defaults = {"visited_on": dt.date(2027, 7, 30), "purpose": "Monitoring usaha", "by": UserFactory()}
    return record_visit(kube=kube, **(defaults | kwargs))


SECTION = {"practices": {"waste": True, "water": False}, "neighbours_employed": 1, "neighbour_wages": 100_000}


def test_a_visits_section_becomes_its_record_dated_the_day_of_the_visit(kube):
    recorded = visit(kube, environment=SECTION)

    stored = EnvironmentRecord.objects.get()
    assert (stored.visit, stored.recorded_on, stored.by) == (recorded, dt.date(2027, 7, 30), recorded.by)


def test_a_visit_sent_twice_stores_its_record_once(kube):
    facilitator, key = UserFactory(), uuid.uuid4()

    visit(kube, by=facilitator, client_key=key, environment=SECTION)
    visit(kube, by=facilitator, client_key=key, environment=SECTION)

    assert (Visit.objects.count(), EnvironmentRecord.objects.count()) == (1, 1)


def test_a_refused_section_stores_no_visit(kube):
    with pytest.raises(MentoringError, match="no neighbour employed"):
        visit(kube, environment={"practices": {}, "neighbour_days": 3})

    assert not Visit.objects.exists()


# The form -----------------------------------------------------------------------------------------------------------


def section(kube, **data):
    return EnvironmentForm({f"env-{name}": value for name, value in data.items()}, kube=kube)


def test_every_active_practice_is_asked_and_an_unticked_one_is_not_followed(kube):
    form = section(kube, practice_waste="on", neighbours_employed="2")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["practices"] == {code: code == "waste" for code in PRACTICES}


def test_a_retired_practice_is_not_asked(kube):
    EnvironmentPractice.objects.filter(code="nuisance").update(active=False)

    form = section(kube, practice_waste="on")

    assert form.is_valid()
    assert "nuisance" not in form.cleaned_data["practices"]


def test_blank_figures_are_zero_and_texts_empty(kube):
    form = section(kube, practice_water="on")

    assert form.is_valid()
    assert (form.cleaned_data["neighbour_wages"], form.cleaned_data["complaints"]) == (0, "")


def test_a_blank_section_has_no_data(kube):
    assert not section(kube, neighbours_employed="", complaints="  ").has_data()


@pytest.mark.parametrize("data", [{"practice_chemicals": "on"}, {"neighbour_days": "4"}, {"notes": "Baik"}])
def test_a_ticked_practice_a_figure_or_a_text_is_data(kube, data):
    assert section(kube, **data).has_data()


def test_a_negative_figure_is_an_error_beside_its_field(kube):
    form = section(kube, neighbours_employed="-2")

    assert not form.is_valid()
    assert "neighbours_employed" in form.errors


def test_the_wages_help_text_shows_the_cash_books_wages_since_the_last_record(kube):
    record(kube, recorded_on=dt.date(2027, 7, 1))
    wages(kube, dt.date(2027, 6, 20), 90_000)  # before the last record: not counted
    wages(kube, dt.date(2027, 7, 15), 250_000)

    form = EnvironmentForm(kube=kube)

    assert form.fields["neighbour_wages"].help_text == (
        "The cash book holds Rp 250,000 of wages (members' too) since the last record of 1 Jul 2027."
    )


# The cash book's wages -----------------------------------------------------------------------------------------------


def test_the_cash_books_wages_are_those_after_the_previous_record_less_reversals(kube):
    record(kube, recorded_on=dt.date(2027, 6, 30))
    kept = wages(kube, dt.date(2027, 7, 5), 300_000)
    mistaken = wages(kube, dt.date(2027, 7, 6), 50_000)
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 7, 7), amount=70_000)  # materials, not wages
    CashEntry.objects.create(
        kube=kube,
        entry_date=dt.date(2027, 7, 8),
        kind=CashEntry.Kind.INCOME,
        category=CashEntry.Category.REVERSAL,
        amount=50_000,
        description="Koreksi",
        reverses=mistaken,
        entered_by=kept.entered_by,
    )
    wages(kube, dt.date(2027, 7, 25), 40_000)  # after the day asked

    found = cash_book_wages(kube=kube, until=dt.date(2027, 7, 20))

    assert (found.after, found.amount) == (dt.date(2027, 6, 30), 300_000)


# The pages ----------------------------------------------------------------------------------------------------------


def post_visit(client, kube, **data):
    return client.post(
        reverse("mentoring:visit-create", args=[kube.pk]), {"visited_on": "2027-08-01", "purpose": "Monitoring", **data}
    )


def test_the_visit_form_asks_every_active_practice_in_its_section(client, users, kube):
    client.force_login(users["facilitator"])

    page = client.get(reverse("mentoring:visit-create", args=[kube.pk])).content.decode()

    assert '<details id="visit-environment">' in page
    for code in PRACTICES:
        assert f'name="env-practice_{code}"' in page


def test_a_visit_posted_with_its_section_stores_the_record_linked_to_it(client, users, kube):
    client.force_login(users["facilitator"])

    post_visit(client, kube, **{"env-practice_waste": "on", "env-neighbours_employed": "3"})

    stored = EnvironmentRecord.objects.get()
    assert stored.visit == Visit.objects.get()
    assert (stored.practices["waste"], stored.practices["water"], stored.neighbours_employed) == (True, False, 3)


def test_a_visit_with_a_blank_section_has_no_record(client, users, kube):
    client.force_login(users["facilitator"])

    post_visit(client, kube, **{"env-neighbours_employed": "", "env-complaints": ""})

    assert Visit.objects.exists()
    assert not EnvironmentRecord.objects.exists()


def test_the_visit_form_comes_back_with_the_section_open_beside_its_errors(client, users, kube):
    client.force_login(users["facilitator"])

    response = post_visit(client, kube, **{"env-neighbours_employed": "-3"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<details id="visit-environment" open>' in page
    assert response.context["form"].environment.errors["neighbours_employed"]
    assert not Visit.objects.exists()


def test_an_officer_records_bina_lingkungan_without_a_visit(client, users, kube):
    client.force_login(users["officer"])

    response = client.post(
        reverse("mentoring:environment-create", args=[kube.pk]),
        {"recorded_on": "2027-08-02", "practice_local_materials": "on", "community_contribution": "150000"},
    )

    stored = EnvironmentRecord.objects.get()
    assert response["Location"] == stored.get_absolute_url()
    assert (stored.visit, stored.community_contribution, stored.practices["local_materials"]) == (None, 150_000, True)


def test_the_record_form_refuses_a_blank_record(client, users, kube):
    client.force_login(users["facilitator"])
    client.cookies["django_language"] = "en"

    response = client.post(reverse("mentoring:environment-create", args=[kube.pk]), {"recorded_on": "2027-08-02"})

    assert "Nothing to record" in " ".join(response.context["form"].non_field_errors())
    assert not EnvironmentRecord.objects.exists()


def test_a_village_operator_does_not_record_bina_lingkungan(client, users, kube):
    client.force_login(users["desa_a"])

    response = client.get(reverse("mentoring:environment-create", args=[kube.pk]))

    assert response.status_code == 403


def test_the_record_page_sets_the_typed_wages_beside_the_cash_books(client, users, kube, settings):
    settings.LANGUAGE_CODE = "en"
    record(kube, recorded_on=dt.date(2027, 6, 1))
    wages(kube, dt.date(2027, 7, 10), 350_000)
    stored = record(kube, neighbours_employed=2, neighbour_wages=300_000, practices={"waste": True, "water": False})
    client.force_login(users["camat"])

    response = client.get(stored.get_absolute_url())

    page = response.content.decode()
    assert "Rp 300,000" in page.split('id="wages"')[1].split("</dd>")[0]
    assert "Rp 350,000" in page.split('id="cash-book-wages"')[1].split("</dd>")[0]
    assert [answer.followed for answer in response.context["practices"]] == [True, False]


def test_the_visit_page_links_to_its_record(client, users, kube):
    recorded = visit(kube, environment=SECTION)
    client.force_login(users["facilitator"])

    page = client.get(recorded.get_absolute_url()).content.decode()

    assert EnvironmentRecord.objects.get().get_absolute_url() in page


def test_the_timeline_shows_a_record_written_alone(client, users, kube):
    stored = record(kube)
    client.force_login(users["facilitator"])

    response = client.get(reverse("mentoring:kube-timeline", args=[kube.pk]))

    assert [e.url for e in response.context["entries"] if e.kind == "environment"] == [stored.get_absolute_url()]


def test_the_groups_records_keep_a_flat_query_count(client, users, kube, django_assert_max_num_queries):
    for day in (1, 2, 3):
        visit(kube, visited_on=dt.date(2027, 7, day), environment=SECTION)
    client.force_login(users["officer"])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("mentoring:environment-list", args=[kube.pk]))

    assert len(response.context["records"]) == 3
