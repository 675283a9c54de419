"""The screening engine on a Dask cluster: the same pairs and scores as one process, on several machines.

One process holds every record, every candidate pair and its comparison at once; at the nation's size that is more
than one machine has. Here the work is cut so that no worker needs all of it, and nothing is decided differently:

1. **Blocking keys** are built per key builder (blocking.KEY_BUILDERS) and cut into shards by a hash of the key.
   Every record that shares a key lands in the same shard, so a shard's blocks are the whole blocks: the same
   pairs, and the same blocks skipped for being too large (max_block), as one process finds.
2. **Candidate pairs** of each shard are cut by the left record's row into contiguous ranges (partitions) and sent
   to the worker that compares that range, which drops the repeats (a pair found by several keys).
3. **Comparisons** run per partition, where the pairs are; only the count of pairs per combination of levels goes
   back to the client (model.level_counts: a few tens of thousands of integers).
4. **The model** is estimated once, by the client, from the sum of those counts: exactly the counts one process
   would have, so exactly its model (model.estimate_from_counts).
5. **Scores** are computed per partition with that model; only the pairs at or above the threshold come back, in
   the order of the partitions, which is the single process's order (pairs sorted by left row, then right row).

Nothing is partitioned by region: people move, and a NIK's prefix is where its holder was first registered, so a
true pair may hold records of two provinces. Blocks are keyed by what the two records share (a NIK, a name with a
birth date...), never by where they are, so such a pair is found wherever its records live.

The workers need the engine's code (this package) and the records' columns, which the client reads and sends once
to every worker without the ids and names (the client alone writes the reasons). ``local:N`` starts N worker
processes on this machine (the tests use it); any other address is a running Dask scheduler.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import operator
import resource
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from berdaya.screening.engine import compare as c
from berdaya.screening.engine import pipeline
from berdaya.screening.engine.blocking import KEY_BUILDERS, Keys, pairs_across, pairs_within
from berdaya.screening.engine.model import Model, estimate_from_counts, level_counts
from berdaya.screening.engine.pipeline import DEFAULT_THRESHOLD, LINK_THRESHOLD, Matches, Progress, _quiet, explain
from berdaya.screening.engine.records import Int64s, People

LOCAL_PREFIX: Final = "local:"
# Rows per partition: a partition's candidate pairs and their comparison stay well under a gigabyte.
ROWS_PER_PARTITION: Final = 500_000
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)


class ClusterError(ValueError):
    """A cluster address that cannot be used, with what to write instead."""


def parse_local(address: str) -> int | None:
    """The number of workers of a ``local:N`` address; None for a scheduler address."""
    if not address.startswith(LOCAL_PREFIX):
        return None
    count = address.removeprefix(LOCAL_PREFIX)
    if not count.isdigit() or int(count) < 1:
        raise ClusterError(f"{address!r}: a local cluster is written local:N, N the number of workers (1 or more)")
    return int(count)


@contextlib.contextmanager
def connect(address: str, *, timeout: str = "30s") -> Iterator[Any]:
    """A Dask client of the cluster at `address` (a scheduler address, or ``local:N``); closed on leaving."""
    from distributed import Client, LocalCluster  # only a cluster run pays for importing Dask

    workers = parse_local(address)
    if workers is None:
        try:
            client = Client(address, timeout=timeout)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterError(
                f"{address!r}: no Dask scheduler answers there ({error}); start one with `dask scheduler`, "
                "or write local:N for N workers on this machine"
            ) from None
        with client:
            yield client
        return
    # One thread per worker process: the engine's kernels are NumPy and rapidfuzz, which use the cores themselves.
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            # The scheduler serves HTTP (health, metrics) whatever the dashboard: on a free port, not 8787, so that
            # two local clusters can run side by side.
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def _slim(people: People) -> People:
    """The columns the workers compare, without the ids and names (the client alone needs those)."""
    return dataclasses.replace(people, ids=[], names=[])


def _shard_of(keys: Int64s, shards: int) -> npt.NDArray[np.intp]:
    mixed = keys.astype(np.uint64) * _GOLDEN
    return np.asarray((mixed >> np.uint64(40)) % np.uint64(shards), dtype=np.intp)


def _keys(people: People, builder: int, shards: int) -> list[Keys]:
    """One key builder's (row, key) pairs cut into shards by key: a block never spans two shards."""
    rows, keys = KEY_BUILDERS[builder](people)
    shard = _shard_of(keys, shards)
    order = np.argsort(shard, kind="stable")
    bounds = np.searchsorted(shard[order], np.arange(shards + 1))
    return [(rows[order[s:e]], keys[order[s:e]]) for s, e in zip(bounds[:-1], bounds[1:], strict=True)]


