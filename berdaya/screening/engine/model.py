"""A Fellegi-Sunter match model whose m and u probabilities are estimated from the data.

For every field, m[level] is the chance of that level when the two records are one person and u[level] when they
are two people. A pair's evidence is the product over fields of m/u; with the share of true pairs among the
candidates (lambda) it gives the probability that the pair is one person. m and u are counted on anchor pairs (see
``estimate``), pulled towards the priors below (a Dirichlet prior) so that a level seen on few pairs keeps a
sensible weight; EM finds lambda.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from berdaya.screening.engine import compare as c
from berdaya.screening.engine.compare import FIELD_LEVELS, MISSING_LEVEL

Floats = npt.NDArray[np.float64]

# Prior m and u per field and level, in the order of compare.FIELDS and its level constants. They encode how data
# entry goes wrong, not any one data set: EM moves them to fit the data at hand.
_NAME_M = (0.60, 0.08, 0.15, 0.07, 0.05, 0.02, 0.005, 0.05)
_NAME_U = (0.05, 0.01, 0.04, 0.05, 0.10, 0.20, 0.55, 0.05)
_BIRTH_M = (0.85, 0.06, 0.03, 0.06, 0.10)
_BIRTH_U = (0.20, 0.10, 0.05, 0.65, 0.10)
PRIOR_M: Final = (
    (0.70, 0.03, 0.03, 0.01, 0.01, 0.01, 0.03, 0.03, 0.04, 1.0, 0.02),  # NIK
    tuple(float(x) for x in np.outer(_NAME_M, _BIRTH_M).ravel()),  # name x birth date
    (0.97, 0.03, 1.0),  # sex
    (0.40, 0.05, 0.02, 0.03, 0.25, 0.05, 0.02, 0.03, 0.10, 0.02, 0.01, 0.02),  # KK x village
    (0.80, 0.10, 0.10, 1.0),  # birth place
)
PRIOR_U: Final = (
    (0.001, 0.001, 0.002, 0.05, 0.05, 0.05, 0.01, 0.20, 0.636, 1.0, 0.01),
    tuple(float(x) for x in np.outer(_NAME_U, _BIRTH_U).ravel()),
    (0.50, 0.50, 1.0),
    (0.10, 0.02, 0.01, 0.02, 0.15, 0.15, 0.15, 0.05, 0.15, 0.10, 0.08, 0.02),
    (0.30, 0.10, 0.60, 1.0),
)
PRIOR_LAMBDA: Final = 0.2
PRIOR_STRENGTH: Final = 200.0  # pseudo-pairs per class behind the prior


@dataclass(frozen=True)
class Model:
    """Estimated m and u per field and level (missing levels fixed at 1: no evidence) and lambda."""

    m: tuple[Floats, ...]
    u: tuple[Floats, ...]
    lam: float

    def log_odds(self, levels: npt.NDArray[np.int8], fields: tuple[int, ...] | None = None) -> Floats:
        """Log odds (natural) that each pair is one person, before the prior lambda."""
        total = np.zeros(len(levels))
        for f in range(len(self.m)) if fields is None else fields:
            weight = np.log(self.m[f]) - np.log(self.u[f])
            total += weight[levels[:, f]]
        return total

    def probability(self, levels: npt.NDArray[np.int8], fields: tuple[int, ...] | None = None) -> Floats:
        prior = np.log(self.lam) - np.log1p(-self.lam)
        return np.asarray(1.0 / (1.0 + np.exp(-(self.log_odds(levels, fields) + prior))))


def _normalise(values: Floats, missing: int | None) -> Floats:
    out = np.array(values, dtype=np.float64)
    keep = np.ones(len(out), bool)
    if missing is not None:
        keep[missing] = False
    out[keep] = out[keep] / out[keep].sum()
    if missing is not None:
        out[missing] = 1.0
    return out


def prior_model() -> Model:
    m = tuple(_normalise(np.array(p, dtype=np.float64), MISSING_LEVEL[f]) for f, p in enumerate(PRIOR_M))
    u = tuple(_normalise(np.array(p, dtype=np.float64), MISSING_LEVEL[f]) for f, p in enumerate(PRIOR_U))
    return Model(m, u, PRIOR_LAMBDA)


def _anchors(levels: npt.NDArray[np.int8]) -> tuple[list[npt.NDArray[np.bool_]], list[npt.NDArray[np.bool_]]]:
    """Per field, the pairs that the other fields alone call one person, and those they call two people."""
    nik = levels[:, 0]
    name = levels[:, 1] // c.BIRTH_LEVELS
    birth = levels[:, 1] % c.BIRTH_LEVELS
    nik_same = (nik == c.NIK_SAME) | (nik == c.NIK_SAME_CONTRADICTED)
    description_same = ((name == c.NAME_SAME) | (name == c.NAME_SAME_WORDS)) & (birth == c.BIRTH_SAME)
    name_different = name == c.NAME_DIFFERENT
    # Two NIKs that fit their own records and differ cannot be one person's, short of a typo in the serial.
    nik_different = np.isin(nik, [c.NIK_DIFFERENT, c.NIK_ONE_DIGIT_DATE, c.NIK_ONE_DIGIT_REGION])
    # Across a whole country the same name and birth date also join strangers in other regions ("Hendra", born on a
    # given day, lives in many regencies): NIK's m is counted only on such pairs that also live near each other (the
    # same village or kecamatan), or its typos look far more common than they are. A NIK's typos do not depend on
    # where its holder lives, so this changes what is counted, not what it measures.
    village = levels[:, 3] % 4
    description_near = description_same & (village <= 1)
    both = nik_same & description_same
    # A relative's NIK typed by mistake gives one NIK to two people with unrelated names: such pairs must not teach
    # that one person's names may be unrelated, so m of the name and birth date counts only pairs with related names.
    related_names = nik_same & (name != c.NAME_DIFFERENT) & (name != c.NAME_WEAK)
    same = [description_near, related_names, both, both, both]
    different = [name_different, nik_different, name_different, name_different, name_different]
    return same, different


def _fit(counts: Floats, prior: Floats, missing: int | None) -> Floats:
    pseudo = prior.copy()
    counts = counts.copy()
    if missing is not None:
        counts[missing] = pseudo[missing] = 0
    return _normalise(counts + PRIOR_STRENGTH * pseudo, missing)


# Every combination of levels has a number, 0 .. COMBINATIONS - 1 (a few tens of thousands).
COMBINATIONS: Final = int(np.prod(FIELD_LEVELS))


def level_counts(levels: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """How many pairs have each combination of levels (pairs x fields -> COMBINATIONS counts).

    Everything the model is estimated from: counts of parts of the pairs add up to the counts of them all, so a
    cluster estimates exactly the model one process would (see cluster.py).
    """
    code = np.zeros(len(levels), dtype=np.int64)
    for f, size in enumerate(FIELD_LEVELS):
        code = code * size + levels[:, f]
    return np.bincount(code, minlength=COMBINATIONS).astype(np.int64)


def _combinations(counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int8], Floats]:
    """The combinations of levels that some pair has (as rows of levels) and how many pairs have each."""
    present = np.flatnonzero(counts)
    rows = np.empty((len(present), len(FIELD_LEVELS)), dtype=np.int8)
    rest = present.copy()
    for f in range(len(FIELD_LEVELS) - 1, -1, -1):
        rows[:, f] = rest % FIELD_LEVELS[f]
        rest //= FIELD_LEVELS[f]
    return rows, counts[present].astype(np.float64)


def estimate(levels: npt.NDArray[np.int8], *, iterations: int = 30) -> Model:
    """Estimate m, u and lambda from the candidate pairs' levels (pairs x fields)."""
    return estimate_from_counts(level_counts(levels), iterations=iterations)


