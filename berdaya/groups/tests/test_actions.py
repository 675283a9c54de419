"""What a user may do to a group or a member now: the role's permissions and the lifecycle, asked in one place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.groups.selectors import actions_for

from .factories import KubeFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_forming_group_can_be_activated_or_dissolved_but_not_graduated(users):
    kube = KubeFactory(status=Kube.Status.FORMING)

    actions = actions_for(users["officer"], kube)

    assert {"activate", "dissolve", "officers", "add_member", "edit", "assign"} <= actions
    assert "graduate" not in actions


def test_an_active_group_can_graduate(users):
    kube = KubeFactory(status=Kube.Status.ACTIVE)

    assert {"graduate", "deactivate", "dissolve"} <= actions_for(users["officer"], kube)


@pytest.mark.parametrize("status", [Kube.Status.GRADUATED, Kube.Status.DISSOLVED])
def test_an_ended_group_offers_nothing(users, status):
    kube = KubeFactory(status=status)

    assert actions_for(users["officer"], kube) == frozenset()


def test_a_role_without_the_permission_is_offered_nothing(users):
    kube = KubeFactory(status=Kube.Status.FORMING)

    assert actions_for(users["monitor"], kube) == frozenset()


def test_a_member_who_left_can_neither_leave_nor_be_replaced(users):
    membership = MembershipFactory(left_on=dt.date(2027, 7, 20))

    assert actions_for(users["officer"], membership) == frozenset()


def test_a_current_member_can_leave_or_be_replaced(users):
    membership = MembershipFactory()

    assert actions_for(users["officer"], membership) == {"leave", "replace"}


def test_the_status_form_of_an_active_group_offers_its_lifecycles_moves(client, users, regions):
    kube = KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE)
    client.force_login(users["officer"])

    response = client.get(reverse("groups:kube-detail", args=[kube.pk]))

    choices = [value for value, _label in response.context["status_form"].fields["to"].choices]
    assert choices == ["inactive", "graduated", "dissolved"]


def test_a_graduated_groups_page_has_no_forms(client, users, regions):
    kube = KubeFactory(village=regions["village_a"], status=Kube.Status.GRADUATED)
    client.force_login(users["officer"])

    page = client.get(reverse("groups:kube-detail", args=[kube.pk])).content.decode()

    posts = ["kube-officers", "member-add", "kube-status", "kube-assign"]
    assert [name for name in posts if reverse(f"groups:{name}", args=[kube.pk]) in page] == []
