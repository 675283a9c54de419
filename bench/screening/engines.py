"""Which distributed engine: the same partitioned screening on Dask, Ray and Spark, side by side.

    python -m bench.screening.engines /tmp/berdaya-bench/1M-national/dedupe.csv --engines dask,ray,spark

Each engine runs the stages of berdaya/screening/engine/cluster.py unchanged (keys cut into shards, pairs cut by
left row, comparisons per partition, one model from the summed level counts, scores per partition) on a local
cluster of two worker processes, and must give exactly the single process's pairs and scores. Ray and Spark are not
project dependencies: run this with an interpreter that has them (`pip install ray pyspark` in a scratch venv, with
PYTHONPATH pointing at the project); an engine that is missing is reported as such. The figures and the choice are
in docs/scaling.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from berdaya.screening.engine import cluster as k
from berdaya.screening.engine import pipeline
from berdaya.screening.engine.blocking import KEY_BUILDERS
from berdaya.screening.engine.model import estimate_from_counts
from berdaya.screening.engine.records import People, read_people

WORKERS = 2
Result = tuple[np.ndarray, np.ndarray, np.ndarray]


def plan(people: People) -> tuple[int, int, list[int]]:
    parts = k.partitions_for(len(people), WORKERS)
    return parts, max(len(people), 1), [len(people) * p // parts for p in range(parts + 1)]


def finish(kept: list[k._Kept]) -> Result:
    return (
        np.concatenate([x.left for x in kept]),
        np.concatenate([x.right for x in kept]),
        np.concatenate([x.score for x in kept]),
    )


def pick(items: list[object], index: int) -> object:
    """items[index], as a function (Ray's remote wants a Python function, not a builtin)."""
    return items[index]


def compare_pieces(people: People, width: int, *pieces: np.ndarray) -> k._Compared:
    """cluster._compare with the pieces as separate arguments: Ray resolves the object references of arguments only."""
    return k._compare(people, people, width, list(pieces))


def on_dask(people: People) -> Result:
    with k.connect(f"local:{WORKERS}") as client:
        started = time.perf_counter()
        found = k.dedupe(client, people)
        print(f"  dask: {time.perf_counter() - started:.1f}s without starting the cluster", file=sys.stderr)
    return found.left, found.right, found.score


def on_ray(people: People) -> Result:
    import ray  # optional: only this comparison uses it

    ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False)
    try:
        started = time.perf_counter()
        parts, width, bounds = plan(people)
        keys = ray.remote(k._keys)
        pairs = ray.remote(num_returns=parts)(k._pairs)
        compare, counts, score = ray.remote(compare_pieces), ray.remote(k._counts), ray.remote(k._score)
        select = ray.remote(pick)
        data = ray.put(k._slim(people))
        pieces: list[list[object]] = [[] for _ in range(parts)]
        for builder in range(len(KEY_BUILDERS)):
            shards = keys.remote(data, builder, parts)
            for shard in range(parts):
                cut = pairs.remote(select.remote(shards, shard), None, width=width, row_bounds=bounds, max_block=60)
                for p in range(parts):
                    pieces[p].append(cut[p] if parts > 1 else cut)
        compared = [compare.remote(data, width, *pieces[p]) for p in range(parts)]
        counted = ray.get([counts.remote(c) for c in compared])
        model = estimate_from_counts(np.sum([n for _, n in counted], axis=0))
        kept = ray.get([score.remote(c, model, pipeline.DEFAULT_THRESHOLD) for c in compared])
        print(f"  ray: {time.perf_counter() - started:.1f}s without starting the cluster", file=sys.stderr)
        return finish(kept)
    finally:
        ray.shutdown()


def on_spark(people: People) -> Result:
    from pyspark import SparkConf, SparkContext  # optional: only this comparison uses it

    # local[N]: one executor running N tasks at once, each in its own Python worker process.
    conf = SparkConf().setMaster(f"local[{WORKERS}]").setAppName("berdaya-screening")
    conf = conf.set("spark.driver.memory", "4g").set("spark.ui.enabled", "false")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the Python workers need this interpreter's packages
    sc = SparkContext(conf=conf)
    try:
        started = time.perf_counter()
        parts, width, bounds = plan(people)
        data = sc.broadcast(k._slim(people))
        builders = sc.parallelize(range(len(KEY_BUILDERS)), len(KEY_BUILDERS))

        def shards(builder: int) -> list[tuple[tuple[int, int], tuple[np.ndarray, np.ndarray]]]:
            return [((builder, s), keys) for s, keys in enumerate(k._keys(data.value, builder, parts))]

        def cut(item: tuple[tuple[int, int], tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, np.ndarray]]:
            return list(enumerate(k._pairs(item[1], None, width=width, row_bounds=bounds, max_block=60)))

        # Keys built once per builder, their shards spread over the tasks, pairs cut by partition and grouped there.
        tasks = builders.flatMap(shards).repartition(WORKERS * 4)
        grouped = tasks.flatMap(cut).groupByKey(parts).mapValues(list)
        compared = grouped.mapValues(lambda pieces: k._compare(data.value, data.value, width, pieces)).cache()
        counted = compared.mapValues(k._counts).values().collect()
        model = estimate_from_counts(np.sum([n for _, n in counted], axis=0))
        kept = compared.mapValues(lambda c: k._score(c, model, pipeline.DEFAULT_THRESHOLD)).sortByKey().values()
        result = finish(kept.collect())
        print(f"  spark: {time.perf_counter() - started:.1f}s without starting the cluster", file=sys.stderr)
        return result
    finally:
        sc.stop()


ENGINES: dict[str, Callable[[People], Result]] = {"dask": on_dask, "ray": on_ray, "spark": on_spark}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("people", type=Path)
    parser.add_argument("--engines", default="dask,ray,spark")
    args = parser.parse_args()
    people = read_people(args.people)
    started = time.perf_counter()
    one = pipeline.dedupe(people)
    print(f"| one process | {time.perf_counter() - started:.1f} | {len(one.left):,} | – |", flush=True)
    for name in args.engines.split(","):
        started = time.perf_counter()
        try:
            left, right, score = ENGINES[name](people)
        except ImportError as error:
            print(f"| {name} | not installed ({error}) | | |", flush=True)
            continue
        wall = time.perf_counter() - started
        identical = (
            np.array_equal(left, one.left) and np.array_equal(right, one.right) and np.array_equal(score, one.score)
        )
        print(f"| {name} (local, {WORKERS} workers) | {wall:.1f} | {len(left):,} | {identical} |", flush=True)


if __name__ == "__main__":
    main()
