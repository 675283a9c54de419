"""The menu marks exactly one item as the current one: the page's own item, else the one whose section holds it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from berdaya.navigation import NAVIGATION, SECTIONS, current_item


def current(view_name: str, items=NAVIGATION) -> str | None:
    item = current_item(items, view_name)
    return item.url_name if item else None


@pytest.mark.parametrize(
    ("view_name", "item"),
    [
        ("dashboard", "dashboard"),
        ("targeting:cycle-list", "targeting:cycle-list"),
        ("targeting:list-detail", "targeting:cycle-list"),
        ("targeting:nominee-detail", "targeting:cycle-list"),
        ("inbox:inbox", "inbox:inbox"),
        ("inbox:sent", "inbox:inbox"),
        ("tasks", "tasks"),
        ("mentoring:caseload", "mentoring:caseload"),
        ("mentoring:visit-create", "mentoring:caseload"),
        ("mentoring:problem-list", "mentoring:problem-list"),
        ("mentoring:problem-detail", "mentoring:problem-list"),
        ("mentoring:report-detail", "mentoring:report-list"),
        ("groups:kube-detail", "groups:kube-list"),
        ("business:cash-book", "business:kube-list"),
        ("accounts:user-edit", "accounts:user-list"),
    ],
)
def test_the_page_or_its_section_decides_the_current_item(view_name, item):
    assert current(view_name) == item


@pytest.mark.parametrize("view_name", ["password_change", "offline", ""])
def test_a_page_outside_every_section_marks_no_item(view_name):
    assert current(view_name) is None


def test_without_the_sections_own_item_a_more_general_one_is_not_taken_for_it():
    without_problems = [item for item in NAVIGATION if item.url_name != "mentoring:problem-list"]

    assert current("mentoring:problem-detail", without_problems) == "mentoring:caseload"
    assert current("mentoring:report-detail", [NAVIGATION[0]]) is None


def test_every_section_belongs_to_a_menu_item():
    # A menu item's URL renamed without its section would leave its pages marked under a more general item.
    assert set(SECTIONS) - {item.url_name for item in NAVIGATION} == set()


def current_items(client, url: str) -> list[str]:
    page = client.get(url).content.decode()
    return re.findall(r'<a href="([^"]+)" aria-current="page"', page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "url_name", "expected"),
    [
        ("officer", "inbox:inbox", "inbox:inbox"),
        ("officer", "tasks", "tasks"),
        ("officer", "targeting:cycle-list", "targeting:cycle-list"),
        ("facilitator", "mentoring:problem-list", "mentoring:problem-list"),
        ("facilitator", "mentoring:report-list", "mentoring:report-list"),
        ("facilitator", "mentoring:caseload", "mentoring:caseload"),
    ],
)
def test_a_page_shows_one_current_menu_item(client, users, username, url_name, expected):
    client.force_login(users[username])

    assert current_items(client, reverse(url_name)) == [reverse(expected)]
