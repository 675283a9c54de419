from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

# The targeting workflow's fixtures (an open cycle whose call reached Tanah Periuk, its draft list) and its day,
# 1 March 2027, inside the cycle's nomination window.
from berdaya.targeting.tests.conftest import cycle, today, village_list  # noqa: F401


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Subjects are asserted in English: the Indonesian catalogue is filled later."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BERDAYA_SITE_URL = "https://berdaya.example.go.id"
