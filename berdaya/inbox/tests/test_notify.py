"""notify(): who is told (roles over the region, named users, never the sender), the office fallback, e-mail."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.db import transaction
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.inbox.models import Notification, whatsapp_number
from berdaya.inbox.services import notify
from berdaya.lib.stored_text import keep

pytestmark = pytest.mark.django_db

SUBJECT = keep(N_("The list of %(village)s was returned"), village="Tanah Periuk")


def tell(**kwargs):
    return notify(kind="test", subject=SUBJECT, url="/targeting/lists/1/", **kwargs)


def told(made):
    return {note.recipient_user.username for note in made if note.recipient_user}


def test_the_roles_over_the_region_are_told_at_its_level_and_above(users, regions):
    made = tell(region=regions["village_a"], roles=[User.Role.KECAMATAN_OPERATOR, User.Role.OFFICER])

    assert told(made) == {"camat", "officer"}


def test_a_named_user_is_told_besides_the_roles(users, regions):
    made = tell(region=regions["village_a"], roles=[User.Role.KECAMATAN_OPERATOR], users=[users["facilitator"]])

    assert told(made) == {"camat", "facilitator"}


def test_inactive_users_are_not_told(users, regions):
    User.objects.filter(username__in=["officer", "facilitator"]).update(is_active=False)
    users["facilitator"].refresh_from_db()

    made = tell(region=regions["village_a"], roles=[User.Role.OFFICER, User.Role.ADMIN], users=[users["facilitator"]])

    assert told(made) == {"admin"}


def test_the_sender_is_not_told_of_their_own_action(users, regions):
    made = tell(region=regions["village_a"], roles=[User.Role.OFFICER, User.Role.ADMIN], by=users["officer"])

    assert told(made) == {"admin"}
    assert made[0].sender == users["officer"]


def test_with_no_one_in_the_role_the_office_of_the_region_keeps_it_for_whoever_comes(users, regions):
    made = tell(region=regions["other_regency"], roles=[User.Role.KECAMATAN_OPERATOR])

    assert [(n.recipient_user, n.recipient_region_id) for n in made] == [(None, "64.02.01.2001")]
    newcomer = UserFactory(username="camat.lain", role=User.Role.KECAMATAN_OPERATOR, region__code="64.02.01")
    village_operator = UserFactory(username="desa.lain", role=User.Role.VILLAGE_OPERATOR, region__code="64.02.01.2001")
    assert list(Notification.objects.for_user(newcomer)) == made
    assert not Notification.objects.for_user(village_operator).exists()


def test_a_named_user_alone_is_mailed_only_once_the_action_commits(
    users, regions, mailoutbox, django_capture_on_commit_callbacks
):
    users["facilitator"].email = "pendamping@example.id"
    users["facilitator"].save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(region=regions["village_a"], users=[users["facilitator"]], body="Lengkapi alamat")
    assert mailoutbox == []
    for callback in callbacks:
        callback()

    assert [(m.to, m.subject) for m in mailoutbox] == [(["pendamping@example.id"], Notification.objects.get().subject)]
    assert "https://berdaya.example.go.id/targeting/lists/1/" in mailoutbox[0].body


def test_a_rolled_back_action_tells_no_one(users, regions, mailoutbox, django_capture_on_commit_callbacks):
    users["camat"].email = "camat@example.id"
    users["camat"].save()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell(region=regions["village_a"], roles=[User.Role.KECAMATAN_OPERATOR])
        raise RuntimeError

    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("812 3456 7890", "6281234567890"),
        ("0812", ""),
        ("", ""),
    ],
)
def test_a_phone_becomes_a_whatsapp_number_with_the_country_code(phone, number):
    assert whatsapp_number(phone) == number


def test_the_whatsapp_link_goes_to_the_recipients_number_with_the_message_and_an_absolute_link(users, regions):
    users["camat"].phone = "0812-3456-7890"
    users["camat"].save()
    note = tell(region=regions["village_a"], roles=[User.Role.KECAMATAN_OPERATOR], body="Cek NIK & alamat")[0]

    url = note.whatsapp_url

    prefix = "https://wa.me/6281234567890?text="
    assert url.startswith(prefix)
    text = url.removeprefix(prefix)
    assert " " not in text and "&" not in text and "\n" not in text
    assert unquote(text) == f"{note.subject}\n\nCek NIK & alamat\n\nhttps://berdaya.example.go.id/targeting/lists/1/"


def test_without_a_phone_the_whatsapp_link_lets_the_sender_pick_the_contact(users, regions):
    note = tell(region=regions["village_a"], roles=[User.Role.KECAMATAN_OPERATOR])[0]

    assert note.whatsapp_url.startswith("https://wa.me/?text=")
