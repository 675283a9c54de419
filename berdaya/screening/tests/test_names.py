import pytest

from berdaya.screening.engine.names import name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Soekarno", "Sukarno"),
        ("Moh. Sukarno", "Muhammad Soekarno"),
        ("M. Yusuf", "Muhamad Jusuf"),
        ("Hj. Siti Aminah", "St. Aminah"),
        ("Djoko Santoso", "Joko Santoso"),
        ("Tjipto Mangoenkoesoemo", "Cipto Mangunkusumo"),
        ("Achmad Chairul", "Ahmad Khairul"),
        ("Abd. Rahman", "Abdul Rachman"),
        ("Nurul Hidayah", "Nur Hidayah"),
        ("Njoman Sjarifuddin", "Nyoman Syarifudin"),
        ("Drs. H. Budi Santoso, S.Pd., M.Si.", "BUDI SANTOSO"),
        ("Budi Santoso S.Pd", "Bapak Budi Santoso"),
        ("Ibu Fatimah", "FATIMA"),
    ],
)
def test_spelling_abbreviation_and_title_variants_have_one_key(a, b):
    assert name_key(a) == name_key(b)


def test_the_key_keeps_word_order_for_the_fuzzy_comparison():
    assert name_key("Santoso Budi") == "santoso budi"


def test_different_names_keep_different_keys():
    assert name_key("Ahmad") != name_key("Ahmad Junior")
    assert name_key("Rina") != name_key("Rini")


def test_a_name_that_is_only_a_title_is_kept():
    assert name_key("Ibu") == "ibu"


def test_a_single_name_is_its_own_key():
    assert name_key("Suparman") == "suparman"
    assert name_key("") == ""
