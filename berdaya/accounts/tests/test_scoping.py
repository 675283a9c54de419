import pytest

from berdaya.accounts.models import User
from berdaya.regions.models import Region


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
        ("camat", {"camat", "desa_a", "desa_b"}),
        ("desa_a", {"desa_a"}),
        ("facilitator", set()),
        ("no_region", set()),
    ],
)
def test_users_are_visible_only_inside_the_viewers_region(users, username, expected):
    visible = set(User.objects.visible_to(users[username]).values_list("username", flat=True))

    assert visible == expected


def test_a_disabled_account_sees_nothing(users):
    users["admin"].is_active = False

    assert not Region.objects.visible_to(users["admin"]).exists()


def test_a_regency_scope_does_not_leak_into_a_code_that_only_starts_with_the_same_digits(users, regions):
    from berdaya.regions.tests.factories import RegionFactory

    RegionFactory(code="64.011", name="Not a child", level=2, parent=None)

    assert not Region.objects.visible_to(users["admin"]).filter(code="64.011").exists()


def test_a_village_operator_sees_only_its_own_village_among_regions(users, regions):
    codes = set(Region.objects.visible_to(users["desa_a"]).values_list("code", flat=True))

    assert codes == {"64.01.04.2004"}
