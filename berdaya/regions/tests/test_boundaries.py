import json

import pytest
from django.core.management import CommandError, call_command

from berdaya.regions.models import Boundary
from berdaya.regions.services import BOUNDARIES_DIR, BOUNDARY_FILES, BoundaryFileError, load_boundaries
from berdaya.regions.tests.factories import RegionFactory


def test_only_the_regions_in_the_table_get_an_outline(db):
    RegionFactory(code="64.01.04.2004")  # with its parents 64.01.04, 64.01 and 64

    load_boundaries()

    assert set(Boundary.objects.values_list("region_id", flat=True)) == {"64", "64.01", "64.01.04", "64.01.04.2004"}


def test_an_outline_is_rings_of_longitude_latitude_inside_its_bounding_box(db):
    RegionFactory(code="64.01.04")

    load_boundaries()

    boundary = Boundary.objects.get(region_id="64.01.04")
    points = [point for ring in json.loads(boundary.rings) for point in ring]
    assert all(boundary.min_lon <= lon <= boundary.max_lon for lon, _lat in points)
    assert all(boundary.min_lat <= lat <= boundary.max_lat for _lon, lat in points)
    assert 115 < boundary.min_lon < boundary.max_lon < 117  # Paser lies at about 116° E, 2° S
    assert -3 < boundary.min_lat < boundary.max_lat < 0


def test_loading_twice_changes_nothing(db):
    RegionFactory(code="64.01.04.2004")
    load_boundaries()

    result = load_boundaries()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)


def test_a_changed_outline_is_updated(db):
    RegionFactory(code="64.01.04")
    load_boundaries()
    Boundary.objects.filter(region_id="64.01.04").update(rings="[]", min_lon=0)

    result = load_boundaries()

    assert result.updated == 1
    assert Boundary.objects.get(region_id="64.01.04").min_lon > 115


def test_a_region_the_files_do_not_hold_gets_no_outline(db):
    RegionFactory(code="64.01.05.2001")  # not a real village code

    load_boundaries()

    assert not Boundary.objects.filter(region_id="64.01.05.2001").exists()


def test_a_missing_file_is_named_and_nothing_is_loaded(db, tmp_path):
    RegionFactory(code="64.01")
    for name in BOUNDARY_FILES[:-1]:
        (tmp_path / name).symlink_to(BOUNDARIES_DIR / name)

    with pytest.raises(BoundaryFileError, match="villages-64.geojson"):
        load_boundaries(directory=tmp_path)

    assert not Boundary.objects.exists()


def test_the_command_reports_what_it_loaded(db, capsys):
    RegionFactory(code="64.01")

    call_command("loadboundaries")

    assert "2 of 2 regions, 2 created" in capsys.readouterr().out  # the regency and its province


def test_the_command_fails_with_the_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="provinces.geojson"):
        call_command("loadboundaries", "--dir", str(tmp_path))


def test_the_licence_ships_with_the_outlines():
    assert "Permission is hereby granted" in (BOUNDARIES_DIR / "LICENSE").read_text()
