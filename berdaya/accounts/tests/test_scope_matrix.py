"""Every role x every page and export that lists records, over villages in two kecamatan.

Out-of-scope records are invisible; a direct URL to one is a 404 (never a 500, never the record).
"""

import pytest
from django.urls import reverse

ALL_USERS = [
    "admin",
    "officer",
    "monitor",
    "camat",
    "camat_c",
    "desa_a",
    "desa_b",
    "desa_c",
    "facilitator",
    "other_facilitator",
    "no_region",
]


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("officer", 200),
        ("monitor", 200),
        ("camat", 200),
        ("desa_a", 200),
        ("facilitator", 200),
        ("no_region", 200),
    ],
)
def test_every_role_has_a_dashboard(client, users, username, status):
    assert get(client, users[username], reverse("dashboard")).status_code == status


@pytest.mark.parametrize(
    ("username", "villages"),
    [("admin", 3), ("officer", 3), ("monitor", 3), ("camat", 2), ("camat_c", 1), ("desa_a", 1), ("no_region", 0)],
)
def test_dashboard_totals_count_only_the_viewers_scope(client, users, username, villages):
    response = get(client, users[username], reverse("dashboard"))

    assert response.context["dashboard"].village_count == villages


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("admin", "64.01.04", 200),
        ("admin", "64.02", 404),
        ("camat", "64.01.04", 200),
        ("camat", "64.01.04.2005", 200),
        ("camat", "64.01.05", 404),
        ("camat", "64.01", 404),
        ("desa_a", "64.01.04.2004", 200),
        ("desa_a", "64.01.04.2005", 404),
        ("desa_a", "64.01.04", 404),
        ("desa_c", "64.01.04.2004", 404),
        ("no_region", "64.01", 404),
        ("facilitator", "64.01.05", 200),
    ],
)
def test_a_region_page_is_seen_only_inside_the_scope(client, users, username, code, status):
    response = get(client, users[username], reverse("regions:region-detail", args=[code]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"64.01.04", "64.01.05", "64.01.04.2004", "64.01.04.2005", "64.01.05.2001"}),
        ("camat", {"64.01.04", "64.01.04.2004", "64.01.04.2005"}),
        ("desa_a", {"64.01.04.2004"}),
        ("desa_c", {"64.01.05.2001"}),
        ("pemantau_none", set()),
    ],
)
def test_the_region_export_holds_only_the_scope(client, users, username, expected):
    user = users.get(username, users["no_region"])
    response = get(client, user, reverse("regions:region-export"))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1:]
    assert {line.split(",")[0] for line in lines} == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "admin",
            {
                "admin",
                "officer",
                "monitor",
                "camat",
                "camat_c",
                "desa_a",
                "desa_b",
                "desa_c",
                "facilitator",
                "other_facilitator",
            },
        ),
    ],
)
def test_the_user_list_and_export_hold_only_the_scope(client, users, username, expected):
    client.force_login(users[username])

    listed = {u.username for u in client.get(reverse("accounts:user-list")).context["users"]}
    exported = b"".join(client.get(reverse("accounts:user-export")).streaming_content).decode("utf-8-sig")

    assert listed == expected
    assert {line.split(",")[0] for line in exported.splitlines()[1:]} == expected


@pytest.mark.parametrize("username", ["officer", "monitor", "camat", "desa_a", "facilitator"])
@pytest.mark.parametrize("url_name", ["accounts:user-list", "accounts:user-export", "accounts:user-create"])
def test_only_an_admin_reaches_the_user_pages(client, users, username, url_name):
    assert get(client, users[username], reverse(url_name)).status_code == 403


def test_an_admin_account_without_a_region_lists_no_one(client, users):
    response = get(client, users["no_region"], reverse("accounts:user-list"))

    assert list(response.context["users"]) == []


def test_an_admin_of_another_regency_gets_404_for_a_paser_user(client, users, regions):
    from berdaya.accounts.tests.factories import UserFactory
    from berdaya.regions.tests.factories import RegionFactory

    outsider = UserFactory(username="admin_lain", region=RegionFactory(code="64.02"))

    response = get(client, outsider, reverse("accounts:user-detail", args=[users["desa_a"].pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("url_name", ["accounts:user-detail", "accounts:user-edit", "accounts:user-password"])
def test_a_guessed_user_url_outside_the_scope_is_404(client, users, url_name):
    from berdaya.accounts.tests.factories import UserFactory
    from berdaya.regions.tests.factories import RegionFactory

    outsider = UserFactory(username="di_luar", region=RegionFactory(code="64.02.01.2001"))

    assert get(client, users["admin"], reverse(url_name, args=[outsider.pk])).status_code == 404


def test_the_user_list_runs_a_bounded_number_of_queries(client, users, django_assert_max_num_queries):
    client.force_login(users["admin"])

    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:user-list"))


def test_the_dashboard_runs_a_bounded_number_of_queries(client, users, django_assert_max_num_queries):
    client.force_login(users["admin"])

    # The programme's figures add a few (berdaya/reports/tests/test_dashboard.py: they never grow with the groups).
    with django_assert_max_num_queries(18):
        client.get(reverse("dashboard"))
