"""The inbox, the Sent messages page, and the message after an action that says who was told."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.inbox.models import Notification
from berdaya.inbox.services import notify
from berdaya.lib.stored_text import keep
from berdaya.targeting.tests.test_workflow import submitted

pytestmark = pytest.mark.django_db


def sent_by(sender, region, marker, roles):
    return notify(
        kind="test",
        region=region,
        roles=roles,
        subject=keep(N_("The list of %(village)s was returned"), village=marker),
        url="/targeting/",
        by=sender,
    )


def test_the_sent_page_lists_only_my_messages_with_whatsapp_links(client, users, regions):
    users["desa_a"].phone = "081234567890"
    users["desa_a"].save()
    sent_by(users["camat"], regions["village_a"], "ZqMineQ", [User.Role.VILLAGE_OPERATOR])
    sent_by(users["officer"], regions["village_a"], "ZqTheirsQ", [User.Role.VILLAGE_OPERATOR])
    client.force_login(users["camat"])

    page = client.get(reverse("inbox:sent")).content.decode()

    assert "ZqMineQ" in page and "ZqTheirsQ" not in page
    assert "https://wa.me/6281234567890?text=" in page
    assert str(users["desa_a"]) in page


def test_a_message_sent_to_me_is_not_on_my_sent_page(client, users, regions):
    sent_by(users["officer"], regions["village_a"], "ZqTheirsQ", [User.Role.VILLAGE_OPERATOR])
    client.force_login(users["desa_a"])

    assert "ZqTheirsQ" in client.get(reverse("inbox:inbox")).content.decode()
    assert "ZqTheirsQ" not in client.get(reverse("inbox:sent")).content.decode()


def test_opening_a_message_marks_it_read_and_follows_its_link(client, users, regions):
    note = sent_by(users["officer"], regions["village_a"], "Tanah Periuk", [User.Role.VILLAGE_OPERATOR])[0]
    client.force_login(users["desa_a"])

    response = client.post(reverse("inbox:read", args=[note.pk]))

    assert response.url == "/targeting/"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_after_an_action_the_message_names_who_was_told_and_links_to_sent_messages(
    client, users, village_list, django_capture_on_commit_callbacks
):
    submitted(village_list, users, 1)
    client.force_login(users["camat"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("targeting:list-endorse", args=[village_list.pk]), {"confirmed": "1"}, follow=True
        )

    page = response.content.decode()
    assert "Told:" in page
    assert str(users["officer"]) in page and str(users["admin"]) in page
    assert f'href="{reverse("inbox:sent")}"' in page


def test_a_refused_action_says_no_one_was_told(client, users, village_list, django_capture_on_commit_callbacks):
    client.force_login(users["camat"])  # the list is still a draft: nothing to endorse
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("targeting:list-endorse", args=[village_list.pk]), {"confirmed": "1"}, follow=True
        )

    assert "Told:" not in response.content.decode()
    assert not Notification.objects.exists()


def test_every_role_finds_the_inbox_in_the_menu(client, users):
    client.force_login(users["facilitator"])

    assert reverse("inbox:inbox") in client.get(reverse("dashboard")).content.decode()


def test_a_long_inbox_is_read_page_by_page(client, users):
    from berdaya.inbox.models import Notification
    from berdaya.inbox.views import PER_PAGE

    officer = users["officer"]
    Notification.objects.bulk_create(
        Notification(recipient_user=officer, recipient_region_id=officer.region_id, subject=f"Message {n}", url="/")
        for n in range(PER_PAGE + 3)
    )
    client.force_login(officer)

    first = client.get(reverse("inbox:inbox"))
    second = client.get(reverse("inbox:inbox"), {"page": 2})

    assert len(first.context["notifications"]) == PER_PAGE
    assert len(second.context["notifications"]) == 3
    assert "?page=2" in first.content.decode()
