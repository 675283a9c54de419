"""The letterhead page: the Admin Dinas edits the decree's considerations and legal basis with the letterhead."""

from __future__ import annotations

import pytest
from django.urls import reverse

from berdaya.targeting.models import DEFAULT_LEGAL_BASIS, Letterhead, decree_items, validate_number_format

pytestmark = pytest.mark.django_db

FORM = {"office_name": "Dinas Sosial", "signatory_title": "Kepala Dinas Sosial", "number_format": "{seq}/SK/{year}"}


def test_the_letterhead_page_saves_the_decree_texts(client, users, regions):
    client.force_login(users["admin"])

    client.post(
        reverse("targeting:letterhead"),
        {**FORM, "considerations": "bahwa satu;\nbahwa dua;", "legal_basis": "Peraturan Bupati Paser Nomor 1;"},
    )

    letterhead = Letterhead.objects.get(region=regions["regency"])
    assert (letterhead.considerations, letterhead.legal_basis) == (
        "bahwa satu;\nbahwa dua;",
        "Peraturan Bupati Paser Nomor 1;",
    )


def test_an_emptied_legal_basis_restores_the_template(client, users, regions):
    client.force_login(users["admin"])

    client.post(reverse("targeting:letterhead"), {**FORM, "considerations": "bahwa satu;", "legal_basis": "  "})

    assert Letterhead.objects.get(region=regions["regency"]).legal_basis == DEFAULT_LEGAL_BASIS


def test_a_new_letterhead_starts_from_the_templates_citing_the_kube_regulation():
    items = Letterhead().legal_basis_items()

    assert "Undang-Undang Nomor 11 Tahun 2009 tentang Kesejahteraan Sosial;" in items
    assert any(item.startswith("Peraturan Menteri Sosial Nomor 2 Tahun 2019") for item in items)


def test_labels_the_office_typed_are_left_to_the_decree():
    assert decree_items("a. bahwa satu;\n\n  b) bahwa dua;\n2. UU tiga;\nbahwa empat;") == [
        "bahwa satu;",
        "bahwa dua;",
        "UU tiga;",
        "bahwa empat;",
    ]


def test_the_issuer_names_the_region_unless_the_title_does(regions):
    letterhead = Letterhead(region=regions["regency"], signatory_title="Kepala Dinas Sosial")
    named = Letterhead(region=regions["regency"], signatory_title="Kepala Dinas Sosial Kabupaten Paser")

    assert letterhead.issuer == "Kepala Dinas Sosial Kabupaten Paser"
    assert named.issuer == "Kepala Dinas Sosial Kabupaten Paser"


@pytest.mark.parametrize(
    "number_format", ["{seq.x}", "{seq[0]}", "{seq.real}", "{seq:999999999}", "{seq:{year}}", "{seq!r}", "{0}", "{"]
)
def test_a_hostile_number_format_is_refused_with_a_message_not_a_500(client, users, regions, number_format):
    client.force_login(users["admin"])

    response = client.post(reverse("targeting:letterhead"), {**FORM, "number_format": number_format})

    assert response.status_code == 200
    assert "number_format" in response.context["form"].errors
    assert not Letterhead.objects.filter(region=regions["regency"]).exists()


@pytest.mark.parametrize("number_format", ["{seq}/SK/{year}", "{seq:03d}/SK-KUBE/DINSOS/{year}", "{year}-{seq:4}"])
def test_the_usual_number_formats_are_accepted(number_format):
    validate_number_format(number_format)
