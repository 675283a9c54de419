"""The offline map page: one coloured path per region from the figures, drill-down links, group points, scope."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from berdaya.groups.tests.factories import KubeFactory
from berdaya.mentoring.tests.factories import VisitFactory
from berdaya.reports.figures import INDICATORS

TANAH_GROGOT = (Decimal("-1.93"), Decimal("116.20"))  # inside Tanah Periuk (64.01.04.2004)
KUARO = (Decimal("-1.83"), Decimal("116.05"))  # inside Kuaro (64.01.05)


@pytest.fixture
def english(settings):
    """Messages asserted in English (the site's default language is Indonesian)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def located(kube, where, **visit):
    VisitFactory(kube=kube, latitude=where[0], longitude=where[1], **visit)
    return kube


def paths(html):
    """data-code -> class of every region path."""
    return {code: klass for klass, code in re.findall(r'<path class="region (c\d)" data-code="([\d.]+)"', html)}


@pytest.fixture
def kubes(boundaries, users):
    """Three groups in Tanah Grogot (facilitator's two), one in Kuaro, each placed by a visit's GPS."""
    regions = boundaries
    return {
        "a1": located(
            KubeFactory(name="KUBE Anggrek", village=regions["village_a"], facilitator=users["facilitator"]),
            TANAH_GROGOT,
        ),
        "a2": located(
            KubeFactory(name="KUBE Bakung", village=regions["village_a"], facilitator=users["facilitator"]),
            TANAH_GROGOT,
        ),
        "b": located(KubeFactory(name="KUBE Cempaka", village=regions["village_b"]), TANAH_GROGOT),
        # GPS inside Tanah Grogot on purpose: only scope, not the map's frame, may keep it off a camat's map.
        "c": located(KubeFactory(name="KUBE Dahlia", village=regions["village_c"]), TANAH_GROGOT),
    }


def test_the_regency_map_has_one_path_per_kecamatan_classed_by_its_value(client, users, kubes):
    client.force_login(users["admin"])

    html = client.get("/reports/map/?indicator=kubes").content.decode()

    assert paths(html) == {"64.01.04": "c2", "64.01.05": "c1"}  # 3 groups and 1: the higher class and the lower


def test_a_region_without_groups_is_grey(client, users, boundaries):
    KubeFactory(village=boundaries["village_a"])
    client.force_login(users["admin"])

    html = client.get("/reports/map/").content.decode()

    assert paths(html)["64.01.05"] == "c0"


def test_each_region_links_to_its_own_map_with_the_same_indicator(client, users, kubes):
    client.force_login(users["admin"])

    html = client.get("/reports/map/?indicator=members").content.decode()

    assert '<a href="/reports/map/64.01.04/?indicator=members"><path class="region' in html
    assert '<a href="/reports/map/64.01.05/?indicator=members"><path class="region' in html


def test_the_kecamatan_map_colours_its_villages(client, users, kubes):
    client.force_login(users["admin"])

    html = client.get("/reports/map/64.01.04/").content.decode()

    assert paths(html) == {"64.01.04.2004": "c2", "64.01.04.2005": "c1"}


def test_the_regency_map_can_colour_villages_and_lists_those_without_an_outline(client, users, kubes, english):
    client.force_login(users["admin"])

    html = client.get("/reports/map/?level=4").content.decode()

    assert paths(html) == {"64.01.04.2004": "c2", "64.01.04.2005": "c1"}
    assert "Kuaro Desa" in html  # 64.01.05.2001 is not a real code: no outline, but in the table
    assert "1 region has no outline and is only in the table." in html


def test_the_table_under_the_map_gives_every_value_and_the_total(client, users, kubes):
    client.force_login(users["admin"])

    html = client.get("/reports/map/?indicator=kubes").content.decode()

    table = html[html.index('id="map-table"') :]
    assert re.search(r"Tanah Grogot</a></td>\s*<td class=\"num\">3</td>", table)
    assert re.search(r"Kuaro</a></td>\s*<td class=\"num\">1</td>", table)
    assert re.search(r'id="map-total".*<b>4</b>', table)


def test_groups_are_points_linked_to_their_page(client, users, kubes):
    client.force_login(users["admin"])

    html = client.get("/reports/map/").content.decode()

    assert html.count("<circle") == 4
    assert f'<a href="/groups/{kubes["a1"].pk}/"><circle' in html
    assert "<title>KUBE Anggrek · Tanah Periuk</title>" in html


def test_a_group_is_placed_by_its_latest_visit_with_a_position(client, users, boundaries):
    kube = located(KubeFactory(village=boundaries["village_a"]), KUARO, visited_on="2026-01-05")
    located(kube, TANAH_GROGOT, visited_on="2026-02-05")
    VisitFactory(kube=kube, visited_on="2026-03-05")  # no GPS: does not move it
    client.force_login(users["admin"])

    html = client.get("/reports/map/64.01.04/").content.decode()

    assert html.count("<circle") == 1  # Kuaro lies outside Tanah Grogot's map


def test_a_kecamatan_operator_sees_no_region_or_group_outside_the_kecamatan(client, users, kubes):
    client.force_login(users["camat"])

    html = client.get("/reports/map/").content.decode()

    assert set(paths(html)) == {"64.01.04.2004", "64.01.04.2005"}
    assert html.count("<circle") == 3
    assert "KUBE Dahlia" not in html
    assert "Kuaro" not in html


def test_a_facilitator_sees_only_its_own_groups_points(client, users, kubes):
    client.force_login(users["facilitator"])

    html = client.get("/reports/map/").content.decode()

    assert html.count("<circle") == 2
    assert "KUBE Anggrek" in html and "KUBE Bakung" in html
    assert "KUBE Cempaka" not in html and "KUBE Dahlia" not in html


@pytest.mark.parametrize(("username", "status"), [("camat", 404), ("camat_c", 200), ("desa_a", 404), ("admin", 200)])
def test_a_region_outside_ones_scope_is_a_404(client, users, kubes, username, status):
    client.force_login(users[username])

    assert client.get("/reports/map/64.01.05/").status_code == status


def test_a_village_map_draws_the_village_and_lists_its_groups(client, users, kubes):
    client.force_login(users["desa_a"])

    html = client.get("/reports/map/").content.decode()

    assert set(paths(html)) == {"64.01.04.2004"}
    assert html.count("<circle") == 2
    table = html[html.index('id="map-table"') :]
    assert f'href="/groups/{kubes["a1"].pk}/"' in table


@pytest.mark.parametrize("indicator", list(INDICATORS))
def test_every_indicator_can_be_mapped(client, users, kubes, indicator):
    client.force_login(users["admin"])

    response = client.get(f"/reports/map/?indicator={indicator}")

    assert response.status_code == 200
    assert len(paths(response.content.decode())) == 2


def test_a_bad_choice_falls_back_to_its_default_and_keeps_the_others(client, users, kubes):
    client.force_login(users["admin"])

    response = client.get("/reports/map/?indicator=members&level=9")

    assert response.status_code == 200
    assert '<option value="members" selected>' in response.content.decode()
    assert set(paths(response.content.decode())) == {"64.01.04", "64.01.05"}


def test_an_unknown_indicator_falls_back_to_the_first(client, users, kubes):
    client.force_login(users["admin"])

    response = client.get("/reports/map/?indicator=nonsense&level=9")

    assert response.status_code == 200
    assert paths(response.content.decode())["64.01.04"] == "c2"


def test_the_map_page_costs_a_bounded_number_of_queries(client, users, kubes, django_assert_max_num_queries):
    client.force_login(users["admin"])

    with django_assert_max_num_queries(20):
        client.get("/reports/map/")


def test_the_menu_offers_the_map_to_those_who_see_kube(client, users):
    client.force_login(users["camat"])

    assert 'href="/reports/map/"' in client.get("/").content.decode()
