"""Every named URL x the six roles x a record inside and outside the role's scope, generated from the URLconf.

NetBox's constrained-user view tests are the model: one generic test asks every page as every role. A record
outside the scope answers 404 (or 403 where the role may not use the page at all), never 200 and never 500; a
record inside it never 404; no page (list, export, form or detail; a PDF or XLSX read as its text) shows a
record outside the scope, nor a row of a shared record (a market event's stands, a training's participants)
outside it; a form that names another record refuses one outside the scope; an account without a region sees
nothing. A named URL without a declaration in `scope_matrix.MATRIX` fails the suite, and throwaway unscoped views
prove the check reports a leak.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from .scope_matrix import (
    API_MATRIX,
    CHOICES,
    MATRIX,
    Choice,
    Operation,
    api_operations,
    check_choice,
    check_operation,
    check_page,
    page,
    undeclared_names,
    undeclared_operations,
    url_names,
)
from .scope_world import World, rolled_back_world

# A real leak found by the matrix: URL name -> what leaks. The case is expected to fail until it is fixed.
KNOWN_LEAKS: dict[str, str] = {}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The scope matrix's world, built once for the module and rolled back at the end."""
    with rolled_back_world(django_db_blocker, tmp_path_factory.mktemp("media")) as world:
        yield world


def _params() -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"leak: {KNOWN_LEAKS[name]}"))
        if name in KNOWN_LEAKS
        else name
        for name in url_names()
    ]


@pytest.mark.parametrize("name", _params())
def test_a_page_answers_only_inside_the_scope(db: None, world: World, name: str) -> None:
    assert name in MATRIX, f"{name} has no declaration in berdaya/tests/scope_matrix.py MATRIX"

    problems = check_page(world, name, MATRIX[name])

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("choice", CHOICES, ids=[choice.url for choice in CHOICES])
def test_a_form_takes_no_record_from_outside_the_scope(db: None, world: World, choice: Choice) -> None:
    problems = check_choice(world, choice)

    assert not problems, "\n".join(problems)


def test_every_named_url_has_a_scope_declaration() -> None:
    assert undeclared_names() == []


def test_every_scope_declaration_names_a_url() -> None:
    assert sorted(set(MATRIX) - set(url_names())) == []


@override_settings(ROOT_URLCONF="berdaya.tests.scope_leak_urls")
def test_the_matrix_reports_a_page_that_finds_a_record_without_its_scope(db: None, world: World) -> None:
    problems = check_page(world, "leak-kube", page(pk="kube"))

    leaks = [problem for problem in problems if problem.startswith("LEAK: ")]
    assert any(problem.startswith("LEAK: desa asking for the far record") for problem in leaks)
    assert any(problem.startswith("LEAK: facilitator asking for the sibling record") for problem in leaks)


@override_settings(ROOT_URLCONF="berdaya.tests.scope_leak_urls")
def test_the_matrix_reports_a_list_that_shows_records_outside_the_scope(db: None, world: World) -> None:
    problems = check_page(world, "leak-kube-list", page())

    assert "LEAK: admin is shown the far kube (ZqKubeFarQ) on /leak/" in problems


@override_settings(ROOT_URLCONF="berdaya.tests.scope_leak_urls")
def test_a_new_page_without_a_declaration_fails_the_completeness_check() -> None:
    assert {"leak-kube", "leak-kube-list", "leak-kube-xlsx", "leak-event-stands"} <= set(undeclared_names())


@override_settings(ROOT_URLCONF="berdaya.tests.scope_leak_urls")
def test_the_matrix_reads_a_workbook_for_the_records_it_must_not_show(db: None, world: World) -> None:
    problems = check_page(world, "leak-kube-xlsx", page())

    assert "LEAK: admin is shown the far kube (ZqKubeFarQ) on /leak/kube.xlsx" in problems


@override_settings(ROOT_URLCONF="berdaya.tests.scope_leak_urls")
def test_the_matrix_reports_a_shared_record_that_shows_rows_outside_the_scope(db: None, world: World) -> None:
    problems = check_page(world, "leak-event-stands", page(pk="event"))

    leaks = [problem for problem in problems if problem.startswith("LEAK: ")]
    assert any(problem.startswith("LEAK: facilitator is shown the near kube (ZqKubeNearQ)") for problem in leaks)


@pytest.mark.parametrize("operation", api_operations(), ids=lambda operation: operation.operation_id)
@override_settings(BERDAYA_API_RATE_LIMIT=100_000)
def test_an_api_operation_answers_only_inside_the_scope(db: None, world: World, operation: Operation) -> None:
    assert operation.operation_id in API_MATRIX, f"{operation.operation_id} has no declaration in API_MATRIX"

    problems = check_operation(world, operation, API_MATRIX[operation.operation_id])

    assert not problems, "\n".join(problems)


def test_every_api_operation_has_a_scope_declaration() -> None:
    assert undeclared_operations() == []


def test_every_api_declaration_names_an_operation() -> None:
    assert sorted(set(API_MATRIX) - {op.operation_id for op in api_operations()}) == []
