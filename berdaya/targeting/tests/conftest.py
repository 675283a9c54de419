from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from berdaya.accounts.models import User
from berdaya.regions.models import Region
from berdaya.targeting.models import Cycle, NominationList
from berdaya.targeting.tests.factories import CallRelayFactory, CycleFactory, NominationListFactory, QuotaFactory

TODAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    """Every targeting test runs on 1 March 2027, inside the nomination window of the factories' cycles."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Service messages are asserted as their English msgids, whatever the Indonesian catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def cycle(users: dict[str, User], regions: dict[str, Region]) -> Cycle:
    """An open cycle with quotas for both kecamatan, whose call Tanah Grogot has relayed to its villages."""
    made = CycleFactory(region=regions["regency"], created_by=users["admin"], status=Cycle.Status.OPEN)
    QuotaFactory(cycle=made, kecamatan=regions["kec_a"], households=10)
    QuotaFactory(cycle=made, kecamatan=regions["kec_c"], households=5)
    CallRelayFactory(cycle=made, kecamatan=regions["kec_a"], by=users["camat"])
    return made


@pytest.fixture
def village_list(cycle: Cycle, users: dict[str, User], regions: dict[str, Region]) -> NominationList:
    return NominationListFactory(cycle=cycle, village=regions["village_a"], created_by=users["desa_a"])


def minutes_pdf(name: str = "berita-acara.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
