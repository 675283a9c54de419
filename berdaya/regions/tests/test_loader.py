import pytest
from django.utils import translation

from berdaya.regions.models import Region
from berdaya.regions.services import WILAYAH_CSV, RegionFileError, _read, load_regions

SMALL = (
    "code,name,level\n64,Kalimantan Timur,1\n64.01,Kabupaten Paser,2\n64.01.04,Tanah Grogot,3\n"
    "64.01.04.1001,Tanah Grogot,4\n64.01.04.2004,Tanah Periuk,4\n"
)


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_loading_creates_the_four_levels_with_parent_links(db, small_file):
    result = load_regions(path=small_file)

    village = Region.objects.get(code="64.01.04.2004")
    assert result.created == 5
    assert (village.level, village.parent_id, village.parent.parent_id) == (4, "64.01.04", "64.01")


def test_loading_twice_changes_nothing(db, small_file):
    load_regions(path=small_file)

    result = load_regions(path=small_file)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)


def test_a_renamed_region_is_updated(db, small_file):
    load_regions(path=small_file)
    small_file.write_text(SMALL.replace("Tanah Periuk", "Tanah Periuk Baru"), encoding="utf-8")

    result = load_regions(path=small_file)

    assert result.updated == 1
    assert Region.objects.get(code="64.01.04.2004").name == "Tanah Periuk Baru"


def test_kelurahan_and_desa_are_told_apart_by_the_code(db, small_file):
    load_regions(path=small_file)

    assert Region.objects.get(code="64.01.04.1001").is_kelurahan
    assert not Region.objects.get(code="64.01.04.2004").is_kelurahan


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name\n64,Kaltim\n", "code, name, dan level"),
        ("code,name,level\n64,Kaltim,1\n64.1,Salah,2\n", "bukan kode wilayah"),
        ("code,name,level\n64,Kaltim,1\n64.01.04,Tanah Grogot,3\n", "induk dari 64.01.04"),
        ("code,name,level\n64,Kaltim,1\n64,Kaltim,1\n", "tercantum dua kali"),
    ],
)
def test_a_broken_file_is_refused_with_the_line_and_nothing_is_loaded(db, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")

    with translation.override("id"), pytest.raises(RegionFileError, match=message):
        load_regions(path=path)

    assert not Region.objects.exists()


def test_the_packaged_list_covers_all_of_indonesia():
    regions = _read(WILAYAH_CSV)

    levels = [r.level for r in regions]
    assert (levels.count(1), levels.count(2), levels.count(3), levels.count(4)) == (38, 514, 7285, 83762)
    assert {r.code: r.name for r in regions}["64.01"] == "Kabupaten Paser"
