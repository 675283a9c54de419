"""Schemathesis against the live API schema, with a token of each role: no 5xx, every answer matches the schema, and
no write is let through for the Pemantau, an account without a region, or a read-only token.

A bounded number of generated requests per operation (hostile query values, forged cursors, ids that exist and ids
that do not), each sent with the token of every role and of an account without a region.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from berdaya.accounts.services import create_token
from berdaya.api import api
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.targeting.models import Cycle
from berdaya.targeting.tests.factories import CycleFactory

# As /api/v1/openapi.json serves it: JSON, the lazy translated titles made strings.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), cls=DjangoJSONEncoder))
)
schema.app = get_wsgi_application()

ROLES = ["admin", "officer", "monitor", "camat", "desa_a", "facilitator", "no_region"]
# Roles no write may ever let through: the read-only Pemantau, and an account without a region (it sees nothing).
# Which other role may take which write is the scope matrix's (berdaya/tests/scope_matrix.py, API_MATRIX).
NEVER_WRITE = {"monitor", "no_region"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def writes(case: Any) -> bool:
    """The operation's own write method (schemathesis also tries methods an operation does not have: a 405)."""
    return case.method.upper() == case.operation.method.upper() and case.method.upper() in WRITES


@pytest.fixture
def tokens(regions: dict[str, Any], users: dict[str, Any]) -> dict[str, str]:
    """A token per role, and a group of Tanah Periuk with a member (so that some generated ids exist)."""
    cache.clear()
    cycle = CycleFactory(region=regions["regency"], status=Cycle.Status.DECIDED, created_by=users["admin"])
    kube = KubeFactory(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"], facilitator=users["facilitator"]
    )
    MembershipFactory(kube=kube, added_by=users["admin"])
    expires = timezone.localdate() + dt.timedelta(days=2)
    return {
        role: create_token(by=users[role], owner=users[role], name="schema", expires_on=expires, read_only=False).secret
        for role in ROLES
    }


@pytest.fixture(autouse=True)
def _connection_kept() -> Any:
    """As Django's test client does: the WSGI app's request signals must not close the test's database connection
    (on PostgreSQL a connection older than CONN_MAX_AGE is closed when a request ends, inside the test's transaction,
    and the next request then fails with "the connection is closed")."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _uploads_elsewhere(tmp_path: Any) -> Any:
    """Files the generated uploads store (registry imports) go to a temporary folder, not the site's media."""
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


@pytest.mark.django_db
@override_settings(BERDAYA_API_RATE_LIMIT=1_000_000)
@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_every_role_without_a_server_error_and_as_its_schema_says(case, tokens, users) -> None:
    for role in ROLES:
        response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        if writes(case) and role in NEVER_WRITE:
            assert response.status_code >= 400, f"{role} was let through {case.method} {case.path}"
    if writes(case):
        read_only = create_token(
            by=users["admin"],
            owner=users["admin"],
            name="ro",
            expires_on=timezone.localdate() + dt.timedelta(days=2),
            read_only=True,
        ).secret
        response = case.call(headers={"Authorization": f"Bearer {read_only}"})
        assert response.status_code == 403, f"a read-only token was let through {case.method} {case.path}"
