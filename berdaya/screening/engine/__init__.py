"""The screening engine: finds the same person across messy lists. Pure Python; it must not import Django."""

from berdaya.screening.engine.cli import main, run_dedupe, run_link
from berdaya.screening.engine.cluster import dedupe_on, link_on
from berdaya.screening.engine.pipeline import Matches, dedupe, link
from berdaya.screening.engine.records import COLUMNS, InputError, People, people_from_frame, read_people

__all__ = [
    "COLUMNS",
    "InputError",
    "Matches",
    "People",
    "dedupe",
    "dedupe_on",
    "link",
    "link_on",
    "main",
    "people_from_frame",
    "read_people",
    "run_dedupe",
    "run_link",
]
