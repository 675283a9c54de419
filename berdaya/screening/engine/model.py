"""A Fellegi-Sunter match model whose m and u probabilities are estimated from the data by EM.

For every field, m[level] is the chance of that level when the two records are one person and u[level] when they
are two people. A pair's evidence is the product over fields of m/u; with the share of true pairs among the
candidates (lambda) it gives the probability that the pair is one person. EM finds m, u and lambda that best explain
the candidate pairs, starting from the priors below and pulled towards them (a Dirichlet prior) so that a field
with few informative pairs keeps sensible weights. Pairs with the same levels in every field share one posterior,
so EM runs on the distinct patterns (a few thousand) rather than the millions of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from berdaya.screening.engine.compare import FIELD_LEVELS, MISSING_LEVEL

Floats = npt.NDArray[np.float64]

# Prior m and u per field and level, in the order of compare.FIELDS and its level constants. They encode how data
# entry goes wrong, not any one data set: EM moves them to fit the data at hand.
PRIOR_M: Final = (
    (0.70, 0.01, 0.03, 0.03, 0.01, 0.01, 0.01, 0.03, 0.03, 0.04, 1.0),  # NIK
    (0.85, 0.06, 0.03, 0.06, 1.0),  # birth date
    (0.60, 0.08, 0.15, 0.07, 0.05, 0.03, 0.02, 1.0),  # name
    (0.97, 0.03, 1.0),  # sex
    (0.40, 0.05, 0.02, 0.03, 0.25, 0.05, 0.02, 0.03, 0.10, 0.02, 0.01, 0.02),  # KK x village
    (0.80, 0.10, 0.10, 1.0),  # birth place
)
PRIOR_U: Final = (
    (0.001, 0.005, 0.001, 0.002, 0.05, 0.05, 0.05, 0.01, 0.20, 0.631, 1.0),
    (0.20, 0.10, 0.05, 0.65, 1.0),
    (0.05, 0.01, 0.04, 0.05, 0.10, 0.20, 0.55, 1.0),
    (0.50, 0.50, 1.0),
    (0.10, 0.02, 0.01, 0.02, 0.15, 0.15, 0.15, 0.05, 0.15, 0.10, 0.08, 0.02),
    (0.30, 0.10, 0.60, 1.0),
)
PRIOR_LAMBDA: Final = 0.2
PRIOR_STRENGTH: Final = 200.0  # pseudo-pairs per class behind the prior
# Fields whose agreement defines the latent "same person" class. The household and village comparison is left out:
# relatives share it, and with it in, EM would happily learn "same household" instead of "same person". Its m and u
# are then measured against the classes the other fields found.
EM_FIELDS: Final = (0, 1, 2, 3, 5)


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


def estimate(levels: npt.NDArray[np.int8], *, iterations: int = 40) -> Model:
    """EM on the candidate pairs' levels (pairs x fields)."""
    model = prior_model()
    if len(levels) == 0:
        return model
    radix = np.array(FIELD_LEVELS, dtype=np.int64)
    code = np.zeros(len(levels), dtype=np.int64)
    for f in range(levels.shape[1]):
        code = code * radix[f] + levels[:, f]
    patterns, counts = np.unique(code, return_counts=True)
    pattern_levels = np.zeros((len(patterns), levels.shape[1]), dtype=np.int64)
    rest = patterns.copy()
    for f in range(levels.shape[1] - 1, -1, -1):
        pattern_levels[:, f] = rest % radix[f]
        rest //= radix[f]
    weights = counts.astype(np.float64)
    prior = prior_model()
    for iteration in range(iterations + 1):
        g = model.probability(pattern_levels.astype(np.int8), EM_FIELDS)
        matched = weights * g
        unmatched = weights * (1 - g)
        new_m, new_u = [], []
        for f, size in enumerate(FIELD_LEVELS):
            if f not in EM_FIELDS and iteration < iterations:
                new_m.append(model.m[f])
                new_u.append(model.u[f])
                continue
            mc = np.bincount(pattern_levels[:, f], weights=matched, minlength=size).astype(np.float64)
            uc = np.bincount(pattern_levels[:, f], weights=unmatched, minlength=size).astype(np.float64)
            missing = MISSING_LEVEL[f]
            pseudo_m, pseudo_u = prior.m[f].copy(), prior.u[f].copy()
            if missing is not None:
                mc[missing] = uc[missing] = pseudo_m[missing] = pseudo_u[missing] = 0
            mc += PRIOR_STRENGTH * pseudo_m
            uc += PRIOR_STRENGTH * pseudo_u
            new_m.append(_normalise(mc, missing))
            new_u.append(_normalise(uc, missing))
        lam = (matched.sum() + PRIOR_STRENGTH * PRIOR_LAMBDA) / (weights.sum() + PRIOR_STRENGTH)
        lam = float(np.clip(lam, 1e-6, 1 - 1e-6))
        model = Model(tuple(new_m), tuple(new_u), lam)
    return model