def estimate_from_counts(counts: npt.NDArray[np.int64], *, iterations: int = 30) -> Model:
    """Estimate m, u and lambda from how many candidate pairs have each combination of levels (`level_counts`).

    Plain EM over all fields finds the largest coherent cluster of pairs, which in a dense registry is not "same
    person" but, say, "same birth day and serial in the next kecamatan". So each field's m is measured on the pairs
    that the other fields alone call one person, and its u on those they call two people (the conditional
    independence that Fellegi-Sunter assumes anyway); EM then only finds lambda. Both run over the distinct
    combinations of levels, each weighted by its number of pairs: the same sums, a few thousand terms instead of
    millions.
    """
    prior = prior_model()
    if not counts.any():
        return prior
    combinations, weights = _combinations(counts)
    same, different = _anchors(combinations)
    m, u = [], []
    for f, size in enumerate(FIELD_LEVELS):
        # Weighted by float counts, bincount gives floats (the stubs say integers).
        mc = np.asarray(np.bincount(combinations[same[f], f], weights=weights[same[f]], minlength=size), np.float64)
        uw = np.bincount(combinations[different[f], f], weights=weights[different[f]], minlength=size)
        uc = np.asarray(uw, dtype=np.float64)
        m.append(_fit(mc, prior.m[f], MISSING_LEVEL[f]))
        u.append(_fit(uc, prior.u[f], MISSING_LEVEL[f]))
    model = Model(tuple(m), tuple(u), PRIOR_LAMBDA)
    log_odds = model.log_odds(combinations)
    total = float(weights.sum())
    lam = PRIOR_LAMBDA
    for _ in range(iterations):
        prior_odds = np.log(lam) - np.log1p(-lam)
        g = 1.0 / (1.0 + np.exp(-(log_odds + prior_odds)))
        share = (float(g @ weights) + PRIOR_STRENGTH * PRIOR_LAMBDA) / (total + PRIOR_STRENGTH)
        lam = float(np.clip(share, 1e-6, 1 - 1e-6))
    return Model(tuple(m), tuple(u), lam)
