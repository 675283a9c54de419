from __future__ import annotations

import pytest
from django.urls import reverse

from berdaya.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C
from berdaya.registry.models import Disclosure, Person

from .factories import AssistanceRecordFactory, HouseholdFactory, PersonFactory

# Who sees a person of village A: the regency, its kecamatan and its own village, nobody else.
SCOPE = [
    ("admin", 200),
    ("officer", 200),
    ("monitor", 200),
    ("camat", 200),
    ("desa_a", 200),
    ("camat_c", 404),
    ("desa_b", 404),
    ("desa_c", 404),
    ("no_region", 404),
]


@pytest.fixture
def person(regions):
    return PersonFactory(household__village=regions["village_a"], name="Siti Aminah")


@pytest.mark.parametrize(("username", "status"), SCOPE)
def test_person_page_is_seen_only_inside_its_scope(client, users, person, username, status):
    client.force_login(users[username])

    assert client.get(person.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("username", "status"), SCOPE)
def test_household_page_is_seen_only_inside_its_scope(client, users, person, username, status):
    client.force_login(users[username])

    assert client.get(person.household.get_absolute_url()).status_code == status


@pytest.mark.parametrize("username", ["facilitator", "other_facilitator"])
@pytest.mark.parametrize("url_name", ["registry:person-list", "registry:household-list", "registry:person-export"])
def test_facilitators_have_no_registry_pages_yet(client, users, username, url_name):
    client.force_login(users[username])

    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"A", "B", "C"}),
        ("monitor", {"A", "B", "C"}),
        ("camat", {"A", "B"}),
        ("camat_c", {"C"}),
        ("desa_a", {"A"}),
        ("desa_b", {"B"}),
        ("no_region", set()),
    ],
)
def test_person_list_holds_only_persons_in_scope(client, users, regions, username, expected):
    for name, village in [("A", "village_a"), ("B", "village_b"), ("C", "village_c")]:
        PersonFactory(name=name, household__village=regions[village])
    PersonFactory(name="Outside", household__village=regions["other_regency"])
    client.force_login(users[username])

    response = client.get(reverse("registry:person-list"))

    assert {p.name for p in response.context["page"]} == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [("admin", 3), ("camat", 2), ("desa_a", 1), ("camat_c", 1), ("no_region", 0)],
)
def test_household_list_holds_only_households_in_scope(client, users, regions, username, expected):
    for village in ["village_a", "village_b", "village_c", "other_regency"]:
        HouseholdFactory(village=regions[village])
    client.force_login(users[username])

    response = client.get(reverse("registry:household-list"))

    assert response.context["page"].paginator.count == expected


@pytest.mark.parametrize(
    ("username", "rows"),
    [("admin", 2), ("camat", 2), ("desa_a", 1), ("desa_b", 1), ("camat_c", 0), ("no_region", 0)],
)
def test_person_export_holds_only_persons_in_scope(client, users, regions, username, rows):
    PersonFactory(household__village=regions["village_a"])
    PersonFactory(household__village=regions["village_b"])
    client.force_login(users[username])

    response = client.get(reverse("registry:person-export"))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) - 1 == rows


def test_the_village_filter_offers_only_regions_in_scope(client, users, regions):
    client.force_login(users["camat"])

    response = client.get(reverse("registry:person-list"))

    assert {r.code for r in response.context["villages"]} == {"64.01.04", VILLAGE_A, VILLAGE_B}


def test_search_finds_a_person_by_the_start_of_the_nik(client, users, regions):
    wanted = PersonFactory(household__village=regions["village_a"])
    PersonFactory(household__village=regions["village_b"], birth_date=wanted.birth_date.replace(year=1955))
    client.force_login(users["admin"])

    response = client.get(reverse("registry:person-list"), {"q": wanted.nik[:14]})

    assert [p.pk for p in response.context["page"]] == [wanted.pk]


def test_search_finds_persons_by_kk_number(client, users, regions):
    household = HouseholdFactory(village=regions["village_a"])
    members = PersonFactory.create_batch(2, household=household)
    PersonFactory(household__village=regions["village_a"])
    client.force_login(users["admin"])

    response = client.get(reverse("registry:person-list"), {"q": household.kk_number})

    assert {p.pk for p in response.context["page"]} == {m.pk for m in members}


def test_search_by_a_nik_start_ending_in_nine_finds_only_those_niks(client, users, regions):
    wanted = PersonFactory(household__village=regions["village_a"], nik="6401041205900019")
    PersonFactory(household=wanted.household, nik="6401041205900020")
    client.force_login(users["admin"])

    response = client.get(reverse("registry:person-list"), {"q": "640104120590001 9"})

    assert [p.pk for p in response.context["page"]] == [wanted.pk]


def test_household_search_finds_a_household_without_members_by_the_start_of_its_kk(client, users, regions):
    wanted = HouseholdFactory(village=regions["village_a"])
    HouseholdFactory(village=regions["village_a"])
    client.force_login(users["admin"])

    response = client.get(reverse("registry:household-list"), {"q": wanted.kk_number[:15]})

    assert [h.pk for h in response.context["page"]] == [wanted.pk]