def _pairs(left: Keys, right: Keys | None, *, width: int, row_bounds: Sequence[int], max_block: int) -> list[Int64s]:
    """One shard's candidate pairs as codes (left row x width + right row), cut by the left row's partition."""
    a, b = pairs_within(left[0], left[1], max_block) if right is None else pairs_across(left, right, max_block)
    codes = np.sort(a * width + b)
    cuts = np.searchsorted(codes, np.asarray(row_bounds, dtype=np.int64) * width)
    return [codes[s:e] for s, e in zip(cuts[:-1], cuts[1:], strict=True)]


@dataclasses.dataclass(frozen=True)
class _Compared:
    """One partition's distinct candidate pairs and their comparison, kept on the worker that made them."""

    left: Int64s
    right: Int64s
    levels: npt.NDArray[np.int8]
    similarity: npt.NDArray[np.float32]


def _compare(a: People, b: People, width: int, pieces: list[Int64s]) -> _Compared:
    codes = np.sort(np.concatenate(pieces)) if pieces else np.zeros(0, dtype=np.int64)
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes
    li, ri = codes // width, codes % width
    comparison = c.compare(a, b, li, ri)
    return _Compared(li, ri, comparison.levels, comparison.name_similarity)


def _counts(compared: _Compared) -> tuple[int, npt.NDArray[np.int64]]:
    return len(compared.left), level_counts(compared.levels)


@dataclasses.dataclass(frozen=True)
class _Kept(_Compared):
    """A partition's pairs at or above the threshold, with their scores."""

    score: npt.NDArray[np.float64]


def _score(compared: _Compared, model: Model, threshold: float) -> _Kept:
    """The pairs at or above the threshold, with their levels and name similarity for the reasons."""
    score = model.probability(compared.levels)
    keep = np.flatnonzero(score >= threshold)
    return _Kept(
        compared.left[keep], compared.right[keep], compared.levels[keep], compared.similarity[keep], score[keep]
    )


