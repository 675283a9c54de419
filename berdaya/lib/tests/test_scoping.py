"""The one region predicate: its query form and its Python form agree, and visible_to fails closed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from berdaya.accounts.tests.factories import UserFactory
from berdaya.lib.scoping import (
    can_see_region,
    kecamatan_code,
    regency_code,
    region_ancestors,
    region_contains,
)
from berdaya.regions.models import Region
from berdaya.regions.tests.factories import RegionFactory

CODES = ["64", "64.01", "64.01.04", "64.01.04.2004", "64.01.04.2005", "64.01.05", "64.010", "64.02.01.2001", "65"]
segment = st.sampled_from(["64", "01", "04", "010", "2004", "1", "65"])
codes = st.lists(segment, min_size=1, max_size=4).map(".".join)


@given(scope=codes, code=codes)
def test_a_region_contains_itself_and_what_lies_below_it_only(scope, code):
    assert region_contains(scope, code) == (code.split(".")[: len(scope.split("."))] == scope.split("."))


@pytest.mark.django_db
@pytest.mark.parametrize("scope", CODES)
def test_the_query_and_the_python_predicate_pick_the_same_regions(scope):
    for code in CODES:
        RegionFactory(code=code)

    in_query = set(Region.objects.within(scope).values_list("code", flat=True))

    assert in_query == {code for code in Region.objects.values_list("code", flat=True) if region_contains(scope, code)}


def test_a_segment_prefix_is_not_a_parent():
    assert not region_contains("64.01", "64.010")


def test_codes_above_below_and_around_a_village():
    assert region_ancestors("64.01.04.2004") == ["64", "64.01", "64.01.04"]
    assert (kecamatan_code("64.01.04.2004"), regency_code("64.01.04.2004")) == ("64.01.04", "64.01")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_scope", "code", "sees"),
    [("64.01", "64.01.04.2004", True), ("64.01.04", "64.01.05", False), (None, "64.01", False)],
)
def test_can_see_region_follows_the_users_scope(user_scope, code, sees):
    user = UserFactory(region=RegionFactory(code=user_scope) if user_scope else None)

    assert can_see_region(user, code) is sees


@pytest.mark.django_db
def test_an_inactive_user_sees_no_region():
    user = UserFactory(region=RegionFactory(code="64.01"), is_active=False)

    assert not can_see_region(user, "64.01")
    assert not Region.objects.visible_to(user).exists()


@pytest.mark.django_db
def test_a_facilitator_reads_reference_regions_by_its_scope():
    RegionFactory(code="64.01.04.2004")
    RegionFactory(code="64.02.01.2001")
    facilitator = UserFactory(role="facilitator", region=RegionFactory(code="64.01"))

    visible = set(Region.objects.visible_to(facilitator).values_list("code", flat=True))

    assert visible == {"64.01", "64.01.04", "64.01.04.2004"}


def test_no_model_overrides_visible_to():
    from django.apps import apps

    from berdaya.lib.scoping import ScopedQuerySet

    overriding = []
    for model in apps.get_models():
        queryset = type(model._default_manager.get_queryset())
        if issubclass(queryset, ScopedQuerySet) and queryset.visible_to is not ScopedQuerySet.visible_to:
            overriding.append(model.__name__)

    assert overriding == []