def test_village_filter_narrows_the_list(client, users, regions):
    PersonFactory(name="In B", household__village=regions["village_b"])
    PersonFactory(name="In A", household__village=regions["village_a"])
    client.force_login(users["admin"])

    response = client.get(reverse("registry:person-list"), {"village": VILLAGE_B})

    assert [p.name for p in response.context["page"]] == ["In B"]


def test_htmx_search_answers_with_the_rows_fragment(client, users, person):
    client.force_login(users["admin"])

    response = client.get(reverse("registry:person-list"), {"q": "Siti"}, headers={"HX-Request": "true"})

    assert "<html" not in response.content.decode()
    assert "Siti Aminah" in response.content.decode()


def test_person_list_query_count_does_not_grow_with_rows(client, users, regions, django_assert_max_num_queries):
    PersonFactory.create_batch(30, household__village=regions["village_a"])
    client.force_login(users["admin"])

    # 13: the list and its menu, whose tasks include the background-task warnings of the Admin Dinas.
    with django_assert_max_num_queries(13):
        client.get(reverse("registry:person-list"))


def test_household_list_query_count_does_not_grow_with_rows(client, users, regions, django_assert_max_num_queries):
    HouseholdFactory.create_batch(30, village=regions["village_a"])
    client.force_login(users["admin"])

    # 13: the list and its menu, whose tasks include the background-task warnings of the Admin Dinas.
    with django_assert_max_num_queries(13):
        client.get(reverse("registry:household-list"))


def test_the_nik_is_masked_on_the_person_page(client, users, person):
    client.force_login(users["admin"])

    page = client.get(person.get_absolute_url()).content.decode()

    assert person.nik not in page
    assert f"{person.nik[:6]}••••••{person.nik[-4:]}" in page


def test_the_nik_is_masked_in_the_list(client, users, person):
    client.force_login(users["admin"])

    page = client.get(reverse("registry:person-list")).content.decode()

    assert person.nik not in page


def test_revealing_a_nik_shows_it_and_logs_who_did(client, users, person):
    client.force_login(users["officer"])

    response = client.post(reverse("registry:person-reveal-nik", args=[person.pk]), headers={"HX-Request": "true"})

    assert person.nik in response.content.decode()
    reveal = Disclosure.objects.get()
    assert (reveal.person, reveal.by) == (person, users["officer"])


@pytest.mark.parametrize(("username", "status"), [("camat", 403), ("monitor", 403), ("desa_b", 403)])
def test_only_dinas_roles_may_reveal_a_nik(client, users, person, username, status):
    client.force_login(users[username])

    response = client.post(reverse("registry:person-reveal-nik", args=[person.pk]))

    assert response.status_code == status
    assert not Disclosure.objects.exists()


def test_a_nik_outside_the_scope_cannot_be_revealed(client, users, regions):
    person = PersonFactory(household__village=regions["other_regency"])
    client.force_login(users["admin"])

    response = client.post(reverse("registry:person-reveal-nik", args=[person.pk]))

    assert response.status_code == 404
    assert not Disclosure.objects.exists()


def test_revealing_needs_a_post(client, users, person):
    client.force_login(users["admin"])

    assert client.get(reverse("registry:person-reveal-nik", args=[person.pk])).status_code == 405


def test_export_masks_the_nik_for_roles_that_may_not_reveal(client, users, person):
    client.force_login(users["camat"])

    content = b"".join(client.get(reverse("registry:person-export")).streaming_content).decode("utf-8-sig")

    assert person.nik not in content
    assert f"{person.nik[:6]}••••••{person.nik[-4:]}" in content


def test_export_shows_the_full_nik_to_roles_that_may_reveal(client, users, person):
    client.force_login(users["officer"])

    content = b"".join(client.get(reverse("registry:person-export")).streaming_content).decode("utf-8-sig")

    assert person.nik in content


def test_the_audit_trail_names_who_edited_a_person(client, users, person):
    client.force_login(users["desa_a"])
    data = {
        "name": "Siti Aminah Binti Ali",
        "relation": "head",
        "sex": "P",
        "birth_place": "Tanah Grogot",
        "birth_date": "1980-05-02",
        "marital_status": "married",
        "education": "SMP",
        "occupation": "Petani",
        "disability": "",
    }

    client.post(reverse("registry:person-edit", args=[person.pk]), data)

    client.force_login(users["admin"])
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Siti Aminah Binti Ali" in page
    assert str(users["desa_a"]) in page
    assert Person.history.filter(id=person.pk, history_type="~").get().history_user == users["desa_a"]


def test_a_monitor_cannot_edit(client, users, person):
    client.force_login(users["monitor"])

    assert client.get(reverse("registry:person-edit", args=[person.pk])).status_code == 403


def test_a_household_cannot_be_moved_to_a_village_outside_the_scope(client, users, regions, person):
    client.force_login(users["desa_a"])

    response = client.post(
        reverse("registry:household-edit", args=[person.household.pk]),
        {"address": "Jl. Baru", "village": VILLAGE_C, "decile": 2},
    )

    person.household.refresh_from_db()
    assert response.status_code == 200
    assert person.household.village_id == VILLAGE_A


def test_household_page_lists_members_and_assistance(client, users, regions):
    record = AssistanceRecordFactory(person__household__village=regions["village_a"], programme="kube", year=2019)
    client.force_login(users["camat"])

    page = client.get(record.household.get_absolute_url()).content.decode()

    assert record.person.name in page
    assert "KUBE" in page
