"""Comparison levels of candidate pairs, computed column-wise over all pairs at once.

Each comparison turns a pair into a small integer ("level") per field. The levels are chosen so that the fields
they compare are nearly independent given whether the pair is one person, which the Fellegi-Sunter model assumes:
the NIK level already accounts for the NIK's own birth date and sex, and the KK and the village are one
comparison because relatives share both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist

from berdaya.screening.engine.records import MISSING, NIK_FULL, NIK_SHORT, NO_DATE, Int32s, Int64s, People

Levels = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float32]

# NIK levels
NIK_SAME: Final = 0
NIK_TRANSPOSED: Final = 1
# One digit of the birth date part apart, and one record's birth date or sex fits the other NIK, not its own: a typo.
NIK_ONE_DIGIT_EXPLAINED: Final = 2
NIK_ONE_DIGIT_DATE: Final = 3  # one digit of the birth date part apart, unexplained: often two people
NIK_ONE_DIGIT_SERIAL: Final = 4  # one serial digit apart: often two people born the same day in one kecamatan
NIK_ONE_DIGIT_REGION: Final = 5  # one region digit apart: often the same birth day and serial in another kecamatan
NIK_LOST_DIGIT: Final = 6  # a 15-digit NIK is the other without one digit
NIK_DIFFERENT_EXPLAINED: Final = 7  # different, and one NIK contradicts its own record: a wrong NIK
NIK_DIFFERENT: Final = 8
NIK_MISSING: Final = 9
# The same NIK, but one record's own birth date contradicts it in more than one part: a relative's NIK typed on the
# wrong record looks like this, so it is weaker evidence than NIK_SAME.
NIK_SAME_CONTRADICTED: Final = 10
NIK_LEVELS: Final = 11

# Birth date levels
BIRTH_SAME: Final = 0
BIRTH_ONE_PART: Final = 1  # day and month swapped, or one of day, month, year differs
BIRTH_VIA_NIK: Final = 2  # recorded dates differ but one side's NIK date equals the other's date
BIRTH_DIFFERENT: Final = 3
BIRTH_MISSING: Final = 4
BIRTH_LEVELS: Final = 5

# Name levels (on name keys, see names.name_key)
NAME_SAME: Final = 0
NAME_SAME_WORDS: Final = 1  # the same words in another order
NAME_CLOSE: Final = 2  # a letter or two apart
NAME_SUBSET: Final = 3  # every word of one is in the other: a dropped word, or father and son
NAME_SIMILAR: Final = 4
NAME_WEAK: Final = 5
NAME_DIFFERENT: Final = 6
NAME_MISSING: Final = 7
NAME_LEVELS: Final = 8

SEX_SAME: Final = 0
SEX_DIFFERENT: Final = 1
SEX_MISSING: Final = 2
SEX_LEVELS: Final = 3

# Household and place: KK (same, different, missing) x village (same, same kecamatan, different, missing)
PLACE_LEVELS: Final = 12

BPLACE_SAME: Final = 0
BPLACE_SIMILAR: Final = 1
BPLACE_DIFFERENT: Final = 2
BPLACE_MISSING: Final = 3
BPLACE_LEVELS: Final = 4

# Name and birth date are one comparison: among the candidate pairs of two people, those with the same name and those
# with the same birth date are different pairs (blocking brought them together on one or the other), so the two
# agreements are far from independent.
NAME_BIRTH_LEVELS: Final = NAME_LEVELS * BIRTH_LEVELS
FIELDS: Final = ("nik", "name_birth", "sex", "place", "birth_place")
FIELD_LEVELS: Final = (NIK_LEVELS, NAME_BIRTH_LEVELS, SEX_LEVELS, PLACE_LEVELS, BPLACE_LEVELS)
# The level of each field that means "cannot compare": it carries no evidence either way.
MISSING_LEVEL: Final = (NIK_MISSING, None, SEX_MISSING, None, BPLACE_MISSING)


def name_birth_level(name: npt.NDArray[np.int8], birth: npt.NDArray[np.int8]) -> Levels:
    return np.asarray(name.astype(np.int16) * BIRTH_LEVELS + birth, dtype=np.int8)


@dataclass(frozen=True)
class Comparison:
    """Levels of every field for every candidate pair, and the name similarity for the reasons."""

    left: Int64s
    right: Int64s
    levels: npt.NDArray[np.int8]  # pairs x fields
    name_similarity: Floats
    nik_position: npt.NDArray[np.int8]  # first differing NIK digit (0-15), -1 if none


def civil_from_days(days: Int64s) -> tuple[Int64s, Int64s, Int64s]:
    """Year, month and day of day numbers since 1970-01-01 (H. Hinnant's algorithm), vectorised."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    return np.asarray(y + (m <= 2), np.int64), np.asarray(m, np.int64), np.asarray(d, np.int64)


def _far_from_own_nik(p: People) -> npt.NDArray[np.bool_]:
    """The record's birth date contradicts its own NIK in more than one part (day, month, year; a swapped day and
    month counts as one): more than a typo, as when a relative's NIK was typed on the record. (A sex that contradicts
    the NIK is not counted: a sex mistyped on one person's record is common, and relatives of the other sex were born
    on other days anyway.)"""
    known = (p.birth != NO_DATE) & (p.nik_birth != NO_DATE)
    ya, ma, da = civil_from_days(np.where(known, p.birth, 0).astype(np.int64))
    yb, mb, db = civil_from_days(np.where(known, p.nik_birth, 0).astype(np.int64))
    # The NIK keeps two digits of the year.
    parts = (ya % 100 == yb % 100).astype(np.int8) + (ma == mb) + (da == db)
    swapped = (ya % 100 == yb % 100) & (ma == db) & (da == mb)
    return np.asarray(known & (parts < 2) & ~swapped)


def _nik_levels(a: People, b: People, li: Int64s, ri: Int64s) -> tuple[Levels, npt.NDArray[np.int8]]:
    sa, sb = a.nik_state[li], b.nik_state[ri]
    da, db = a.nik_digits[li], b.nik_digits[ri]
    contradicted = a.nik_disagrees[li] | b.nik_disagrees[ri]
    # A record whose birth date or sex fits the other side's NIK and not its own points to a typo in its own NIK.
    ab, bb, anb, bnb = a.birth[li], b.birth[ri], a.nik_birth[li], b.nik_birth[ri]
    asx, bsx, ans, bns = a.sex[li], b.sex[ri], a.nik_sex[li], b.nik_sex[ri]
    cross = ((ab != NO_DATE) & (ab == bnb) & (ab != anb)) | ((bb != NO_DATE) & (bb == anb) & (bb != bnb))
    cross |= ((asx > 0) & (asx == bns) & (asx != ans)) | ((bsx > 0) & (bsx == ans) & (bsx != bns))
    level = np.full(len(li), NIK_MISSING, dtype=np.int8)
    position = np.full(len(li), -1, dtype=np.int8)

    both = (sa == NIK_FULL) & (sb == NIK_FULL)
    diff = da[both] != db[both]
    count = diff.sum(axis=1)
    first = np.argmax(diff, axis=1)
    rows = np.arange(len(first))
    nxt = np.minimum(first + 1, 15)
    x, y = da[both], db[both]
    transposed = (
        (count == 2)
        & (first < 15)
        & diff[rows, nxt]
        & (x[rows, first] == y[rows, nxt])
        & (x[rows, nxt] == y[rows, first])
    )
    exp = contradicted[both]
    sub = np.full(len(first), NIK_DIFFERENT, dtype=np.int8)
    sub[exp] = NIK_DIFFERENT_EXPLAINED
    one = count == 1
    sub[one & (first < 6)] = NIK_ONE_DIGIT_REGION
    sub[one & (first >= 6) & (first < 12)] = NIK_ONE_DIGIT_DATE
    sub[one & (first >= 6) & (first < 12) & cross[both]] = NIK_ONE_DIGIT_EXPLAINED
    sub[one & (first >= 12)] = NIK_ONE_DIGIT_SERIAL
    sub[transposed] = NIK_TRANSPOSED
    sub[count == 0] = NIK_SAME
    far = _far_from_own_nik(a)[li][both] | _far_from_own_nik(b)[ri][both]
    sub[(count == 0) & far] = NIK_SAME_CONTRADICTED
    level[both] = sub
    position[both] = np.where(count == 0, -1, first).astype(np.int8)

    # One NIK has 15 digits: is it the other with one digit deleted? Then some split point p has the first p digits
    # equal and the rest shifted by one.
    mixed = ((sa == NIK_FULL) & (sb == NIK_SHORT)) | ((sa == NIK_SHORT) & (sb == NIK_FULL))
    if mixed.any():
        full = np.where((sa[mixed] == NIK_FULL)[:, None], da[mixed], db[mixed])
        short = np.where((sa[mixed] == NIK_SHORT)[:, None], da[mixed], db[mixed])[:, :15]
        prefix_ok = np.cumprod(np.hstack([np.ones((len(full), 1), bool), full[:, :15] == short]), axis=1).astype(bool)
        shifted = full[:, 1:] == short
        suffix_ok = np.cumprod(np.hstack([shifted, np.ones((len(full), 1), bool)])[:, ::-1], axis=1)[:, ::-1]
        deleted = (prefix_ok & suffix_ok.astype(bool)).any(axis=1)
        level[mixed] = np.where(
            deleted, NIK_LOST_DIGIT, np.where(contradicted[mixed], NIK_DIFFERENT_EXPLAINED, NIK_DIFFERENT)
        )
    shorts = (sa == NIK_SHORT) & (sb == NIK_SHORT)
    level[shorts] = np.where((a.nik[li] == b.nik[ri])[shorts], NIK_LOST_DIGIT, NIK_DIFFERENT)
    return level, position


def _birth_levels(a: People, b: People, li: Int64s, ri: Int64s) -> Levels:
    ba, bb = a.best_birth[li].astype(np.int64), b.best_birth[ri].astype(np.int64)
    missing = (ba == NO_DATE) | (bb == NO_DATE)
    level = np.full(len(li), BIRTH_DIFFERENT, dtype=np.int8)
    ya, ma, da = civil_from_days(np.where(missing, 0, ba))
    yb, mb, db = civil_from_days(np.where(missing, 0, bb))
    parts = (ya == yb).astype(int) + (ma == mb) + (da == db)
    swapped = (ya == yb) & (ma == db) & (da == mb)
    level[(parts == 2) | swapped] = BIRTH_ONE_PART
    na, nb = a.nik_birth[li].astype(np.int64), b.nik_birth[ri].astype(np.int64)
    # Only across different NIKs: with one NIK on both records, one record's date always "fits the other's NIK".
    via_nik = (((na == bb) & (na != NO_DATE)) | ((nb == ba) & (nb != NO_DATE))) & (a.nik[li] != b.nik[ri])
    level[(level == BIRTH_DIFFERENT) & via_nik] = BIRTH_VIA_NIK
    level[ba == bb] = BIRTH_SAME
    level[missing] = BIRTH_MISSING
    return level


def distinct_pairs(ca: Int32s, cb: Int32s, size_b: int) -> tuple[Int64s, Int64s, npt.NDArray[np.intp]]:
    """The distinct (ca, cb) code pairs and, per pair, the index of its distinct pair."""
    combined = ca.astype(np.int64) * max(size_b, 1) + cb
    order = np.argsort(combined)
    ordered = combined[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, dtype=bool)
    inverse = np.empty(len(combined), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    distinct = ordered[first]
    return distinct // max(size_b, 1), distinct % max(size_b, 1), inverse


def _name_levels(a: People, b: People, li: Int64s, ri: Int64s) -> tuple[Levels, Floats]:
    """Name levels and similarity, computed once per distinct pair of name keys."""
    ua, ub, inverse = distinct_pairs(a.name_code[li], b.name_code[ri], len(b.name_vocab))
    va, vb = a.name_texts, b.name_texts
    ka, kb = va[ua], vb[ub]
    equal = np.asarray(ka == kb, dtype=bool)
    missing = np.asarray((ka == "") | (kb == ""), dtype=bool)
    level = np.full(len(ka), NAME_DIFFERENT, dtype=np.int8)
    best = np.ones(len(ka), dtype=np.float32)
    todo = np.flatnonzero(~equal & ~missing)
    if len(todo):
        xa, xb = ka[todo], kb[todo]
        jw = cpdist(xa, xb, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32)
        # token_sort_ratio is the Indel ratio of the words sorted; the keys are already lower case, single-spaced.
        sa, sb = a.name_sorted_texts[ua[todo]], b.name_sorted_texts[ub[todo]]
        sort = cpdist(sa, sb, scorer=fuzz.ratio, workers=-1, dtype=np.float32) / 100
        top = np.maximum(jw, sort)
        sub = np.full(len(todo), NAME_DIFFERENT, dtype=np.int8)
        sub[top >= 0.7] = NAME_WEAK
        sub[top >= 0.82] = NAME_SIMILAR
        # Every word of one is in the other (token_set_ratio 100): only where it can decide the level.
        maybe = np.flatnonzero((top < 0.92) & (sort < 1.0))
        if len(maybe):
            subset = cpdist(xa[maybe], xb[maybe], scorer=fuzz.token_set_ratio, workers=-1)
            sub[maybe[np.asarray(subset) >= 100]] = NAME_SUBSET
        sub[top >= 0.92] = NAME_CLOSE
        sub[sort >= 1.0] = NAME_SAME_WORDS
        level[todo] = sub
        best[todo] = top
    level[equal] = NAME_SAME
    level[missing] = NAME_MISSING
    best[missing] = 0
    return level[inverse], best[inverse]


def _sex_levels(a: People, b: People, li: Int64s, ri: Int64s) -> Levels:
    sa, sb = a.best_sex[li], b.best_sex[ri]
    level = np.where(sa == sb, SEX_SAME, SEX_DIFFERENT).astype(np.int8)
    level[(sa == 0) | (sb == 0)] = SEX_MISSING
    return level


def _place_levels(a: People, b: People, li: Int64s, ri: Int64s) -> Levels:
    ka, kb = a.kk[li], b.kk[ri]
    kk = np.where((ka == MISSING) | (kb == MISSING), 2, np.where(ka == kb, 0, 1))
    va, vb = a.village[li], b.village[ri]
    village = np.where(va == vb, 0, np.where(a.kecamatan[li] == b.kecamatan[ri], 1, 2))
    village[(va == MISSING) | (vb == MISSING)] = 3
    return np.asarray(kk * 4 + village, dtype=np.int8)


def _birth_place_levels(a: People, b: People, li: Int64s, ri: Int64s) -> Levels:
    ua, ub, inverse = distinct_pairs(a.place_code[li], b.place_code[ri], len(b.place_vocab))
    pa, pb = a.place_vocab.gather(ua), b.place_vocab.gather(ub)
    sim = cpdist(pa.to_list(), pb.to_list(), scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32)
    level = np.full(len(ua), BPLACE_DIFFERENT, dtype=np.int8)
    level[sim >= 0.85] = BPLACE_SIMILAR
    level[sim >= 1.0] = BPLACE_SAME
    level[((pa == "") | (pb == "")).to_numpy()] = BPLACE_MISSING
    return level[inverse]


def compare(a: People, b: People, li: Int64s, ri: Int64s) -> Comparison:
    """The comparison levels of pairs (a[li[k]], b[ri[k]])."""
    nik, position = _nik_levels(a, b, li, ri)
    name, similarity = _name_levels(a, b, li, ri)
    levels = np.stack(
        [
            nik,
            name_birth_level(name, _birth_levels(a, b, li, ri)),
            _sex_levels(a, b, li, ri),
            _place_levels(a, b, li, ri),
            _birth_place_levels(a, b, li, ri),
        ],
        axis=1,
    ).astype(np.int8)
    return Comparison(li, ri, levels, similarity, position)
