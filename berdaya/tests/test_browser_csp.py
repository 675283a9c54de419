"""The Content-Security-Policy in a real browser: the pages work under it, and a refusal would be noticed.

The phone walk (test_phone_layout.py) asks every page of the demo as every role and fails on any refusal; these
two check the wide screen's menu (opened by a script file, once an inline script) and that the walk's recorder
does see what the policy refuses.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from berdaya.accounts.tests.factories import PASSWORD
from berdaya.lib.middleware import CONTENT_SECURITY_POLICY

from .test_phone_layout import RECORD_REFUSALS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_wide_screen_menu_opens_with_nothing_refused(page, users):
    page.context.add_init_script(RECORD_REFUSALS)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    assert page.locator("#menu").get_attribute("open") is not None
    assert page.evaluate("window.__refused") == []


def test_the_recorder_sees_an_inline_script_and_style_the_policy_refuses(page, live_server):
    page.context.add_init_script(RECORD_REFUSALS)
    page.route(
        "**/hostile/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": CONTENT_SECURITY_POLICY},
            body='<!doctype html><p style="color:red">x</p><script>document.title = "ran"</script>',
        ),
    )

    page.goto("/hostile/")

    refused = page.evaluate("window.__refused")
    assert page.title() != "ran"
    assert any(entry.startswith("script-src") for entry in refused)
    assert any(entry.startswith("style-src") for entry in refused)


def test_the_api_docs_show_the_operations_with_nothing_refused(page, users):
    page.context.add_init_script(RECORD_REFUSALS)
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()

    assert page.locator(".opblock").count() > 10
    assert page.evaluate("window.__refused") == []