def _peak_rss_mb() -> int:
    """This process's peak resident memory in MB.

    VmHWM where Linux has it: ru_maxrss of a process started by fork and exec begins at its parent's peak (the
    kernel keeps the forked copy's high-water mark), so a local worker would report the client's memory as its own.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def partitions_for(rows: int, workers: int) -> int:
    """How many row ranges to cut the left side into: at least two per worker, and small enough to compare."""
    return max(2 * workers, -(-rows // ROWS_PER_PARTITION), 1)


def _match(
    client: Any, a: People, b: People | None, *, threshold: float, progress: Progress, max_block: int = 60
) -> Matches:
    started = time.perf_counter()

    def say(message: str) -> None:
        progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    workers = max(len(client.scheduler_info()["workers"]), 1)
    other = a if b is None else b
    width = max(len(other), 1)
    parts = partitions_for(len(a), workers)
    shards = parts
    row_bounds = [len(a) * p // parts for p in range(parts + 1)]
    left_data = client.scatter(_slim(a), broadcast=True)
    right_data = left_data if b is None else client.scatter(_slim(b), broadcast=True)
    say(f"records sent to {workers} workers; {parts} partitions")

    pieces: list[list[Any]] = [[] for _ in range(parts)]
    for builder in range(len(KEY_BUILDERS)):
        left_keys = client.submit(_keys, left_data, builder, shards, pure=False)
        right_keys = None if b is None else client.submit(_keys, right_data, builder, shards, pure=False)
        for shard in range(shards):
            lk = client.submit(operator.getitem, left_keys, shard, pure=False)
            rk = None if right_keys is None else client.submit(operator.getitem, right_keys, shard, pure=False)
            cut = client.submit(_pairs, lk, rk, width=width, row_bounds=row_bounds, max_block=max_block, pure=False)
            for p in range(parts):
                pieces[p].append(client.submit(operator.getitem, cut, p, pure=False))
    compared = [client.submit(_compare, left_data, right_data, width, pieces[p], pure=False) for p in range(parts)]
    counted = client.gather([client.submit(_counts, part, pure=False) for part in compared])
    candidates = sum(n for n, _ in counted)
    say(f"{candidates:,} candidate pairs compared")
    model = estimate_from_counts(np.sum([counts for _, counts in counted], axis=0))
    kept: list[_Kept] = client.gather([client.submit(_score, part, model, threshold, pure=False) for part in compared])
    # Partitions are ranges of left rows in order, each sorted: together, the single process's order.
    left = np.concatenate([k.left for k in kept])
    right = np.concatenate([k.right for k in kept])
    levels = np.concatenate([k.levels for k in kept])
    similarity = np.concatenate([k.similarity for k in kept])
    score = np.concatenate([k.score for k in kept])
    say(f"model estimated (share of true pairs {model.lam:.3f}); {len(left):,} pairs at or above {threshold}")
    comparison = c.Comparison(left, right, levels, similarity, np.full(len(left), -1, dtype=np.int8))
    reasons = explain(a, other, comparison, np.arange(len(left)))
    peaks = client.run(_peak_rss_mb)
    say(
        "peak memory: client "
        + f"{_peak_rss_mb():,} MB; workers "
        + ", ".join(f"{peaks[w]:,} MB" for w in sorted(peaks))
    )
    return Matches(left, right, score, reasons, candidates, model)


def link(
    client: Any,
    nominees: People,
    history: People,
    *,
    threshold: float = LINK_THRESHOLD,
    progress: Progress = _quiet,
) -> Matches:
    """pipeline.link on the cluster of `client`: the same pairs, scores and reasons."""
    return _match(client, nominees, history, threshold=threshold, progress=progress)


def dedupe(
    client: Any, people: People, *, threshold: float = DEFAULT_THRESHOLD, progress: Progress = _quiet
) -> Matches:
    """pipeline.dedupe on the cluster of `client`: the same pairs, scores and reasons."""
    return _match(client, people, None, threshold=threshold, progress=progress)


def link_on(
    address: str | None,
    nominees: People,
    history: People,
    *,
    threshold: float = LINK_THRESHOLD,
    progress: Progress = _quiet,
    min_records: int = 0,
) -> Matches:
    """pipeline.link, on the cluster at `address` (a scheduler or ``local:N``) when one is given and the two lists
    hold at least `min_records` records (below, sending them costs more than it saves): the same result."""
    if not address or len(nominees) + len(history) < min_records:
        return pipeline.link(nominees, history, threshold=threshold, progress=progress)
    with connect(address) as client:
        return link(client, nominees, history, threshold=threshold, progress=progress)


def dedupe_on(
    address: str | None,
    people: People,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress = _quiet,
    min_records: int = 0,
) -> Matches:
    """pipeline.dedupe, on the cluster at `address` (a scheduler or ``local:N``) when one is given and the list holds
    at least `min_records` records: the same result."""
    if not address or len(people) < min_records:
        return pipeline.dedupe(people, threshold=threshold, progress=progress)
    with connect(address) as client:
        return dedupe(client, people, threshold=threshold, progress=progress)
