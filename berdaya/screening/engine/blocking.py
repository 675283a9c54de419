"""Candidate pairs: only people who share a blocking key are ever compared.

Each key catches one kind of damage, and a true pair needs only one intact key to be found:

- the NIK, and the NIK less its last digit: the same NIK, a serial typo, a NIK cut to 15 digits by a spreadsheet;
- a word of the name with the birth date (recorded or read from the NIK): a broken NIK, a changed word order or a
  dropped word;
- the birth date with the village: a name written very differently;
- the whole name key with the village or the KK: no usable NIK nor birth date.

A key shared by more than ``max_block`` people on a side (a very common name in one village) says little and is
skipped rather than let the pairs grow quadratically.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from berdaya.screening.engine.records import MISSING, NIK_FULL, NIK_SHORT, NO_DATE, People

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]

# Name words too common to identify anyone on their own, in key form (see names.CANONICAL).
COMMON_WORDS: Final = frozenset({"muhamad", "siti", "nur", "abdul", "ahmad", "sri", "dewi"})


Keys = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]  # (row, key), each (row, key) once
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)


def _mix(hashes: npt.NDArray[np.uint64], values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """One 64-bit key from a string hash and an integer (a hash: distinct inputs may, very rarely, share a key, which
    only adds a candidate pair)."""
    mixed = hashes ^ (values.astype(np.uint64) * _GOLDEN)
    mixed = (mixed ^ (mixed >> np.uint64(31))) * _GOLDEN
    signed: npt.NDArray[np.int64] = mixed.view(np.int64)
    return signed


def nik_keys(people: People) -> Keys:
    """The NIK and the NIK less its last digit.

    The second key finds a NIK that a spreadsheet cut to 15 digits or whose last digit it zeroed, and serial typos.
    Deleting other digits too would find more typos, but in a dense region every NIK has dozens of such neighbours
    (the same birth day and serial in the next kecamatan); those typos are found through the name and birth date.
    """
    full = np.flatnonzero(people.nik_state == NIK_FULL)
    short = np.flatnonzero(people.nik_state == NIK_SHORT)
    rows = np.concatenate([full, full, short]).astype(np.int64)
    keys = np.concatenate([people.nik[full], people.nik[full] // 10, people.nik[short]]).astype(np.int64)
    return rows, keys


def _births(people: People) -> Keys:
    """(row, birth date) for the recorded date and the NIK's date, each known date once."""
    rows = np.arange(len(people), dtype=np.int64)
    b1, b2 = people.birth.astype(np.int64), people.nik_birth.astype(np.int64)
    first = b1 != NO_DATE
    second = (b2 != NO_DATE) & (b2 != b1)
    return np.concatenate([rows[first], rows[second]]), np.concatenate([b1[first], b2[second]])


def name_birth_keys(people: People) -> Keys:
    # The words of each distinct name key, hashed (a hash, not a code, so that two files' keys meet).
    vocab = pl.DataFrame({"code": np.arange(len(people.name_vocab), dtype=np.int64), "word": people.name_vocab})
    words = vocab.with_columns(pl.col("word").str.split(" ")).explode("word")
    words = words.filter((pl.col("word").str.len_chars() >= 3) & ~pl.col("word").is_in(list(COMMON_WORDS)))
    words = words.select("code", pl.col("word").hash()).unique().sort("code")
    word_code = words["code"].to_numpy()
    word_hash = words["word"].to_numpy()
    rows, births = _births(people)
    code = people.name_code[rows]
    start = np.searchsorted(word_code, code, side="left")
    count = np.searchsorted(word_code, code, side="right") - start
    offset = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    index = np.repeat(start, count) + offset
    return np.repeat(rows, count), _mix(word_hash[index], np.repeat(births, count))


def birth_village_keys(people: People) -> Keys:
    rows, births = _births(people)
    known = people.village[rows] != MISSING
    rows, births = rows[known], births[known]
    return rows, (births + 100_000) * 10**10 + people.village[rows]


def _name_with(people: People, place: npt.NDArray[np.int64]) -> Keys:
    known = (place != MISSING) & ~(people.name_vocab == "").to_numpy()[people.name_code]
    rows = np.flatnonzero(known).astype(np.int64)
    hashes = people.name_vocab.hash().to_numpy()
    return rows, _mix(hashes[people.name_code[rows]], place[rows])


def name_village_keys(people: People) -> Keys:
    return _name_with(people, people.village)


def name_kk_keys(people: People) -> Keys:
    return _name_with(people, people.kk)


KEY_BUILDERS: Final = (nik_keys, name_birth_keys, birth_village_keys, name_village_keys, name_kk_keys)


def _groups(keys: npt.NDArray[np.int64], max_block: int) -> tuple[npt.NDArray[np.intp], Keys, npt.NDArray[np.int64]]:
    """The order that sorts the keys; and, for each key shared by at most max_block records, the key, where its
    records start in that order and how many they are."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    start = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]).astype(np.int64)[: len(ordered)]
    size = np.diff(np.r_[start, len(ordered)]).astype(np.int64)
    small = size <= max_block
    return order, (ordered[start[small]], start[small]), size[small]


def pairs_within(rows: npt.NDArray[np.int64], keys: npt.NDArray[np.int64], max_block: int) -> Pairs:
    order, (_, start), size = _groups(keys, max_block)
    sorted_rows = rows[order]
    # Each position p of a group [s, s + n) pairs with the positions after it, p + 1 .. s + n - 1.
    position = np.repeat(start, size) + _offsets(size)
    partners = np.repeat(start + size, size) - position - 1
    first = np.repeat(position, partners)
    second = first + 1 + _offsets(partners)
    a, b = sorted_rows[first], sorted_rows[second]
    distinct = a != b
    return np.minimum(a, b)[distinct], np.maximum(a, b)[distinct]


def pairs_across(left: Keys, right: Keys, max_block: int) -> Pairs:
    lorder, (lkey, lstart), lsize = _groups(left[1], max_block)
    rorder, (rkey, rstart), rsize = _groups(right[1], max_block)
    _, li, ri = np.intersect1d(lkey, rkey, assume_unique=True, return_indices=True)
    ls, ln, rs, rn = lstart[li], lsize[li], rstart[ri], rsize[ri]
    # The n x m pairs of a key held by n records on the left and m on the right, numbered k = 0 .. n m - 1.
    count = ln * rn
    k = _offsets(count)
    width = np.repeat(rn, count)
    first = np.repeat(ls, count) + k // width
    second = np.repeat(rs, count) + k % width
    return left[0][lorder][first], right[0][rorder][second]


def _offsets(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0 .. c - 1 for every count c, concatenated."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)


def candidate_pairs(left: People, right: People | None, *, max_block: int = 60) -> Pairs:
    """Distinct candidate pairs (left row, right row), sorted; with no right side, pairs inside left with row < row."""
    width = len(left) if right is None else len(right)
    found = []
    for build in KEY_BUILDERS:
        if right is None:
            rows, keys = build(left)
            a, b = pairs_within(rows, keys, max_block)
        else:
            a, b = pairs_across(build(left), build(right), max_block)
        found.append(a * max(width, 1) + b)
    # Sort and drop repeats: np.unique without return_inverse is several times slower on a few million integers.
    pairs = np.sort(np.concatenate(found))
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return pairs // max(width, 1), pairs % max(width, 1)
