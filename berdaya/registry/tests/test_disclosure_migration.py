"""The NIK reveals logged before the access log existed move into it as disclosures of kind "reveal"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0004_verbose_names")]
AFTER = [("registry", "0005_disclosure_log")]


@pytest.fixture
def migrations_restored() -> Iterator[None]:
    """Whatever the test does to the schema, the next test finds every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_nik_reveal_becomes_one_logged_reveal_of_its_person(migrations_restored: None) -> None:
    executor = MigrationExecutor(connection)
    # Every other app as it is now (a User has the fields its table has), unless it needs the access log.
    graph = executor.loader.graph
    before = BEFORE + [
        leaf for leaf in graph.leaf_nodes() if leaf[0] != "registry" and AFTER[0] not in graph.forwards_plan(leaf)
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    region = old.get_model("regions", "Region")
    for code, level, parent in [("64", 1, None), ("64.01", 2, "64"), ("64.01.04", 3, "64.01")]:
        region.objects.create(code=code, name=code, level=level, parent_id=parent)
    village = region.objects.create(code="64.01.04.2004", name="Tanah Periuk", level=4, parent_id="64.01.04")
    household = old.get_model("registry", "Household").objects.create(kk_number="6401040101150001", village=village)
    person = old.get_model("registry", "Person").objects.create(
        nik="6401041203850001", name="Siti", household=household
    )
    user = old.get_model("accounts", "User").objects.create(username="petugas")
    at = dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC)
    old.get_model("registry", "NikReveal").objects.create(person=person, by=user, revealed_at=at)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    disclosure = new.get_model("registry", "Disclosure").objects.get()

    assert (disclosure.kind, disclosure.person_id, disclosure.by_id) == ("reveal", person.pk, user.pk)
    assert (disclosure.at, disclosure.region_id, disclosure.count) == (at, village.pk, 1)
    assert list(disclosure.persons.values_list("pk", flat=True)) == [person.pk]
