"""A second look before the targeting steps that cannot be undone, and pages that read true once the SK is out.

The first POST of each step runs nothing and shows what will happen, with its numbers; the POST from that page
(`confirmed=1`) runs it; Cancel goes back; a step the service refuses still says why.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting import selectors, services
from berdaya.targeting.models import Cycle, NominationList, Nominee, Verval
from berdaya.targeting.tests.conftest import minutes_pdf
from berdaya.targeting.tests.factories import CycleFactory, NomineeFactory, QuotaFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "1"}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the UI is Indonesian unless the user picks English
        return client

    return login


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def seven_approved(cycle, users, regions):
    """Seven approved families: five in Tanah Periuk, two in Tapis."""
    periuk = NominationList.objects.create(cycle=cycle, village=regions["village_a"], created_by=users["admin"])
    tapis = NominationList.objects.create(cycle=cycle, village=regions["village_b"], created_by=users["admin"])
    return NomineeFactory.create_batch(5, nomination_list=periuk, status=Nominee.Status.APPROVED) + (
        NomineeFactory.create_batch(2, nomination_list=tapis, status=Nominee.Status.APPROVED)
    )


# The decree ------------------------------------------------------------------------------------------------------


def test_the_first_decree_post_issues_nothing_and_shows_families_and_amount(as_user, users, cycle, seven_approved):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-decree", args=[cycle.pk]))

    cycle.refresh_from_db()
    assert response.status_code == 200
    assert cycle.status == Cycle.Status.OPEN and cycle.sk_number == ""
    assert "7 families, Rp 14,000,000 will be decreed" in page_text(response)


def test_the_decree_confirmation_names_the_families_per_village(as_user, users, cycle, seven_approved):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-decree", args=[cycle.pk]))

    rows = dict(response.context["confirmation"].rows)
    assert rows == {"Tanah Periuk": "5", "Tapis": "2"}


def test_the_confirmed_decree_is_issued(as_user, users, cycle, seven_approved):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-decree", args=[cycle.pk]), CONFIRMED)

    cycle.refresh_from_db()
    assert response.status_code == 302
    assert cycle.status == Cycle.Status.DECIDED and cycle.sk_number


def test_the_confirmation_posts_back_to_the_action_with_confirmed(as_user, users, cycle, seven_approved):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-decree", args=[cycle.pk]))

    html = response.content.decode()
    assert f'action="{reverse("targeting:cycle-decree", args=[cycle.pk])}"' in html
    assert 'name="confirmed" value="1"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_cancel_goes_back_to_the_cycle(as_user, users, cycle, seven_approved):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-decree", args=[cycle.pk]))

    assert response.context["cancel"] == cycle.get_absolute_url()


def test_a_decree_with_no_one_approved_is_refused_with_its_message(as_user, users, cycle):
    client = as_user(users["officer"])

    response = client.post(reverse("targeting:cycle-decree", args=[cycle.pk]), follow=True)

    assert "No nominee is approved yet." in page_text(response)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN


def test_a_confirmed_second_decree_is_refused_with_its_message(as_user, users, cycle, seven_approved):
    services.issue_decree(cycle=cycle, by=users["officer"])
    client = as_user(users["officer"])

    response = client.post(reverse("targeting:cycle-decree", args=[cycle.pk]), CONFIRMED, follow=True)

    assert "The decree can only be issued once for an open cycle." in page_text(response)


def test_a_decree_confirmed_after_another_approval_asks_again_with_the_new_figures(
    as_user, users, cycle, seven_approved
):
    client = as_user(users["officer"])
    url = reverse("targeting:cycle-decree", args=[cycle.pk])
    seen = client.post(url).context["confirmation"].digest
    NomineeFactory(nomination_list=seven_approved[0].nomination_list, status=Nominee.Status.APPROVED)

    response = client.post(url, {"seen": seen, **CONFIRMED})

    assert response.status_code == 200
    assert "8 families, Rp 16,000,000 will be decreed" in page_text(response)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN


# After the decree ------------------------------------------------------------------------------------------------


def test_the_cycle_page_after_the_decree_counts_nothing_down_and_says_what_is_next(
    as_user, users, cycle, seven_approved
):
    decided = services.issue_decree(cycle=cycle, by=users["officer"])

    response = as_user(users["officer"]).get(cycle.get_absolute_url())

    text = page_text(response)
    assert 'id="countdown"' not in text
    assert "close in" not in text
    assert "Decree (SK) issued on" in text
    assert decided.sk_number in text
    assert "Next: form the KUBE groups of the approved families." in text
    assert "issue-decree" not in text


def test_the_cycle_page_while_nominating_counts_down(as_user, users, cycle):
    response = as_user(users["officer"]).get(cycle.get_absolute_url())

    assert 'id="countdown"' in response.content.decode()
    assert "Nominations close in" in page_text(response)


def test_the_cycle_page_after_the_deadline_says_nominations_are_closed(as_user, users, cycle, today):
    today.move_to(dt.datetime.combine(cycle.nomination_deadline + dt.timedelta(days=1), dt.time(10)))

    text = page_text(as_user(users["officer"]).get(cycle.get_absolute_url()))

    assert "Nominations are closed." in text
    assert "Nominations close in" not in text


def test_the_cycle_list_shows_the_decree_instead_of_the_deadline(as_user, users, cycle, seven_approved):
    decided = services.issue_decree(cycle=cycle, by=users["officer"])

    text = page_text(as_user(users["officer"]).get(reverse("targeting:cycle-list")))

    assert f"SK {decided.sk_number} of" in text


def test_a_draft_list_offers_no_adding_once_the_cycle_is_decreed(as_user, users, cycle, seven_approved, regions):
    draft = NominationList.objects.create(cycle=cycle, village=regions["village_c"], created_by=users["admin"])
    services.issue_decree(cycle=cycle, by=users["officer"])

    response = as_user(users["desa_c"]).get(draft.get_absolute_url())

    assert response.context["actions"] == frozenset()
    assert 'id="pick-form"' not in response.content.decode()


def test_a_draft_list_offers_no_adding_or_submitting_after_the_nomination_deadline(as_user, users, village_list, today):
    today.move_to(dt.datetime.combine(village_list.cycle.nomination_deadline + dt.timedelta(days=1), dt.time(10)))

    response = as_user(users["desa_a"]).get(village_list.get_absolute_url())

    html = response.content.decode()
    assert not {"edit", "submit"} & response.context["actions"]
    assert 'id="pick-form"' not in html and 'id="submit-list"' not in html


def test_a_draft_cycle_page_counts_nothing_down(as_user, users, regions):
    draft = CycleFactory(region=regions["regency"], created_by=users["admin"])

    html = as_user(users["admin"]).get(draft.get_absolute_url()).content.decode()

    assert 'id="countdown"' not in html
    assert 'id="phase-draft"' in html


# Approve all clean -----------------------------------------------------------------------------------------------


@pytest.fixture
def verified(village_list, users):
    """Three nominees of Tanah Periuk, submitted, endorsed and verified with a full checklist."""
    for _ in range(3):
        person = PersonFactory(household__village=village_list.village)
        services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"])
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    checklist = dict.fromkeys(Verval.CHECKLIST, True)
    nominees = list(village_list.nominees.all())
    for nominee in nominees:
        services.verify_nominee(
            nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=checklist, by=users["officer"]
        )
    return nominees


def test_approve_clean_first_shows_how_many_and_approves_nothing(as_user, users, cycle, verified):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-approve-clean", args=[cycle.pk]))

    assert response.status_code == 200
    assert "3 verified nominees without flags and with a full verval checklist will be approved." in page_text(response)
    assert dict(response.context["confirmation"].rows) == {"Tanah Periuk": "3"}
    assert not Nominee.objects.filter(status=Nominee.Status.APPROVED).exists()


def test_approve_clean_confirmed_approves_them(as_user, users, cycle, verified):
    as_user(users["officer"]).post(reverse("targeting:cycle-approve-clean", args=[cycle.pk]), CONFIRMED)

    assert Nominee.objects.filter(status=Nominee.Status.APPROVED).count() == 3


# One nominee -----------------------------------------------------------------------------------------------------


def test_a_rejection_first_shows_the_reason_and_that_the_village_will_see_it(as_user, users, verified):
    nominee = verified[0]

    response = as_user(users["officer"]).post(
        reverse("targeting:nominee-reject", args=[nominee.pk]), {"reason": "Pensiunan PNS."}
    )

    text = page_text(response)
    assert "Pensiunan PNS." in text
    assert "The village and the kecamatan will see this reason." in text
    assert nominee.name in text
    assert 'name="reason" value="Pensiunan PNS."' in response.content.decode()
    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.VERIFIED


def test_a_confirmed_rejection_rejects_with_the_reason(as_user, users, verified):
    nominee = verified[0]

    as_user(users["officer"]).post(
        reverse("targeting:nominee-reject", args=[nominee.pk]), {"reason": "Pensiunan PNS.", **CONFIRMED}
    )

    nominee.refresh_from_db()
    assert nominee.status == Nominee.Status.REJECTED
    assert nominee.decision_reason == "Pensiunan PNS."


def test_a_rejection_without_a_reason_says_so_and_asks_nothing(as_user, users, verified):
    nominee = verified[0]

    response = as_user(users["officer"]).post(
        reverse("targeting:nominee-reject", args=[nominee.pk]), {"reason": ""}, follow=True
    )

    assert "Say why the nominee is rejected." in page_text(response)
    assert "confirmation" not in response.context
    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.VERIFIED


def test_an_approval_first_shows_the_quota_it_uses(as_user, users, verified):
    nominee = verified[0]

    response = as_user(users["officer"]).post(reverse("targeting:nominee-approve", args=[nominee.pk]), {"reason": ""})

    assert "Tanah Grogot: 0 of its 10 households approved so far" in page_text(response)
    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.VERIFIED


def test_a_confirmed_approval_approves(as_user, users, verified):
    nominee = verified[0]

    as_user(users["officer"]).post(reverse("targeting:nominee-approve", args=[nominee.pk]), CONFIRMED)

    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.APPROVED


def test_cancel_from_a_rejection_goes_back_to_the_nominee(as_user, users, verified):
    nominee = verified[0]

    response = as_user(users["officer"]).post(
        reverse("targeting:nominee-reject", args=[nominee.pk]), {"reason": "Pensiunan PNS."}
    )

    assert response.context["cancel"] == nominee.get_absolute_url()


# Opening a cycle, submitting and endorsing a list, removing a nominee --------------------------------------------


def test_opening_a_cycle_first_shows_its_quotas_and_what_freezes(as_user, users, regions):
    draft = CycleFactory(region=regions["regency"], created_by=users["admin"])
    QuotaFactory(cycle=draft, kecamatan=regions["kec_a"], households=10)
    QuotaFactory(cycle=draft, kecamatan=regions["kec_c"], households=5)

    response = as_user(users["admin"]).post(reverse("targeting:cycle-open", args=[draft.pk]))

    text = page_text(response)
    assert "The call goes to 2 kecamatan for 15 households in all." in text
    assert "quotas freeze" in text
    assert Cycle.objects.get(pk=draft.pk).status == Cycle.Status.DRAFT


def test_a_confirmed_opening_opens_the_cycle(as_user, users, regions):
    draft = CycleFactory(region=regions["regency"], created_by=users["admin"])
    QuotaFactory(cycle=draft, kecamatan=regions["kec_a"], households=10)

    as_user(users["admin"]).post(reverse("targeting:cycle-open", args=[draft.pk]), CONFIRMED)

    assert Cycle.objects.get(pk=draft.pk).status == Cycle.Status.OPEN


@pytest.fixture
def ready_list(village_list, users):
    """Two nominees and the minutes: ready to submit."""
    for name in ("Siti Aminah", "Budi Santoso"):
        person = PersonFactory(household__village=village_list.village, name=name)
        services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"])
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    return village_list


def test_submitting_a_list_first_names_who_goes(as_user, users, ready_list):
    response = as_user(users["desa_a"]).post(reverse("targeting:list-submit", args=[ready_list.pk]))

    text = page_text(response)
    assert "2 nominees of Tanah Periuk go to the kecamatan for review." in text
    assert "Siti Aminah" in text and "Budi Santoso" in text
    assert NominationList.objects.get(pk=ready_list.pk).status == NominationList.Status.DRAFT


def test_a_confirmed_submission_submits(as_user, users, ready_list):
    as_user(users["desa_a"]).post(reverse("targeting:list-submit", args=[ready_list.pk]), CONFIRMED)

    assert NominationList.objects.get(pk=ready_list.pk).status == NominationList.Status.SUBMITTED


def test_endorsing_a_list_first_shows_how_many_then_endorses(as_user, users, ready_list):
    services.submit_list(nomination_list=ready_list, by=users["desa_a"])
    client = as_user(users["camat"])
    url = reverse("targeting:list-endorse", args=[ready_list.pk])

    asked = client.post(url, {"reason": ""})
    status_after_asking = NominationList.objects.get(pk=ready_list.pk).status
    client.post(url, {"reason": "", **CONFIRMED})

    assert "All 2 nominees of Tanah Periuk are endorsed" in page_text(asked)
    assert status_after_asking == NominationList.Status.SUBMITTED
    assert NominationList.objects.get(pk=ready_list.pk).status == NominationList.Status.ENDORSED


def test_removing_a_nominee_first_asks_then_removes(as_user, users, ready_list):
    nominee = ready_list.nominees.get(name="Siti Aminah")
    client = as_user(users["desa_a"])
    url = reverse("targeting:nominee-remove", args=[nominee.pk])

    asked = client.post(url)
    kept = Nominee.objects.filter(pk=nominee.pk).exists()
    client.post(url, CONFIRMED)

    assert "Siti Aminah is taken off the list of Tanah Periuk" in page_text(asked)
    assert asked.context["cancel"] == ready_list.get_absolute_url()
    assert kept
    assert not Nominee.objects.filter(pk=nominee.pk).exists()


def test_approving_all_clean_when_none_is_clean_asks_nothing(as_user, users, cycle):
    response = as_user(users["officer"]).post(reverse("targeting:cycle-approve-clean", args=[cycle.pk]), follow=True)

    assert "confirmation" not in response.context
    assert "0 verified nominees without flags approved." in page_text(response)


def test_opening_a_cycle_without_quotas_is_refused_without_asking(as_user, users, regions):
    draft = CycleFactory(region=regions["regency"], created_by=users["admin"])

    response = as_user(users["admin"]).post(reverse("targeting:cycle-open", args=[draft.pk]), follow=True)

    assert "Set a quota for at least one kecamatan before opening the cycle." in page_text(response)


def test_a_decree_with_verified_nominees_still_undecided_is_refused_without_asking(
    as_user, users, cycle, seven_approved
):
    NomineeFactory(nomination_list=seven_approved[0].nomination_list, status=Nominee.Status.VERIFIED)

    response = as_user(users["officer"]).post(reverse("targeting:cycle-decree", args=[cycle.pk]), follow=True)

    assert "Decide every verified nominee before issuing the decree." in page_text(response)


def test_after_the_decree_a_nominee_left_undecided_can_no_longer_move(users, cycle, seven_approved):
    waiting = NomineeFactory(nomination_list=seven_approved[0].nomination_list, status=Nominee.Status.ENDORSED)
    services.issue_decree(cycle=cycle, by=users["officer"])
    waiting.refresh_from_db()

    assert "verify" not in selectors.actions_for(users["officer"], waiting)
    with pytest.raises(services.TransitionError, match="The decree of this cycle is issued"):
        services.verify_nominee(nominee=waiting, visit_date=dt.date(2027, 3, 1), checklist={}, by=users["officer"])
