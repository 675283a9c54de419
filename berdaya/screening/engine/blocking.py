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


def nik_keys(people: People) -> pl.DataFrame:
    """The NIK and the NIK less its last digit.

    The second key finds a NIK that a spreadsheet cut to 15 digits or whose last digit it zeroed, and serial typos.
    Deleting other digits too would find more typos, but in a dense region every NIK has dozens of such neighbours
    (the same birth day and serial in the next kecamatan); those typos are found through the name and birth date.
    """
    full = np.flatnonzero(people.nik_state == NIK_FULL)
    short = np.flatnonzero(people.nik_state == NIK_SHORT)
    return pl.concat(
        [
            pl.DataFrame({"row": full, "key": people.nik[full]}),
            pl.DataFrame({"row": full, "key": people.nik[full] // 10}),
            pl.DataFrame({"row": short, "key": people.nik[short]}),
        ]
    )


def name_birth_keys(people: People) -> pl.DataFrame:
    # The words of each distinct name key, hashed (a hash, not a code, so that two files' keys meet).
    vocab = pl.DataFrame({"code": np.arange(len(people.name_vocab), dtype=np.int32), "word": people.name_vocab})
    words = vocab.with_columns(pl.col("word").str.split(" ")).explode("word")
    words = words.filter((pl.col("word").str.len_chars() >= 3) & ~pl.col("word").is_in(list(COMMON_WORDS)))
    words = words.select("code", pl.col("word").hash())
    rows = pl.DataFrame(
        {
            "row": np.arange(len(people), dtype=np.int64),
            "code": people.name_code,
            "b1": people.birth,
            "b2": people.nik_birth,
        }
    )
    births = pl.concat(
        [
            rows.select("row", "code", pl.col("b1").alias("birth")),
            rows.select("row", "code", pl.col("b2").alias("birth")),
        ]
    ).filter(pl.col("birth") != NO_DATE)
    long = births.join(words, on="code")
    return long.select("row", pl.struct("word", "birth").hash().alias("key")).unique()


def birth_village_keys(people: People) -> pl.DataFrame:
    frames = []
    for birth in (people.birth.astype(np.int64), people.nik_birth.astype(np.int64)):
        rows = np.flatnonzero((birth != NO_DATE) & (people.village != MISSING))
        frames.append(pl.DataFrame({"row": rows, "key": (birth[rows] + 100_000) * 10**10 + people.village[rows]}))
    return pl.concat(frames).unique()


def name_place_keys(people: People) -> pl.DataFrame:
    hashes = people.name_vocab.hash().to_numpy()
    frame = pl.DataFrame(
        {
            "row": np.arange(len(people), dtype=np.int64),
            "name": hashes[people.name_code],
            "empty": (people.name_vocab == "").to_numpy()[people.name_code],
            "v": people.village,
            "k": people.kk,
        }
    ).filter(~pl.col("empty"))
    # The place kind (0 village, 1 KK) keeps a village code and a KK number with the same digits apart.
    by_village = frame.filter(pl.col("v") != MISSING).select(
        "row", pl.struct("name", "v", pl.lit(0).alias("kind")).hash().alias("key")
    )
    by_kk = frame.filter(pl.col("k") != MISSING).select(
        "row", pl.struct("name", pl.col("k").alias("v"), pl.lit(1).alias("kind")).hash().alias("key")
    )
    return pl.concat([by_village, by_kk])


KEY_BUILDERS: Final = (nik_keys, name_birth_keys, birth_village_keys, name_place_keys)


def _join(left: pl.DataFrame, right: pl.DataFrame | None, max_block: int) -> pl.DataFrame:
    if right is None:
        sized = left.filter(pl.len().over("key").is_between(2, max_block))
        joined = sized.join(sized, on="key", suffix="_r").filter(pl.col("row") < pl.col("row_r"))
    else:
        lsz = left.filter(pl.len().over("key") <= max_block)
        rsz = right.filter(pl.len().over("key") <= max_block)
        joined = lsz.join(rsz, on="key", suffix="_r")
    return joined.select(pl.col("row").cast(pl.Int64), pl.col("row_r").cast(pl.Int64))


def candidate_pairs(left: People, right: People | None, *, max_block: int = 60) -> Pairs:
    """Distinct candidate pairs (left row, right row); with no right side, pairs inside left with row < row."""
    parts = []
    for build in KEY_BUILDERS:
        parts.append(_join(build(left), None if right is None else build(right), max_block))
    pairs = pl.concat(parts).unique()
    return pairs["row"].to_numpy().astype(np.int64), pairs["row_r"].to_numpy().astype(np.int64)
