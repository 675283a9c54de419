"""Command line of the screening engine: ``screen link`` and ``screen dedupe`` on CSV files.

The Django command ``berdaya screen`` is a thin wrapper around ``main``; the engine also runs on its own as
``python -m berdaya.screening.engine``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import polars as pl

from berdaya.screening.engine import cluster as on_cluster
from berdaya.screening.engine.pipeline import DEFAULT_THRESHOLD, LINK_THRESHOLD, Matches
from berdaya.screening.engine.records import InputError, People, read_people

OUTPUT_COLUMNS = ("left_id", "right_id", "score", "reason", "left_name", "right_name")


class Stream(Protocol):
    """Where progress goes: sys.stderr, or a Django command's self.stderr."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class _Progress:
    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        self.stream.write(f"screen: {message}\n")
        self.stream.flush()


def _write(matches: Matches, a: People, b: People, out: Path) -> None:
    left = matches.left.tolist()
    right = matches.right.tolist()
    frame = pl.DataFrame(
        {
            "left_id": [a.ids[i] for i in left],
            "right_id": [b.ids[j] for j in right],
            "score": matches.score.round(4),
            "reason": matches.reasons,
            "left_name": [a.names[i] for i in left],
            "right_name": [b.names[j] for j in right],
        },
        schema={name: (pl.Float64 if name == "score" else pl.String) for name in OUTPUT_COLUMNS},
    )
    frame = frame.sort("score", descending=True, maintain_order=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out)


def run_link(
    nominees: str | Path,
    history: str | Path,
    out: str | Path,
    *,
    threshold: float = LINK_THRESHOLD,
    today: dt.date | None = None,
    stderr: Stream | None = None,
    cluster: str | None = None,
) -> Matches:
    """Write the pairs (nominee, history record) that are one person to ``out``; raise InputError on bad input.

    With `cluster` (a Dask scheduler address or ``local:N``) the work runs there, with the same result."""
    progress = _Progress(stderr or sys.stderr)
    on_cluster.parse_local(cluster or "")  # a mistyped local:N fails before the files are read
    a = read_people(nominees, today=today)
    b = read_people(history, today=today)
    progress(f"read {len(a):,} nominees and {len(b):,} history records")
    matches = on_cluster.link_on(cluster, a, b, threshold=threshold, progress=progress)
    _write(matches, a, b, Path(out))
    progress(f"wrote {len(matches.left):,} pairs to {out}")
    return matches


def run_dedupe(
    people: str | Path,
    out: str | Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    today: dt.date | None = None,
    stderr: Stream | None = None,
    cluster: str | None = None,
) -> Matches:
    """Write the pairs of records in one file that are one person to ``out``; raise InputError on bad input.

    With `cluster` (a Dask scheduler address or ``local:N``) the work runs there, with the same result."""
    progress = _Progress(stderr or sys.stderr)
    on_cluster.parse_local(cluster or "")
    a = read_people(people, today=today)
    progress(f"read {len(a):,} records")
    matches = on_cluster.dedupe_on(cluster, a, threshold=threshold, progress=progress)
    _write(matches, a, a, Path(out))
    progress(f"wrote {len(matches.left):,} pairs to {out}")
    return matches


def build_parser(prog: str = "screen") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Find people who are the same person in CSV lists.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``link`` and ``dedupe`` subcommands, shared with the Django management command."""
    sub = parser.add_subparsers(dest="mode", required=True)
    p_link = sub.add_parser("link", help="match nominees against the assistance history")
    p_link.add_argument("nominees", help="nominees CSV")
    p_link.add_argument("history", help="assistance history CSV")
    p_dedupe = sub.add_parser("dedupe", help="find duplicates inside one list")
    p_dedupe.add_argument("people", help="people CSV")
    for p, default in ((p_link, LINK_THRESHOLD), (p_dedupe, DEFAULT_THRESHOLD)):
        p.add_argument("--out", required=True, help="CSV file to write the matching pairs to")
        p.add_argument("--threshold", type=float, default=default, help="lowest match probability to report (0-1)")
        p.add_argument(
            "--cluster",
            metavar="ADDRESS",
            help="run on a Dask cluster: a scheduler address (tcp://host:8786) or local:N for N local workers",
        )


def execute(options: argparse.Namespace, *, stderr: Stream | None = None) -> int:
    """Run parsed options; the exit status (0 on success, 1 on bad input)."""
    err = stderr or sys.stderr
    try:
        if options.mode == "link":
            run_link(
                options.nominees,
                options.history,
                options.out,
                threshold=options.threshold,
                stderr=err,
                cluster=options.cluster,
            )
        else:
            run_dedupe(options.people, options.out, threshold=options.threshold, stderr=err, cluster=options.cluster)
    except (InputError, on_cluster.ClusterError) as error:
        err.write(f"screen: error: {error}\n")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    return execute(options)


if __name__ == "__main__":
    raise SystemExit(main())
