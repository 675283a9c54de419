"""Who sees which group's books, who may write them, and pages whose cost does not grow with the book."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from berdaya.business.models import CashEntry, CashMonth
from berdaya.business.tests.factories import (
    AidStageFactory,
    BusinessPlanFactory,
    CashEntryFactory,
    ExpenseFactory,
    kube_with_members,
)

pytestmark = pytest.mark.django_db

PAGES = ["kube-home", "plan", "aid", "cash-book", "iks", "fund", "access", "dashboard", "cash-export"]
SCOPE = [
    ("admin", 200),
    ("officer", 200),
    ("monitor", 200),
    ("camat", 200),
    ("desa_a", 200),
    ("facilitator", 200),
    ("camat_c", 404),
    ("desa_b", 404),
    ("desa_c", 404),
    ("other_facilitator", 404),
    ("no_region", 404),
]


@pytest.fixture
def kube(users):
    """A group in Tanah Periuk (village A of Tanah Grogot), mentored by `facilitator`."""
    return kube_with_members(2, village__code="64.01.04.2004", facilitator=users["facilitator"])


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("username", "status"), SCOPE)
def test_business_pages_and_downloads_are_seen_only_inside_the_groups_scope(
    client, users, kube, name, username, status
):
    client.force_login(users[username])

    assert client.get(reverse(f"business:{name}", args=[kube.pk])).status_code == status


def test_the_aid_page_names_a_stages_condition_and_an_assets_condition_apart_in_indonesian(client, users, kube):
    client.force_login(users["officer"])

    page = client.get(reverse("business:aid", args=[kube.pk])).content.decode()  # Indonesian by default

    assert "<th>Syarat pencairan</th>" in page  # what must be true before a stage is paid
    assert "<th>Kondisi</th>" in page  # the state an asset is in


@pytest.mark.parametrize(("username", "status"), SCOPE)
def test_a_receipt_photo_is_downloaded_only_inside_the_groups_scope(client, users, kube, username, status):
    entry = CashEntryFactory(kube=kube)
    entry.receipt.save("nota.jpg", ContentFile(b"\xff\xd8jpeg"), save=True)
    client.force_login(users[username])

    response = client.get(reverse("business:cashentry-receipt", args=[kube.pk, entry.pk]))
    b"".join(getattr(response, "streaming_content", []))  # read to the end: the test client then closes the file

    assert response.status_code == status


@pytest.mark.parametrize(("username", "status"), SCOPE)
def test_a_transfer_proof_is_downloaded_only_inside_the_groups_scope(client, users, kube, username, status):
    stage = AidStageFactory(kube=kube, number=1)
    stage.proof.save("bukti.pdf", ContentFile(b"%PDF-1.4"), save=True)
    client.force_login(users[username])

    response = client.get(reverse("business:aidstage-proof", args=[kube.pk, stage.pk]))
    b"".join(getattr(response, "streaming_content", []))

    assert response.status_code == status


def test_the_group_list_shows_a_facilitator_only_its_groups(client, users, kube):
    other = kube_with_members(1, facilitator=users["other_facilitator"])
    client.force_login(users["facilitator"])

    content = client.get(reverse("business:kube-list")).content.decode()

    assert f'id="kube-{kube.pk}"' in content
    assert f'id="kube-{other.pk}"' not in content


def test_an_entry_of_another_group_is_a_404_even_inside_scope(client, users, kube):
    elsewhere = CashEntryFactory(kube=kube_with_members(1, facilitator=users["facilitator"]))
    client.force_login(users["facilitator"])

    response = client.post(reverse("business:cashentry-reverse", args=[kube.pk, elsewhere.pk]), {"reason": "salah"})

    assert response.status_code == 404


def test_the_village_operator_reads_the_book_but_cannot_write_it(client, users, kube):
    client.force_login(users["desa_a"])

    page = client.get(reverse("business:cash-book", args=[kube.pk])).content.decode()
    response = client.post(reverse("business:cashentry-add", args=[kube.pk]), _sale_form())

    assert 'id="cash-form"' not in page
    assert response.status_code == 403
    assert not CashEntry.objects.exists()


@pytest.mark.parametrize("username", ["desa_a", "monitor", "camat"])
def test_read_only_roles_cannot_import_close_or_pay(client, users, kube, username):
    client.force_login(users[username])

    assert client.get(reverse("business:cash-import", args=[kube.pk])).status_code == 403
    assert client.post(reverse("business:cashmonth-close", args=[kube.pk]), {"month": "2027-09"}).status_code == 403
    assert client.post(reverse("business:aidstage-add", args=[kube.pk]), {}).status_code == 403


def _sale_form(**overrides):
    return {
        "entry_date": "2027-11-05",
        "kind": "income",
        "category": "sales",
        "amount": "1.500.000",
        "description": "Jual kue ke warung",
        "product": "Kue lapis",
        "quantity": "300",
        "unit_price": "5.000",
        "channel": "village_shop",
        "buyer_type": "shop",
        **overrides,
    }


def test_the_facilitator_records_a_sale_typed_with_thousands_dots(client, users, kube):
    client.force_login(users["facilitator"])

    response = client.post(reverse("business:cashentry-add", args=[kube.pk]), _sale_form())

    assert response.status_code == 302
    assert CashEntry.objects.get().amount == 1_500_000


def test_an_htmx_entry_answers_with_the_book_fragment(client, users, kube):
    client.force_login(users["facilitator"])

    response = client.post(
        reverse("business:cashentry-add", args=[kube.pk]), _sale_form(), headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert f'id="entry-{CashEntry.objects.get().pk}"' in content


@pytest.mark.parametrize("amount", ["-5000", "1,5", "12.5", "abc"])
def test_a_bad_amount_is_shown_beside_the_field_and_nothing_is_written(client, users, kube, amount):
    client.force_login(users["facilitator"])

    response = client.post(reverse("business:cashentry-add", args=[kube.pk]), _sale_form(amount=amount))

    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not CashEntry.objects.exists()


def test_an_entry_in_a_closed_month_is_refused_with_a_message(client, users, kube):
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    CashMonth.objects.create(
        kube=kube,
        month=dt.date(2027, 9, 1),
        opening_balance=0,
        income=150_000,
        expense=0,
        closing_balance=150_000,
        closed_by=users["facilitator"],
    )
    client.force_login(users["facilitator"])

    response = client.post(reverse("business:cashentry-add", args=[kube.pk]), _sale_form(entry_date="2027-09-10"))

    assert response.status_code == 200
    assert "Sep 2027" in " ".join(response.context["form"].non_field_errors())
    assert CashEntry.objects.count() == 1


def test_closing_a_month_from_the_page(client, users, kube):
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    client.force_login(users["facilitator"])

    client.post(reverse("business:cashmonth-close", args=[kube.pk]), {"month": "2027-09", "confirmed": "1"})

    assert CashMonth.objects.filter(kube=kube, month=dt.date(2027, 9, 1)).exists()


def _add_entries(kube, entries):
    for i in range(entries):
        factory = CashEntryFactory if i % 3 else ExpenseFactory
        factory(kube=kube, entry_date=dt.date(2027, 1, 1) + dt.timedelta(days=i % 330), product=f"Produk {i % 7}")


@pytest.mark.parametrize("name", ["cash-book", "dashboard"])
def test_the_query_count_does_not_grow_with_the_book(client, users, kube, name, django_assert_max_num_queries):
    client.force_login(users["facilitator"])
    url = reverse(f"business:{name}", args=[kube.pk])
    BusinessPlanFactory(kube=kube)
    AidStageFactory(kube=kube, number=1, amount=4_000_000, paid_on=dt.date(2027, 1, 2), transfer_reference="T")
    _add_entries(kube, 10)
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _add_entries(kube, 190)

    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as large:
        response = client.get(url)

    assert response.status_code == 200
    assert len(large) == len(small)


def test_the_page_shows_the_running_balance_across_pages(client, users, kube):
    for day in range(1, 61):
        CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 1) + dt.timedelta(days=day % 60), amount=1_000)
    client.force_login(users["facilitator"])

    first = client.get(reverse("business:cash-book", args=[kube.pk]), {"page": 1}).context["book"]
    last = client.get(reverse("business:cash-book", args=[kube.pk])).context["book"]

    assert first.rows[-1].balance == 50_000
    assert last.opening_balance == 50_000
    assert last.rows[-1].balance == last.balance == 60_000
