"""Screening benchmark: the engine and the exact-NIK baseline on synthetic lists of 10k, 100k and 1M records.

    python -m bench.screening.run --sizes 10k,100k,1M

For each size: generate (or reuse) the data, run every method in its own process through its command line, and
report pair precision, recall and F1, wall time and the process's peak memory (ru_maxrss from wait4) for dedupe
(size records) and link (size/2 nominees x size/2 history), plus nominee-level recall and precision of "already
aided" for link.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

METHODS = {
    "engine": [sys.executable, "-m", "berdaya.screening.engine"],
    "exact NIK": [sys.executable, "-m", "bench.screening.exact_nik"],
}


@dataclass
class Result:
    size: str
    mode: str
    method: str
    precision: float
    recall: float
    f1: float
    wall: float
    peak_mb: float
    cpu: float = 0.0
    nominee_recall: float | None = None
    nominee_precision: float | None = None


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def run_process(command: list[str]) -> tuple[float, float, float]:
    """Wall time, peak memory (MB) and CPU time (user + system, s) of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def truth_pairs(left_truth: Path, right_truth: Path | None) -> pl.DataFrame:
    left = pl.read_csv(left_truth, schema_overrides={"id": pl.String})
    if right_truth is None:
        pairs = left.join(left, on="person", suffix="_r").filter(pl.col("id") < pl.col("id_r"))
    else:
        pairs = left.join(pl.read_csv(right_truth, schema_overrides={"id": pl.String}), on="person", suffix="_r")
    return pairs.select(pl.col("id").alias("left_id"), pl.col("id_r").alias("right_id"))


def score(found: Path, truth: pl.DataFrame, dedupe: bool) -> tuple[float, float, float, pl.DataFrame]:
    got = pl.read_csv(found, schema_overrides={"left_id": pl.String, "right_id": pl.String}).select(
        "left_id", "right_id"
    )
    if dedupe:
        got = got.select(
            pl.min_horizontal("left_id", "right_id").alias("left_id"),
            pl.max_horizontal("left_id", "right_id").alias("right_id"),
        )
    got = got.unique()
    tp = got.join(truth, on=["left_id", "right_id"]).height
    precision = tp / got.height if got.height else 1.0
    recall = tp / truth.height if truth.height else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, got


def nominee_metrics(got: pl.DataFrame, truth: pl.DataFrame) -> tuple[float, float]:
    actual = set(truth["left_id"].to_list())
    flagged = set(got["left_id"].to_list())
    hit = len(actual & flagged)
    return (hit / len(actual) if actual else 1.0), (hit / len(flagged) if flagged else 1.0)


def bench_size(label: str, data_root: Path, methods: list[str], modes: list[str]) -> list[Result]:
    size = parse_size(label)
    folder = data_root / label
    if not (folder / "nominees_truth.csv").exists():
        started = time.perf_counter()
        # In its own process: a child's ru_maxrss starts from its parent's peak (Linux records the forked memory's
        # high-water mark at exec), so generating 1M records here would be charged to every method measured after.
        subprocess.run([sys.executable, "-m", "bench.screening.generate", str(size), str(folder)], check=True)
        print(f"generated {label} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    results = []
    for mode in modes:
        if mode == "dedupe":
            inputs = [folder / "dedupe.csv"]
            truth = truth_pairs(folder / "dedupe_truth.csv", None)
        else:
            inputs = [folder / "nominees.csv", folder / "history.csv"]
            truth = truth_pairs(folder / "nominees_truth.csv", folder / "history_truth.csv")
        for method in methods:
            out = folder / f"out-{mode}-{method.replace(' ', '_')}.csv"
            wall, peak, cpu = run_process([*METHODS[method], mode, *map(str, inputs), "--out", str(out)])
            precision, recall, f1, got = score(out, truth, mode == "dedupe")
            result = Result(label, mode, method, precision, recall, f1, wall, peak, cpu)
            if mode == "link":
                result.nominee_recall, result.nominee_precision = nominee_metrics(got, truth)
            print(format_row(result), flush=True)
            results.append(result)
    return results


HEADER = (
    "| size | mode | method | pair precision | pair recall | pair F1 | nominee recall | nominee precision | wall (s) "
    "| CPU (s) | peak RSS (MB) |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def format_row(r: Result) -> str:
    nominee = f"{r.nominee_recall:.4f} | {r.nominee_precision:.4f}" if r.nominee_recall is not None else "– | –"
    return (
        f"| {r.size} | {r.mode} | {r.method} | {r.precision:.4f} | {r.recall:.4f} | {r.f1:.4f} | {nominee} "
        f"| {r.wall:.1f} | {r.cpu:.1f} | {r.peak_mb:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", "/tmp/berdaya-bench")))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--modes", default="dedupe,link")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; data in {args.data}", file=sys.stderr)
    print(HEADER, flush=True)
    for label in args.sizes.split(","):
        bench_size(label, args.data, args.methods.split(","), args.modes.split(","))


if __name__ == "__main__":
    main()
