"""The screening engine: finds the same person across messy lists. Pure Python; it must not import Django."""

from berdaya.screening.engine.cli import main, run_dedupe, run_link
from berdaya.screening.engine.pipeline import Matches, dedupe, link
from berdaya.screening.engine.records import InputError, People, read_people

__all__ = ["InputError", "Matches", "People", "dedupe", "link", "main", "read_people", "run_dedupe", "run_link"]
