from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

TODAY = dt.datetime(2027, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    """Every demo test runs on 15 December 2027, so the books and visits built back from today are the same."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    """The demo's minutes and photos go to a scratch folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
