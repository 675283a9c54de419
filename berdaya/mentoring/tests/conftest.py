from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

TODAY = dt.datetime(2027, 8, 2, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    """Every mentoring test runs on 2 August 2027, after the factories' cycle was decided."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages asserted in English: the catalogues translate them for the Indonesian UI."""
    with translation.override("en"):
        yield
