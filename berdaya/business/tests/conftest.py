from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

TODAY = dt.datetime(2027, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    """Every business test runs on 15 December 2027: the book has months behind it to close."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted on their English msgids; the UI's default language is Indonesian."""
    with translation.override("en"):
        yield
