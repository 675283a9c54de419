"""Link a nominee list to the assistance history, or find the duplicates inside one list."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from berdaya.screening.engine import compare as c
from berdaya.screening.engine.blocking import candidate_pairs
from berdaya.screening.engine.model import Model, estimate
from berdaya.screening.engine.records import Int64s, People

Progress = Callable[[str], None]
DEFAULT_THRESHOLD = 0.5
# Linking nominees against the aid history reports a little lower: every hit goes to a reviewer, and a prior
# recipient who slips through costs public money, while a false hit costs a reviewer a minute.
LINK_THRESHOLD = 0.45


@dataclass(frozen=True)
class Matches:
    """Pairs judged to be one person: row numbers on each side, the match probability and why."""

    left: Int64s
    right: Int64s
    score: npt.NDArray[np.float64]
    reasons: list[str]
    candidates: int
    model: Model


def _quiet(message: str) -> None:
    del message


def _match(a: People, b: People | None, *, threshold: float, progress: Progress) -> Matches:
    started = time.perf_counter()

    def say(message: str) -> None:
        progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    li, ri = candidate_pairs(a, b)
    say(f"{len(li):,} candidate pairs")
    other = a if b is None else b
    comparison = c.compare(a, other, li, ri)
    say("pairs compared")
    model = estimate(comparison.levels)
    score = model.probability(comparison.levels)
    keep = np.flatnonzero(score >= threshold)
    say(f"model estimated (share of true pairs {model.lam:.3f}); {len(keep):,} pairs at or above {threshold}")
    reasons = explain(a, other, comparison, keep)
    return Matches(li[keep], ri[keep], score[keep], reasons, len(li), model)


def link(
    nominees: People, history: People, *, threshold: float = LINK_THRESHOLD, progress: Progress = _quiet
) -> Matches:
    """Pairs (nominee, history record) that are one person."""
    return _match(nominees, history, threshold=threshold, progress=progress)


def dedupe(people: People, *, threshold: float = DEFAULT_THRESHOLD, progress: Progress = _quiet) -> Matches:
    """Unordered pairs of records inside one list that are one person, each once (left row < right row)."""
    return _match(people, None, threshold=threshold, progress=progress)


def _t(phrase: str) -> str:
    """An English phrase of a reason, marked for the app's catalogues: the app shows reasons in the reader's language
    (berdaya/screening/reasons.py), the command line prints them as they are."""
    return phrase


_NIK_REASON = {
    c.NIK_SAME: _t("same NIK"),
    c.NIK_SAME_CONTRADICTED: _t("same NIK, though one record's birth date contradicts it"),
    c.NIK_TRANSPOSED: _t("NIK differs by one transposition"),
    c.NIK_ONE_DIGIT_EXPLAINED: _t(
        "NIK differs in one birth-date digit, and one record's birth date fits the other NIK"
    ),
    c.NIK_ONE_DIGIT_DATE: _t("NIK differs in one birth-date digit"),
    c.NIK_ONE_DIGIT_SERIAL: _t("NIK differs in one serial digit"),
    c.NIK_ONE_DIGIT_REGION: _t("NIK differs in one region digit"),
    c.NIK_LOST_DIGIT: _t("one NIK has 15 digits, the other less one digit"),
    c.NIK_DIFFERENT_EXPLAINED: _t("different NIK, one contradicting its own record"),
    c.NIK_DIFFERENT: _t("different NIK"),
    c.NIK_MISSING: _t("NIK missing or unusable on one side"),
}
_BIRTH_REASON = {
    c.BIRTH_SAME: _t("same birth date"),
    c.BIRTH_ONE_PART: _t("birth date differs in one part"),
    c.BIRTH_VIA_NIK: _t("birth date matches the NIK's"),
    c.BIRTH_DIFFERENT: _t("different birth date"),
    c.BIRTH_MISSING: "",
}
_SEX_REASON = {c.SEX_DIFFERENT: _t("different sex")}
_PLACE_KK = {0: _t("same KK"), 1: "", 2: ""}
_PLACE_VILLAGE = {0: _t("same village"), 1: _t("same kecamatan"), 2: "", 3: ""}
# The name part: a phrase, or a template whose {} are the names (or the similarity) in this order.
NAME_MISSING_REASON = _t("name missing on one side")
NAME_REASON_TEMPLATES = (
    SAME_NAME := _t("same name '{}'"),
    SAME_AFTER_NORMALISING := _t("'{}' ≈ '{}' (same name after normalising)"),
    ONE_CONTAINS_THE_OTHER := _t("'{}' ≈ '{}' (one name contains the other)"),
    SIMILAR := _t("'{}' ~ '{}' (name similarity {})"),
)
# Every fixed phrase a reason can hold; its parts are joined by REASON_SEPARATOR.
REASON_PHRASES = frozenset(
    phrase
    for table in (_NIK_REASON, _BIRTH_REASON, _SEX_REASON, _PLACE_KK, _PLACE_VILLAGE)
    for phrase in table.values()
    if phrase
) | {NAME_MISSING_REASON}
REASON_SEPARATOR = "; "


def _lookup(codes: npt.NDArray[np.int8], texts: dict[int, str]) -> pl.Series:
    """The text of each code, null where the text is empty (so that it drops out of the sentence)."""
    table = np.array([texts.get(k, "") or None for k in range(16)], dtype=object)  # every level is below 16
    return pl.Series(table[codes.astype(np.intp)].tolist(), dtype=pl.String)


def explain(a: People, b: People, comparison: c.Comparison, rows: npt.NDArray[np.intp]) -> list[str]:
    """A sentence per selected pair naming the evidence, e.g. "same NIK; 'Moh. Sukarno' ≈ 'Muhammad Soekarno'"."""
    levels = comparison.levels[rows]
    name = levels[:, 1] // c.BIRTH_LEVELS
    similarity = comparison.name_similarity[rows]
    # Format each distinct similarity once, in Python, so that it reads exactly as f"{x:.2f}".
    distinct, inverse = np.unique(similarity, return_inverse=True)
    texts = np.array([f"{x:.2f}" for x in distinct.tolist()], dtype=object)
    frame = pl.DataFrame(
        {
            "name": name,
            "left": [a.names[i] for i in comparison.left[rows].tolist()],
            "right": [b.names[j] for j in comparison.right[rows].tolist()],
            "similarity": texts[inverse.reshape(-1)].tolist() if len(rows) else [],
        },
        schema={"name": pl.Int8, "left": pl.String, "right": pl.String, "similarity": pl.String},
    )
    name_reason = (
        pl.when(pl.col("name") == c.NAME_MISSING)
        .then(pl.lit(NAME_MISSING_REASON))
        .when((pl.col("name") == c.NAME_SAME) & (pl.col("left") == pl.col("right")))
        .then(pl.format(SAME_NAME, "left"))
        .when(pl.col("name").is_in([c.NAME_SAME, c.NAME_SAME_WORDS]))
        .then(pl.format(SAME_AFTER_NORMALISING, "left", "right"))
        .when(pl.col("name") == c.NAME_SUBSET)
        .then(pl.format(ONE_CONTAINS_THE_OTHER, "left", "right"))
        .otherwise(pl.format(SIMILAR, "left", "right", "similarity"))
    )
    parts = pl.DataFrame(
        {
            "nik": _lookup(levels[:, 0], _NIK_REASON),
            "birth": _lookup(levels[:, 1] % c.BIRTH_LEVELS, _BIRTH_REASON),
            "sex": _lookup(levels[:, 2], _SEX_REASON),
            "kk": _lookup(levels[:, 3] // 4, _PLACE_KK),
            "village": _lookup(levels[:, 3] % 4, _PLACE_VILLAGE),
        }
    )
    sentences = pl.concat([frame.select(name_reason.alias("name_reason")), parts], how="horizontal").select(
        pl.concat_str(
            ["nik", "name_reason", "birth", "sex", "kk", "village"], separator=REASON_SEPARATOR, ignore_nulls=True
        )
    )
    return sentences.to_series().to_list()
