"""Pages, fragments and downloads: who sees which, and that each action goes through its service."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from berdaya.inbox.models import Notification
from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Flag, NominationList, Nominee, Transition, Verval
from berdaya.targeting.tests.conftest import minutes_pdf
from berdaya.targeting.tests.factories import CycleFactory, NomineeFactory

pytestmark = pytest.mark.django_db

SEES_VILLAGE_A = [
    ("admin", 200),
    ("officer", 200),
    ("monitor", 200),
    ("camat", 200),
    ("desa_a", 200),
    ("camat_c", 404),
    ("desa_b", 404),
    ("desa_c", 404),
    ("facilitator", 404),
    ("no_region", 404),
]


@pytest.fixture
def nominee(village_list, users):
    person = PersonFactory(household__village=village_list.village)
    made = services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"])
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    return made


def status_of(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    b"".join(getattr(response, "streaming_content", []))  # read to the end: the test client then closes the file
    return response.status_code


@pytest.mark.parametrize(("username", "status"), SEES_VILLAGE_A)
def test_a_village_list_is_seen_only_inside_its_scope(client, users, village_list, username, status):
    expected = 403 if username == "facilitator" else status
    assert status_of(client, users[username], village_list.get_absolute_url()) == expected


@pytest.mark.parametrize(("username", "status"), SEES_VILLAGE_A)
def test_a_nominee_page_is_seen_only_inside_its_scope(client, users, nominee, username, status):
    expected = 403 if username == "facilitator" else status
    assert status_of(client, users[username], nominee.get_absolute_url()) == expected


@pytest.mark.parametrize(("username", "status"), SEES_VILLAGE_A)
def test_the_minutes_download_is_seen_only_inside_its_scope(client, users, nominee, username, status):
    url = reverse("targeting:list-minutes-download", args=[nominee.nomination_list_id])
    expected = 403 if username == "facilitator" else status
    assert status_of(client, users[username], url) == expected


@pytest.mark.parametrize(
    ("username", "status"), [("desa_a", 200), ("desa_b", 404), ("desa_c", 404), ("camat", 403), ("admin", 403)]
)
def test_the_person_search_fragment_is_only_for_the_villages_operator(client, users, village_list, username, status):
    url = reverse("targeting:list-person-search", args=[village_list.pk])
    assert status_of(client, users[username], url, headers={"HX-Request": "true"}) == status


@pytest.mark.parametrize(("username", "status"), [("desa_b", 404), ("desa_c", 404)])
def test_another_village_cannot_add_to_the_list_by_a_guessed_url(client, users, village_list, username, status):
    person = PersonFactory(household__village=village_list.village)
    client.force_login(users[username])

    response = client.post(
        reverse("targeting:list-pick", args=[village_list.pk]), {"person": person.pk, "reason": "no_income"}
    )

    assert response.status_code == status
    assert not village_list.nominees.exists()


@pytest.mark.parametrize(("username", "status"), [("desa_b", 404), ("camat_c", 404)])
def test_another_village_cannot_submit_the_list(client, users, nominee, username, status):
    client.force_login(users[username])

    assert client.post(reverse("targeting:list-submit", args=[nominee.nomination_list_id])).status_code in (403, 404)
    assert NominationList.objects.get(pk=nominee.nomination_list_id).status == "draft"


@pytest.mark.parametrize(
    ("username", "rows"), [("officer", 1), ("camat", 1), ("desa_a", 1), ("desa_b", 0), ("camat_c", 0)]
)
def test_the_decree_lists_only_what_the_user_may_see(client, users, nominee, username, rows):
    Nominee.objects.filter(pk=nominee.pk).update(status="approved")
    client.force_login(users[username])

    response = client.get(reverse("targeting:cycle-bnba", args=[nominee.cycle_id]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row - 2 == rows


@pytest.mark.parametrize(
    ("username", "status"),
    [("admin", 200), ("camat", 200), ("desa_a", 200), ("desa_c", 200), ("facilitator", 403), ("no_region", 404)],
)
def test_an_open_cycle_is_seen_by_everyone_in_the_regency(client, users, cycle, username, status):
    assert status_of(client, users[username], cycle.get_absolute_url()) == status


@pytest.mark.parametrize(("username", "status"), [("admin", 200), ("officer", 200), ("camat", 404), ("desa_a", 404)])
def test_a_draft_cycle_is_seen_only_by_the_dinas(client, users, regions, username, status):
    draft = CycleFactory(region=regions["regency"])
    assert status_of(client, users[username], draft.get_absolute_url()) == status


def test_the_cycle_dashboard_counts_stay_bounded(client, users, cycle, regions, django_assert_max_num_queries):
    for code in ("village_a", "village_b"):
        nomination_list = NominationList.objects.create(cycle=cycle, village=regions[code], created_by=users["admin"])
        NomineeFactory.create_batch(5, nomination_list=nomination_list)
    client.force_login(users["officer"])

    with django_assert_max_num_queries(25):
        response = client.get(cycle.get_absolute_url())

    assert response.context["dashboard"].total.nominated == 10


def test_the_dashboard_fragment_answers_htmx(client, users, cycle):
    client.force_login(users["camat"])

    response = client.get(cycle.get_absolute_url(), headers={"HX-Request": "true"})

    assert [t.name for t in response.templates][0] == "targeting/_dashboard.html"


def test_picking_a_person_through_htmx_returns_the_rows(client, users, village_list):
    person = PersonFactory(household__village=village_list.village)
    client.force_login(users["desa_a"])

    response = client.post(
        reverse("targeting:list-pick", args=[village_list.pk]),
        {"person": person.pk, "reason": "no_income"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert f'id="nominee-{village_list.nominees.get().pk}"' in response.content.decode()


def test_a_refused_nomination_shows_its_message_in_the_fragment(client, users, village_list):
    client.force_login(users["desa_a"])
    data = {"nik": "123", "name": "X", "kk_number": "6401040101150099", "reason": "no_income"}

    response = client.post(
        reverse("targeting:list-add-new", args=[village_list.pk]), data, headers={"HX-Request": "true"}
    )

    assert 'id="nominee-error"' in response.content.decode()
    assert not village_list.nominees.exists()


def test_the_inbox_shows_the_call_and_opening_marks_it_read(client, users, cycle):
    note = Notification.objects.create(recipient_user=users["camat"], recipient_region_id="64.01.04", subject="Call")
    client.force_login(users["camat"])
    assert "Call" in client.get(reverse("inbox:inbox")).content.decode()

    client.post(reverse("inbox:read", args=[note.pk]))

    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_cannot_be_opened(client, users):
    note = Notification.objects.create(recipient_user=users["camat"], recipient_region_id="64.01.04", subject="x")
    client.force_login(users["camat_c"])

    assert client.post(reverse("inbox:read", args=[note.pk])).status_code == 404


def test_the_admin_creates_a_cycle(client, users):
    client.force_login(users["admin"])
    data = {
        "name": "KUBE 2027 Tahap I",
        "year": 2027,
        "funding_source": "apbn",
        "budget": 400000000,
        "aid_per_member": 2000000,
        "group_min": 5,
        "group_max": 20,
        "age_min": 18,
        "age_max": 60,
        "decile_max": 4,
        "nomination_deadline": "2027-03-31",
        "endorsement_deadline": "2027-04-15",
        "verval_deadline": "2027-05-15",
        "decision_deadline": "2027-06-01",
    }

    response = client.post(reverse("targeting:cycle-create"), data)

    assert response.status_code == 302
    assert users["admin"].region_id == "64.01"


def test_a_village_operator_cannot_create_cycles(client, users):
    client.force_login(users["desa_a"])

    assert client.get(reverse("targeting:cycle-create")).status_code == 403


def test_the_verval_form_moves_the_nominee_on(client, users, nominee):
    services.submit_list(nomination_list=nominee.nomination_list, by=users["desa_a"])
    services.endorse_list(nomination_list=nominee.nomination_list, by=users["camat"])
    client.force_login(users["officer"])

    client.post(
        reverse("targeting:nominee-verify", args=[nominee.pk]),
        {"visit_date": "2027-03-01", "check_has_ktp_kk": "on", "latitude": "-1.9", "longitude": "116.2"},
    )

    nominee.refresh_from_db()
    assert nominee.status == "verified"
    assert nominee.verval.checklist["has_ktp_kk"] is True


def test_the_letterhead_page_saves_the_signatory(client, users):
    client.force_login(users["admin"])

    client.post(
        reverse("targeting:letterhead"),
        {
            "office_name": "Dinas Sosial Kabupaten Paser",
            "signatory_title": "Kepala Dinas",
            "signatory_name": "Dra. Hj. Siti",
            "number_format": "{seq}/SK/{year}",
        },
    )

    assert client.get(reverse("targeting:letterhead")).context["form"].instance.signatory_name == "Dra. Hj. Siti"


def test_the_blank_minutes_form_is_a_pdf(client, users, cycle):
    client.force_login(users["desa_a"])

    response = client.get(reverse("targeting:minutes-template", args=[cycle.pk]))

    assert response.content.startswith(b"%PDF")


def test_every_page_renders_for_its_role(client, users, nominee, cycle):
    pages = {
        "admin": [reverse("targeting:cycle-list"), reverse("targeting:cycle-edit", args=[cycle.pk])],
        "desa_a": [nominee.nomination_list.get_absolute_url(), reverse("inbox:inbox")],
    }
    for username, urls in pages.items():
        client.force_login(users[username])
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_editing_an_open_cycle_changes_its_deadlines_but_not_its_rules(client, users, cycle):
    client.force_login(users["admin"])
    data = {
        "name": "KUBE 2027 Tahap I (revisi)",
        "decile_max": 7,
        "nomination_deadline": "2027-04-07",
        "endorsement_deadline": "2027-04-15",
        "verval_deadline": "2027-05-15",
        "decision_deadline": "2027-06-01",
    }

    client.post(reverse("targeting:cycle-edit", args=[cycle.pk]), data)

    cycle.refresh_from_db()
    assert (cycle.name, cycle.decile_max, cycle.nomination_deadline.isoformat()) == (
        "KUBE 2027 Tahap I (revisi)",
        4,
        "2027-04-07",
    )


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_targeting_page_renders_in_both_languages(client, settings, users, nominee, cycle, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = {
        "admin": [
            reverse("targeting:cycle-list"),
            reverse("targeting:cycle-create"),
            reverse("targeting:cycle-edit", args=[cycle.pk]),
            cycle.get_absolute_url(),
            reverse("targeting:letterhead"),
            nominee.get_absolute_url(),
        ],
        "desa_a": [nominee.nomination_list.get_absolute_url(), reverse("inbox:inbox")],
    }
    for username, urls in pages.items():
        client.force_login(users[username])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'<html lang="{language}">' in response.text


def test_the_village_list_page_stays_bounded(client, users, village_list, django_assert_max_num_queries):
    for nominee in NomineeFactory.create_batch(10, nomination_list=village_list):
        nominee.flags.create(code="age", severity="hard", message="Aged %(age)d.", params={"age": 70})
    client.force_login(users["camat"])

    with django_assert_max_num_queries(20):
        response = client.get(village_list.get_absolute_url())

    assert response.text.count('class="flag flag-hard"') == 10


def test_the_verval_photo_is_kept(client, users, nominee):
    services.submit_list(nomination_list=nominee.nomination_list, by=users["desa_a"])
    services.endorse_list(nomination_list=nominee.nomination_list, by=users["camat"])
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "brown").save(buffer, "JPEG")
    client.force_login(users["officer"])

    client.post(
        reverse("targeting:nominee-verify", args=[nominee.pk]),
        {"visit_date": "2027-03-01", "photo": SimpleUploadedFile("rumah.jpg", buffer.getvalue(), "image/jpeg")},
    )

    nominee.refresh_from_db()
    assert nominee.verval.photo.name.endswith(".jpg")


@pytest.fixture
def verified_nominee(nominee, users):
    services.submit_list(nomination_list=nominee.nomination_list, by=users["desa_a"])
    services.endorse_list(nomination_list=nominee.nomination_list, by=users["camat"])
    services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist={}, by=users["officer"])
    return nominee


@pytest.mark.parametrize("outside", ["https://evil.example/", "//evil.example/", "https:///evil.example/"])
def test_a_decision_ignores_a_next_url_on_another_site(client, users, verified_nominee, outside):
    client.force_login(users["officer"])

    response = client.post(
        reverse("targeting:nominee-approve", args=[verified_nominee.pk]), {"next": outside, "confirmed": "1"}
    )

    assert response.url == verified_nominee.get_absolute_url()
    assert Nominee.objects.get(pk=verified_nominee.pk).status == "approved"


def test_a_decision_follows_a_next_url_on_this_site(client, users, verified_nominee):
    client.force_login(users["officer"])
    back = verified_nominee.nomination_list.get_absolute_url()

    response = client.post(
        reverse("targeting:nominee-reject", args=[verified_nominee.pk]),
        {"next": back, "reason": "PNS", "confirmed": "1"},
    )

    assert response.url == back
    assert Nominee.objects.get(pk=verified_nominee.pk).status == "rejected"


def test_the_dinas_returns_an_endorsed_list_to_the_kecamatan_from_its_page(client, users, nominee):
    services.submit_list(nomination_list=nominee.nomination_list, by=users["desa_a"])
    services.endorse_list(nomination_list=nominee.nomination_list, by=users["camat"])
    client.force_login(users["officer"])

    client.post(reverse("targeting:list-return-kecamatan", args=[nominee.nomination_list_id]), {"reason": "Kuota"})

    assert NominationList.objects.get(pk=nominee.nomination_list_id).status == "submitted"


def test_the_kecamatan_cannot_return_a_list_to_itself(client, users, nominee):
    services.submit_list(nomination_list=nominee.nomination_list, by=users["desa_a"])
    services.endorse_list(nomination_list=nominee.nomination_list, by=users["camat"])
    client.force_login(users["camat"])

    response = client.post(
        reverse("targeting:list-return-kecamatan", args=[nominee.nomination_list_id]), {"reason": "Kuota"}
    )

    assert response.status_code == 403
    assert NominationList.objects.get(pk=nominee.nomination_list_id).status == "endorsed"


def test_a_refused_step_is_shown_as_a_message(client, settings, users, nominee):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users["camat"])

    response = client.post(
        reverse("targeting:list-return", args=[nominee.nomination_list_id]), {"reason": "Lengkapi"}, follow=True
    )

    assert "this step needs it Submitted" in response.content.decode()
    assert NominationList.objects.get(pk=nominee.nomination_list_id).status == "draft"


def test_a_bad_decree_number_format_is_shown_beside_its_field(client, settings, users):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users["admin"])
    data = {"office_name": "Dinas Sosial", "signatory_title": "Kepala Dinas", "number_format": "{nomor}/SK"}

    response = client.post(reverse("targeting:letterhead"), data)

    assert response.context["form"].errors["number_format"] == ["The number format may only use {seq} and {year}."]


@pytest.mark.parametrize(
    ("username", "seen"),
    [("officer", 1), ("camat", 1), ("desa_a", 1), ("camat_c", 0), ("desa_b", 0), ("facilitator", 0), ("no_region", 0)],
)
def test_flags_transitions_and_vervals_are_seen_only_inside_their_scope(users, verified_nominee, username, seen):
    verified_nominee.flags.create(code="age", severity="soft", message="x")
    user = users[username]

    counts = (
        Flag.objects.visible_to(user).count(),
        Transition.objects.visible_to(user).filter(action="verify").count(),
        Verval.objects.visible_to(user).count(),
    )

    assert counts == (seen, seen, seen)
