import math
import re
from decimal import Decimal

import pytest

from berdaya.lib import svgmap
from berdaya.lib.svgmap import Feature, Point, fit, path_data, quantile_classes, render, simplify

SQUARE = [[[116.0, -2.0], [116.2, -2.0], [116.2, -1.8], [116.0, -1.8], [116.0, -2.0]]]


def square(code, lon, value, url=""):
    ring = [[lon, -2.0], [lon + 0.2, -2.0], [lon + 0.2, -1.8], [lon, -1.8], [lon, -2.0]]
    return Feature(code, f"Kecamatan {code}", [ring], value, url)


def test_the_projection_puts_the_north_west_corner_at_the_margin_and_fits_the_longer_side():
    projection = fit(116.0, -2.0, 117.0, -1.5)

    assert projection(116.0, -1.5) == (svgmap.PAD, svgmap.PAD)
    assert projection.width == svgmap.WIDTH
    assert projection(117.0, -2.0)[0] == pytest.approx(svgmap.WIDTH - svgmap.PAD)


def test_a_degree_of_longitude_is_shortened_by_the_cosine_of_the_middle_latitude():
    projection = fit(10.0, 59.0, 11.0, 61.0)  # Oslo-like latitude, where the effect shows

    assert projection.scale_x / projection.scale_y == pytest.approx(math.cos(math.radians(60)))


def test_north_is_up():
    projection = fit(116.0, -2.0, 117.0, -1.0)

    assert projection(116.5, -1.1)[1] < projection(116.5, -1.9)[1]


def test_points_closer_than_a_unit_to_the_last_kept_are_dropped():
    assert simplify([(0, 0), (0.3, 0), (0.6, 0), (1.2, 0), (5, 5)]) == [(0, 0), (1.2, 0), (5, 5)]


def test_a_region_smaller_than_a_pixel_still_gets_a_path():
    projection = fit(100.0, -10.0, 120.0, 5.0)  # a tiny square on a wide map

    assert path_data(SQUARE, projection).startswith("M")


def test_quantile_classes_put_about_as_many_regions_in_each_class():
    classes = quantile_classes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    assert classes.breaks == (2, 4, 6, 8, 10)
    assert [classes.of(v) for v in (1, 2, 3, 10)] == [1, 1, 2, 5]


def test_zero_and_missing_values_are_class_zero_and_left_out_of_the_breaks():
    classes = quantile_classes([0, None, 5, 10])

    assert classes.of(0) == classes.of(None) == 0
    assert classes.breaks[0] == 5


def test_repeated_values_merge_into_fewer_classes():
    assert quantile_classes([3, 3, 3, 3, 3, 3]).breaks == (3,)


def test_decimal_values_are_classed_without_floats():
    classes = quantile_classes([Decimal("12.5"), Decimal("50.0")])

    assert classes.of(Decimal("12.5")) == 1
    assert classes.of(Decimal("50.0")) == 2


def test_the_legend_gives_whole_number_ranges_that_do_not_overlap():
    entries = svgmap.legend(quantile_classes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), str, none_label="none")

    assert [entry.label for entry in entries] == ["none", "1 – 2", "3 – 4", "5 – 6", "7 – 8", "9 – 10"]


def test_the_svg_has_one_linked_path_per_region_with_its_class_and_title():
    features = [square("a", 116.0, 0, "/map/a/"), square("b", 116.3, 5, "/map/b/"), square("c", 116.6, 50)]

    drawing = render(features, title="KUBE")

    paths = re.findall(r'<path class="region (c\d)" data-code="(\w)"', drawing.svg)
    assert paths == [("c0", "a"), ("c1", "b"), ("c2", "c")]
    assert '<a href="/map/b/"><path' in drawing.svg
    assert "<title>Kecamatan b: 5</title>" in drawing.svg


def test_names_are_escaped():
    drawing = render([Feature("x", "<b>&", SQUARE, 1)], title="t")

    assert "&lt;b&gt;&amp;" in drawing.svg
    assert "<b>" not in drawing.svg


def test_points_inside_the_map_are_circles_and_a_wrong_position_far_away_is_left_out():
    points = [Point(116.1, -1.9, "KUBE Mawar", "/groups/1/"), Point(0.0, 0.0, "KUBE Salah")]

    drawing = render([Feature("x", "X", SQUARE, 1)], points, title="t")

    assert drawing.svg.count("<circle") == 1
    assert '<a href="/groups/1/"><circle' in drawing.svg
    assert "<title>KUBE Mawar</title>" in drawing.svg
    assert drawing.points == 1


def test_nothing_to_draw_gives_no_svg():
    assert render([], title="t").svg == ""


def test_with_fewer_classes_the_lowest_is_still_darker_than_the_palest_colour():
    assert svgmap.colour_of(1, 2) == svgmap.COLOURS[4]
    assert svgmap.colour_of(2, 2) == svgmap.COLOURS[5]
    assert svgmap.colour_of(0, 2) == svgmap.COLOURS[0]
