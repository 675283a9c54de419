"""Screening at nation scale: dedupe 10M records and link 1M nominees x 10M history, on one process and on a cluster.

    python -m bench.screening.scale                                  # 10M, one process and local:2
    python -m bench.screening.scale --size 1M --history 1M --nominees 100k --clusters none,local:2

The data is the generator's national mode (people in every regency, some registered or living in another province),
made once into $BENCH_DATA/<size>-national. Each run is the engine's own command line in its own process; a row
gives wall and CPU time (the command and its worker processes), quality against the truth, and memory: for one
process its peak resident set; on a cluster the client's peak plus every worker's (their sum is what the machines
held at most, an upper bound since the peaks need not coincide).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.screening.run import nominee_metrics, parse_size, score, truth_pairs

ENGINE = [sys.executable, "-m", "berdaya.screening.engine"]
PEAKS = re.compile(r"peak memory: client ([\d,]+) MB; workers (.*)$", re.MULTILINE)


@dataclass
class Row:
    mode: str
    where: str
    records: str
    wall: float
    cpu: float
    memory: str
    total_mb: int
    candidates: str
    precision: float
    recall: float
    f1: float
    nominee_recall: float | None = None
    nominee_precision: float | None = None

    def markdown(self) -> str:
        nominees = (
            f"{self.nominee_recall:.4f} | {self.nominee_precision:.4f}" if self.nominee_recall is not None else "– | –"
        )
        return (
            f"| {self.mode} | {self.records} | {self.where} | {self.wall:.0f} | {self.cpu:.0f} | {self.memory} | "
            f"{self.total_mb:,} | {self.candidates} | {self.precision:.4f} | {self.recall:.4f} | {self.f1:.4f} | "
            f"{nominees} |"
        )


HEADER = (
    "| mode | records | where | wall (s) | CPU (s) | peak memory (MB) | total (MB) | candidate pairs "
    "| pair precision | pair recall | pair F1 | nominee recall | nominee precision |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def run(command: list[str]) -> tuple[float, float, int, str]:
    """Wall time, CPU time of the command and its children, its own peak memory (MB) and its stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    stderr = process.stderr.read() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    # wait4 counts the command and the children it reaped, a local cluster's workers among them; for memory it gives
    # the largest one alone, so a cluster's memory is read from the command's own report (see `memory`).
    return wall, usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss / 1024), stderr


def memory(stderr: str, own_mb: int) -> tuple[str, int]:
    found = PEAKS.search(stderr)
    if found is None:
        return f"{own_mb:,}", own_mb
    client = int(found.group(1).replace(",", ""))
    workers = [int(w.replace(",", "").removesuffix(" MB")) for w in found.group(2).split(", ")]
    text = f"client {client:,}; workers " + " + ".join(f"{w:,}" for w in workers)
    return text, client + sum(workers)


def candidates(stderr: str) -> str:
    found = re.search(r"([\d,]+) candidate pairs", stderr)
    return found.group(1) if found else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="10M", help="dedupe records")
    parser.add_argument("--history", default=None, help="history records to link against (default: --size)")
    parser.add_argument("--nominees", default=None, help="nominees to link (default: a tenth of --history)")
    parser.add_argument("--clusters", default="none,local:2", help="'none' for one process, or cluster addresses")
    parser.add_argument("--modes", default="dedupe,link")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", "/tmp/berdaya-bench")))
    args = parser.parse_args()
    size = parse_size(args.size)
    history = parse_size(args.history or args.size)
    nominees = parse_size(args.nominees) if args.nominees else history // 10
    folder = args.data / f"{args.size}-national"
    if not (folder / "nominees_truth.csv").exists():
        started = time.perf_counter()
        generate = [sys.executable, "-m", "bench.screening.generate", str(size), str(folder), "--national"]
        subprocess.run([*generate, "--history", str(history), "--nominees", str(nominees)], check=True)
        print(f"generated {folder} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    print(HEADER, flush=True)
    for mode in args.modes.split(","):
        if mode == "dedupe":
            inputs, records = [folder / "dedupe.csv"], f"{size:,}"
            truth = truth_pairs(folder / "dedupe_truth.csv", None)
        else:
            inputs, records = [folder / "nominees.csv", folder / "history.csv"], f"{nominees:,} × {history:,}"
            truth = truth_pairs(folder / "nominees_truth.csv", folder / "history_truth.csv")
        for where in args.clusters.split(","):
            out = folder / f"out-{mode}-{where.replace(':', '')}.csv"
            command = [*ENGINE, mode, *map(str, inputs), "--out", str(out)]
            if where != "none":
                command += ["--cluster", where]
            wall, cpu, own_mb, stderr = run(command)
            mem_text, total = memory(stderr, own_mb)
            precision, recall, f1, got = score(out, truth, mode == "dedupe")
            row = Row(mode, "one process" if where == "none" else where, records, wall, cpu, mem_text, total,
                      candidates(stderr), precision, recall, f1)  # fmt: skip
            if mode == "link":
                row.nominee_recall, row.nominee_precision = nominee_metrics(got, truth)
            print(row.markdown(), flush=True)
            print(stderr, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
