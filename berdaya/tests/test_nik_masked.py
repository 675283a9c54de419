"""NIK and KK numbers on every page that shows a nominee or a member: masked for roles that may not reveal them.

The registry's rule carried to targeting and groups: a page shows a NIK masked (`{% nik %}`), a user with
`registry.reveal_nik` reveals it (with the KK number) through the registry's logged reveal, and a KK number or a
sentence of a check (which may quote either number) is masked too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from berdaya.groups import documents
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.registry.models import Disclosure
from berdaya.registry.tests.factories import PersonFactory
from berdaya.screening.models import MatchCandidate
from berdaya.targeting.models import Cycle, Flag
from berdaya.targeting.tests.factories import CycleFactory, NomineeFactory

pytestmark = pytest.mark.django_db

FULL_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.fixture
def world(regions: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """A group of Tanah Periuk with one member, and in the same village's list a nominee typed in by hand whose
    check quotes her NIK."""
    cycle = CycleFactory(region=regions["regency"], status=Cycle.Status.DECIDED, created_by=users["admin"])
    kube = KubeFactory(cycle=cycle, village=regions["village_a"], created_by=users["admin"])
    member = MembershipFactory(kube=kube, added_by=users["admin"])
    nominee = member.nominee
    typed = NomineeFactory(nomination_list=nominee.nomination_list, created_by=users["desa_a"])
    typed.flags.create(
        code=Flag.Code.NOT_IN_REGISTER,
        severity=Flag.Severity.HARD,
        message="NIK %(nik)s is not in the register (DTSEN).",
        params={"nik": typed.nik},
    )
    return {"kube": kube, "member": member, "nominee": nominee, "typed": typed}


def _pages(world: dict[str, Any]) -> list[str]:
    nominee, kube = world["nominee"], world["kube"]
    return [
        nominee.nomination_list.get_absolute_url(),
        nominee.get_absolute_url(),
        world["typed"].get_absolute_url(),
        nominee.cycle.get_absolute_url(),
        kube.get_absolute_url(),
        reverse("groups:membership-detail", args=[world["member"].pk]),
    ]


@pytest.mark.parametrize("username", ["monitor", "desa_a", "camat"])
def test_no_page_shows_a_full_nik_or_kk_number_to_a_role_that_may_not_reveal(client, users, world, username):
    client.force_login(users[username])

    for url in _pages(world):
        response = client.get(url)
        page = response.content.decode()

        assert response.status_code == 200, url
        assert FULL_NUMBER.findall(page) == [], url


@pytest.mark.parametrize("username", ["monitor", "desa_a"])
def test_a_role_that_may_not_reveal_is_offered_no_reveal(client, users, world, username):
    client.force_login(users[username])

    page = client.get(world["nominee"].get_absolute_url()).content.decode()

    assert reverse("registry:person-reveal-nik", args=[world["nominee"].person_id]) not in page


def test_the_officer_sees_the_nominee_masked_with_a_logged_reveal(client, users, world):
    nominee = world["nominee"]
    reveal_url = reverse("registry:person-reveal-nik", args=[nominee.person_id])
    client.force_login(users["officer"])

    page = client.get(nominee.get_absolute_url()).content.decode()
    revealed = client.post(reveal_url, headers={"HX-Request": "true"}).content.decode()

    assert nominee.nik not in page
    assert reveal_url in page
    assert nominee.nik in revealed
    assert Disclosure.objects.get().by == users["officer"]


def test_the_officer_is_offered_the_reveal_in_the_nominee_table(client, users, world):
    nominee = world["nominee"]
    client.force_login(users["officer"])

    page = client.get(nominee.nomination_list.get_absolute_url()).content.decode()

    assert nominee.nik not in page
    assert reverse("registry:person-reveal-nik", args=[nominee.person_id]) in page


@pytest.fixture
def member_list_html(monkeypatch: pytest.MonkeyPatch) -> None:
    """The member list as the HTML the PDF is made from, so that a test can read what it prints."""
    monkeypatch.setattr(documents, "_pdf", lambda template, context: render_to_string(template, context).encode())


@pytest.mark.parametrize("username", ["monitor", "desa_a", "facilitator"])
def test_the_member_list_prints_masked_numbers_for_a_role_that_may_not_reveal(
    client, users, world, member_list_html, username
):
    kube = world["kube"]
    kube.facilitator = users["facilitator"]
    kube.save()
    client.force_login(users[username])

    document = client.get(reverse("groups:kube-members-pdf", args=[kube.pk])).content.decode()

    assert FULL_NUMBER.findall(document) == []
    assert world["nominee"].person.name in document


def test_the_member_list_prints_full_numbers_for_the_dinas(client, users, world, member_list_html):
    client.force_login(users["officer"])

    document = client.get(reverse("groups:kube-members-pdf", args=[world["kube"].pk])).content.decode()

    assert world["nominee"].nik in document


# --- The registry's household and person pages, the duplicate pair page and the change history -----------------------


@pytest.fixture
def registry_world(world: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    """The member's household with its KK number changed once (so the history shows the old and the new number), and
    a second person of the village that the screening put beside the member as a possible duplicate."""
    person = world["nominee"].person
    household = person.household
    household.kk_number = f"{int(household.kk_number) + 1:016d}"
    household.save()
    other = PersonFactory(household__village=regions["village_a"])
    left, right = sorted([person, other], key=lambda p: p.pk)
    candidate = MatchCandidate.objects.create(
        left=left,
        right=right,
        left_label=left.name,
        right_label=right.name,
        region=regions["village_a"],
        score="0.9500",
        reason="same name",
    )
    return {**world, "person": person, "household": household, "candidate": candidate}


def _registry_pages(world: dict[str, Any]) -> list[str]:
    return [
        reverse("registry:household-list"),
        world["household"].get_absolute_url(),
        reverse("registry:person-list"),
        world["person"].get_absolute_url(),
    ]


@pytest.mark.parametrize("username", ["monitor", "desa_a", "camat"])
def test_no_registry_page_shows_a_full_kk_number_to_a_role_that_may_not_reveal(client, users, registry_world, username):
    client.force_login(users[username])

    for url in _registry_pages(registry_world):
        response = client.get(url)

        assert response.status_code == 200, url
        assert FULL_NUMBER.findall(response.content.decode()) == [], url


def test_the_household_history_shows_the_changed_kk_number_masked_to_the_monitor(client, users, registry_world):
    household = registry_world["household"]
    client.force_login(users["monitor"])

    page = client.get(household.get_absolute_url()).content.decode()

    assert 'id="history"' in page  # the monitor reads the history...
    assert household.kk_number[-4:] in page  # ...where the number is shown, masked
    assert FULL_NUMBER.findall(page) == []


def test_the_dinas_reads_the_kk_number_masked_on_the_page_and_in_full_on_the_logged_reveal(
    client, users, registry_world
):
    household, person = registry_world["household"], registry_world["person"]
    client.force_login(users["officer"])

    page = client.get(household.get_absolute_url()).content.decode()
    revealed = client.post(reverse("registry:person-reveal-nik", args=[person.pk]), headers={"HX-Request": "true"})

    assert household.kk_number not in page
    assert household.kk_number in revealed.content.decode()
    assert Disclosure.objects.get().person == person


def test_the_duplicate_pair_page_shows_no_full_number_to_the_monitor(client, users, registry_world):
    client.force_login(users["monitor"])

    response = client.get(registry_world["candidate"].get_absolute_url())

    assert response.status_code == 200
    assert FULL_NUMBER.findall(response.content.decode()) == []


def test_the_households_list_names_each_households_head(client, users, registry_world):
    client.force_login(users["desa_a"])

    page = client.get(reverse("registry:household-list")).content.decode()

    assert registry_world["person"].name in page
