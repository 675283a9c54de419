"""The map in an office without internet: every request outside the server is refused, and the outlines and the
groups' points still draw, on a phone (360×740) and on a laptop (1366×900)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from berdaya.groups.tests.factories import KubeFactory
from berdaya.mentoring.tests.factories import VisitFactory
from berdaya.mentoring.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kubes(boundaries, users):
    made = []
    for village, lat, lon in [
        ("village_a", "-1.93", "116.20"),
        ("village_b", "-1.93", "116.23"),
        ("village_c", "-1.83", "116.05"),
    ]:
        kube = KubeFactory(village=boundaries[village])
        VisitFactory(kube=kube, latitude=Decimal(lat), longitude=Decimal(lon))
        made.append(kube)
    return made


@pytest.mark.parametrize(("width", "height"), [(360, 740), (1366, 900)])
def test_the_map_draws_its_regions_and_groups_without_the_internet(page, live_server, kubes, width, height):
    outside = []

    def local_only(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", local_only)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "admin")

    page.goto("/reports/map/")

    drawing = page.locator("#map svg.choropleth")
    assert drawing.locator("path.region").count() == 2  # Tanah Grogot and Kuaro
    assert drawing.locator("circle.point").count() == 3
    box = drawing.bounding_box()
    assert box is not None and 0 < box["width"] <= width and box["height"] > 0
    assert all((drawing.locator("path.region").nth(i).bounding_box() or {}).get("width", 0) > 1 for i in range(2))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert outside == []
