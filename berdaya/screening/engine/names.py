"""Indonesian personal names reduced to a comparable key.

Village lists write one person's name many ways: the 1947 and 1972 spellings (Soekarno / Sukarno, Djoko / Joko,
Jusuf / Yusuf), abbreviations (Moh. / Muhammad, St. / Siti), pilgrim and academic titles (H., Hj., Drs., S.Pd.),
forms of address (Bapak, Ibu) and a different word order. The key keeps the words of the name, in order, each
spelt one way, so that these variants compare equal and real differences remain for the fuzzy comparison.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl


def _words(text: str) -> list[str]:
    return text.split()


# Forms of address, pilgrim titles and academic prefixes: they say nothing about who the person is.
PREFIX_TITLES: Final = frozenset(
    _words(
        "h hj hajjah hajah haji hji bapak bpk bp pak ibu bu ny nyonya tn tuan sdr sdri saudara saudari alm almh "
        "almarhum almarhumah drs dra dr ir prof kh kyai ust ustad ustadz ustadzah ustazah"
    )
)
# Academic degrees, written after the name, with or without a comma (dots already removed: "S.Pd." -> "spd").
DEGREES: Final = frozenset(
    _words(
        "spd spdi sag sh se st ssos sip skm ssi skom skep sthi sei sp sked sfarm shut spt stp sak sds ssn sked ssy sikom "
        "mpd msi mm mt mh mkes mag mhum mkom msc ma ba bsc phd amd amdkeb amdkep amk apt ners dipl"
    )
)
# One spelling for the common abbreviated or variously spelt name words, written in key form (see _key_word).
CANONICAL: Final = {
    **dict.fromkeys(
        _words(
            "m mh md mhd moh muh mohd muhd muhamad mohamad muhamat mohamat muhamed mohamed mukamad mokamad muhammad "
            "mohammad mahmad mamad"
        ),
        "muhamad",
    ),
    **dict.fromkeys(_words("st sti siti sity"), "siti"),
    **dict.fromkeys(_words("nur nurul nor noor nurl"), "nur"),
    **dict.fromkeys(_words("abd abdul abdu abdoel"), "abdul"),
    **dict.fromkeys(_words("ahmat amad"), "ahmad"),
}

_DOTTED_DEGREE = re.compile(r"\b([a-z])\s*\.\s*([a-z]{1,4})\b\.?")
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")


def _ascii_lower(raw: str) -> str:
    text = unicodedata.normalize("NFKD", raw)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _join_degree(match: re.Match[str]) -> str:
    joined = match.group(1) + match.group(2)
    return f" {joined} " if joined in DEGREES else match.group(0)


def spelling(word: str) -> str:
    """One word in the current (1972) spelling, with j and y merged.

    Old "dj" is new "j" and old "j" is new "y". Turning every j into y would be wrong for a modern "Joko", but a
    modern "Joko" and an old "Djoko" then both become "yoko", so merging j and y keeps old and new equal.
    """
    word = word.replace("oe", "u").replace("dj", "j").replace("tj", "c").replace("ch", "kh")
    return word.replace("j", "y")


def _key_word(word: str) -> str:
    """A word reduced further for comparison only: silent h, doubled letters and aspirated consonants dropped."""
    word = spelling(word).replace("kh", "h").replace("dh", "d").replace("th", "t").replace("ph", "f")
    word = _DOUBLED.sub(r"\1", word)
    if len(word) > 3 and word.endswith("h") and word[-2] in "aiueo":
        word = word[:-1]  # Aminah / Amina, Fatimah / Fatima
    return word


@lru_cache(maxsize=1 << 18)
def name_key(raw: str) -> str:
    """The comparable key of a name: its words, in order, titles dropped, spelling and abbreviations unified.

    Returns "" when nothing of a name remains.
    """
    text = _ascii_lower(raw)
    # Everything after a comma is degrees ("Budi Santoso, S.Pd., M.Si."); Indonesian lists do not write
    # "surname, given name".
    head = text.split(",", 1)[0]
    if not _NOT_LETTER.sub("", head):
        head = text
    head = head.replace("'", "").replace("`", "").replace("’", "")  # Ma'ruf / Maruf
    head = _DOTTED_DEGREE.sub(_join_degree, head)
    words = [w for w in _NOT_LETTER.split(head) if w]
    if not words:
        return ""
    kept = [w for w in words if w not in PREFIX_TITLES]
    kept = [w for i, w in enumerate(kept) if i == 0 or w not in DEGREES]
    if not kept:
        kept = words  # a name that is only title-like words ("Ibu") is kept as written
    keys = [_key_word(w) for w in kept]
    keys = [CANONICAL.get(k, k) for k in keys]
    return " ".join(k for k in keys if k)


_MARKED_DEGREE = r"\x01([a-z]+)\x02([^\x03]*)\x03"
_TITLE_WORDS: Final = sorted(PREFIX_TITLES | DEGREES)


@lru_cache(maxsize=1 << 16)
def word_key(word: str) -> str:
    """The key of one word of a name that survived title removal (see ``name_key``)."""
    key = _key_word(word)
    return CANONICAL.get(key, key)


def _drop_titles(words: list[str]) -> str:
    kept = [w for w in words if w not in PREFIX_TITLES]
    kept = [w for i, w in enumerate(kept) if i == 0 or w not in DEGREES]
    return "  ".join(kept or words)


def factorise(values: pl.Series) -> tuple[npt.NDArray[np.int32], pl.Series]:
    """Integer codes of the values and the distinct values they index: values == distinct.gather(codes).

    Distinct values are found by a 64-bit hash and checked with a second, independently seeded one; should two
    values ever share both, a hash join decides instead.
    """
    hashes = values.hash(seed=0).to_numpy()
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    check = values.hash(seed=0x5EED).to_numpy()
    if np.array_equal(check[first][inverse.reshape(-1)], check):
        return inverse.reshape(-1).astype(np.int32), values.gather(first)
    distinct = values.unique()
    table = pl.DataFrame({"value": distinct, "code": np.arange(len(distinct), dtype=np.int32)})
    codes = values.rename("value").to_frame().join(table, on="value", how="left", maintain_order="left")["code"]
    return codes.to_numpy().astype(np.int32), distinct


def _keys_of_distinct(raw: pl.Series) -> pl.Series:
    """``name_key`` of distinct raw names, vectorised with Polars; Python runs once per distinct word."""
    text = raw.str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase()
    head = text.str.extract(r"^([^,]*)", 1).fill_null("")
    head = pl.select(pl.when(head.str.contains("[a-z]")).then(head).otherwise(text)).to_series()
    head = head.str.replace_all("['`’]", "")
    # A dotted degree ("S.Pd.") is joined only when the joined letters are a degree: mark every match with both
    # readings, then resolve the few distinct marks in Python.
    marked = head.str.replace_all(_DOTTED_DEGREE.pattern, "\x01${1}${2}\x02${0}\x03")
    marks = marked.str.extract_all(_MARKED_DEGREE).explode().drop_nulls().unique().to_list()
    if marks:
        resolved = []
        for mark in marks:
            joined, original = mark[1:-1].split("\x02", 1)
            resolved.append(f" {joined} " if joined in DEGREES else original)
        head = marked.str.replace_many(marks, resolved)
    words = head.str.extract_all("[a-z]+")
    # Words joined by two spaces and padded, so that " word " patterns match whole words, one after another.
    joined = words.list.join("  ")
    titled = words.list.eval(pl.element().is_in(_TITLE_WORDS)).list.any().fill_null(False).arg_true()
    if len(titled):
        joined = joined.scatter(titled, [_drop_titles(w) for w in words.gather(titled).to_list()])
    distinct = words.explode().drop_nulls().unique().to_list()
    changed = [(w, k) for w, k in ((w, word_key(w)) for w in distinct) if k != w]
    padded = " " + joined + " "
    if changed:
        padded = padded.str.replace_many([f" {w} " for w, _ in changed], [f" {k} " for _, k in changed])
    return padded.str.replace_all(" +", " ").str.strip_chars()


def name_key_codes(names: pl.Series) -> tuple[npt.NDArray[np.int32], pl.Series]:
    """Every name's key as a code into the distinct keys: ``name_key`` of names[i] is keys[codes[i]]."""
    raw_codes, raw = factorise(names.cast(pl.String).fill_null(""))
    key_codes, keys = factorise(_keys_of_distinct(raw))
    return key_codes[raw_codes], keys


def name_keys(names: pl.Series) -> pl.Series:
    """``name_key`` of every name, vectorised: the same keys, computed with Polars once per distinct name and with
    Python once per distinct word (a list of a million names has a few tens of thousands of words)."""
    codes, keys = name_key_codes(names)
    return keys.gather(codes)
