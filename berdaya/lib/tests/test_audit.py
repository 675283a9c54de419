"""One audit context: every history row written inside acting_as names the acting user."""

from __future__ import annotations

import pytest

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.lib.audit import acting_as, acting_user, because

pytestmark = pytest.mark.django_db


def test_a_write_inside_acting_as_names_the_user_and_the_reason():
    admin, other = UserFactory(username="admin"), UserFactory(username="other")

    with acting_as(admin, "phone changed"):
        other.phone = "0812"
        other.save()

    latest = other.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (admin, "phone changed")


def test_a_records_own_reason_wins_over_the_contexts():
    admin, other = UserFactory(username="admin"), UserFactory(username="other")

    with acting_as(admin, "bulk edit"):
        because(other, "unlocked")
        other.save()

    assert other.history.latest().history_change_reason == "unlocked"


def test_the_innermost_context_names_the_user_and_the_outer_one_comes_back():
    admin, officer = UserFactory(username="admin"), UserFactory(username="officer")

    with acting_as(admin):
        with acting_as(officer):
            assert acting_user() == officer
        assert acting_user() == admin
    assert acting_user() is None


def test_acting_as_is_one_transaction():
    admin = UserFactory(username="admin")

    with pytest.raises(RuntimeError), acting_as(admin):
        UserFactory(username="half-made")
        raise RuntimeError

    assert not User.objects.filter(username="half-made").exists()


def test_a_write_outside_any_context_and_request_names_no_one():
    other = UserFactory(username="other")

    other.save()

    assert other.history.latest().history_user is None


def test_a_reason_longer_than_the_history_column_is_shortened_not_refused():
    admin, other = UserFactory(username="admin"), UserFactory(username="other")

    with acting_as(admin, "alasan panjang " * 20):
        other.phone = "0813"
        other.save()

    reason = other.history.latest().history_change_reason
    assert (len(reason), reason[:15], reason[-1]) == (100, "alasan panjang ", "…")
