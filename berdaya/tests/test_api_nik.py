"""No API operation gives a full NIK or KK number to a role that may not reveal NIKs.

The operations that return a person are found in the OpenAPI schema (a response with a `nik` or `kk_number` field),
so a new one is covered without anyone listing it; its path parameter is filled from `RECORDS` (a new path fails
until it is added there).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from berdaya.accounts.services import create_token
from berdaya.api import api
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.registry.models import Disclosure
from berdaya.registry.privacy import masked_nik
from berdaya.targeting.models import Cycle
from berdaya.targeting.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

FULL_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
NUMBER_FIELDS = {"nik", "kk_number"}


def _refs(node: Any, components: dict[str, Any]) -> set[str]:
    """The property names reachable from a schema node (following $ref)."""
    names: set[str] = set()
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if ref and ref not in seen:
                seen.add(ref)
                stack.append(components[ref.rsplit("/", 1)[-1]])
            names |= set(item.get("properties", {}))
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return names


def person_operations() -> list[tuple[str, str, str]]:
    """(operation id, method, path) of every operation whose success answer carries a NIK or KK number."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema["components"]["schemas"]
    found = []
    for path, methods in schema["paths"].items():
        for method, details in methods.items():
            # A read's 200, or a write's 201 (a nominee added to a list answers with the nominee).
            ok = [details["responses"].get(code) or details["responses"].get(str(code), {}) for code in (200, 201)]
            if NUMBER_FIELDS & _refs(ok, components):
                found.append((details["operationId"], method.upper(), path))
    return sorted(found)


@pytest.fixture
def world(regions: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    cache.clear()
    cycle = CycleFactory(region=regions["regency"], status=Cycle.Status.DECIDED, created_by=users["admin"])
    kube = KubeFactory(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"], facilitator=users["facilitator"]
    )
    member = MembershipFactory(kube=kube, added_by=users["admin"])
    return {
        "person": member.person,
        "household": member.household,
        "nominee": member.nominee,
        "membership": member,
        "cycle": cycle,
        "list": member.nominee.nomination_list,
    }


# Path -> the world's record whose id fills it.
RECORDS = {
    "/api/v1/registry/households/{pk}": "household",
    "/api/v1/registry/persons/{pk}": "person",
    "/api/v1/registry/persons/{pk}/reveal": "person",
    "/api/v1/targeting/nominees/{pk}": "nominee",
    "/api/v1/targeting/nominees/{pk}/verify": "nominee",
    "/api/v1/targeting/nominees/{pk}/approve": "nominee",
    "/api/v1/targeting/nominees/{pk}/reject": "nominee",
    "/api/v1/targeting/nominees/{pk}/justify": "nominee",
    "/api/v1/targeting/lists/{pk}/nominees": "list",
    "/api/v1/targeting/lists/{pk}/nominees/new": "list",
    "/api/v1/groups/members/{pk}": "membership",
    "/api/v1/targeting/cycles/{pk}/bnba": "cycle",
}


def _ask(user: Any, method: str, path: str) -> tuple[int, str]:
    secret = create_token(
        by=user, owner=user, name="t", expires_on=timezone.localdate() + dt.timedelta(days=2), read_only=False
    ).secret
    response = Client().generic(method, path, headers={"Authorization": f"Bearer {secret}"})
    return response.status_code, response.content.decode()


def _url(world: dict[str, Any], path: str) -> str:
    if "{" not in path:
        return path
    assert path in RECORDS, f"{path} returns a NIK: say in RECORDS which record fills it"
    return re.sub(r"\{\w+\}", str(world[RECORDS[path]].pk), path)


def test_the_person_operations_are_found_in_the_schema() -> None:
    ids = {operation_id for operation_id, _method, _path in person_operations()}

    assert {"registry_persons_list", "targeting_nominees_list", "groups_members_list"} <= ids


@pytest.mark.parametrize("username", ["monitor", "camat", "desa_a", "facilitator"])
@pytest.mark.parametrize(("operation_id", "method", "path"), person_operations())
def test_no_full_nik_for_a_role_that_may_not_reveal(world, users, username, operation_id, method, path) -> None:
    status, body = _ask(users[username], method, _url(world, path))

    assert status < 500
    assert not FULL_NUMBER.findall(body), f"{operation_id} gave {username} a full number"


@pytest.mark.parametrize("username", ["admin", "officer"])
@pytest.mark.parametrize(("operation_id", "method", "path"), person_operations())
def test_a_full_number_to_a_role_that_may_see_it_is_one_row_of_the_access_log(
    world, users, username, operation_id, method, path
) -> None:
    """As on the pages: lists and records carry masked numbers; a full one leaves only by the reveal or a document
    that carries them by law (the BNBA), and each such answer is one row of the access log."""
    before = Disclosure.objects.count()

    status, body = _ask(users[username], method, _url(world, path))

    assert status < 500
    full = bool(FULL_NUMBER.findall(body))
    assert Disclosure.objects.count() == before + (1 if full else 0), f"{operation_id}: full={full}"


def test_a_role_that_may_reveal_reads_lists_masked_as_its_pages_are(world, users) -> None:
    status, body = _ask(users["officer"], "GET", "/api/v1/registry/persons")

    assert status == 200
    assert world["person"].nik not in body
    assert json.loads(body)["items"][0]["nik"] == masked_nik(world["person"].nik)


def test_a_role_that_may_reveal_gets_the_full_nik_by_the_logged_reveal(world, users) -> None:
    person = world["person"]

    status, body = _ask(users["officer"], "POST", f"/api/v1/registry/persons/{person.pk}/reveal")

    assert status == 200
    assert person.nik in body
    assert Disclosure.objects.filter(person=person, by=users["officer"], kind=Disclosure.Kind.REVEAL).count() == 1


def test_the_village_operator_reads_a_member_from_another_village_by_name_only(world, users, regions) -> None:
    kube = world["membership"].kube
    member = MembershipFactory(
        kube=kube,
        added_by=users["admin"],
        nominee__nomination_list__village=regions["village_b"],
        nominee__person__household__village=regions["village_b"],
    )
    assert member.household.village_id == regions["village_b"].code

    status, body = _ask(users["desa_a"], "GET", f"/api/v1/groups/members/{member.pk}")

    assert status == 200
    assert (json.loads(body)["name"], json.loads(body)["nik"]) == (member.person.name, "")
