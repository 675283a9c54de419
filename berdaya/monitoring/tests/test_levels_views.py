"""Setting a group's level by hand from the Perkembangan tab's form: only the Dinas, only with a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from berdaya.groups.tests.factories import KubeFactory
from berdaya.monitoring.models import Level, ManualLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_an_officer_sets_a_level_by_hand_with_a_reason(client, users):
    kube = KubeFactory(formed_on=None)
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:level-set", args=[kube.pk]), {"level": Level.MANDIRI, "reason": "Penilaian lapangan"}
    )

    assert response.status_code == 302
    manual = ManualLevel.objects.get()
    assert (manual.kube, manual.level, manual.set_by) == (kube, Level.MANDIRI, users["officer"])


def test_a_level_without_a_reason_is_refused_with_the_reason_why(client, users):
    kube = KubeFactory()
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:level-set", args=[kube.pk]), {"level": Level.MANDIRI, "reason": ""}, follow=True
    )

    assert not ManualLevel.objects.exists()
    assert "a manual level needs a reason" in response.content.decode()


def test_a_facilitator_may_not_set_a_level(client, users):
    kube = KubeFactory(facilitator=users["facilitator"])
    client.force_login(users["facilitator"])

    response = client.post(reverse("monitoring:level-set", args=[kube.pk]), {"level": 3, "reason": "Saya kira"})

    assert response.status_code == 403
    assert not ManualLevel.objects.exists()


def test_an_officer_ends_the_level_set_by_hand(client, users):
    kube = KubeFactory()
    client.force_login(users["officer"])
    client.post(reverse("monitoring:level-set", args=[kube.pk]), {"level": Level.TUMBUH, "reason": "Sementara"})

    client.post(reverse("monitoring:level-end", args=[kube.pk]), {"reason": "Dinilai ulang"})

    assert ManualLevel.objects.get().ended_on is not None
