"""The screening engine on a local Dask cluster of two worker processes finds what one process finds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench.screening.generate import generate
from berdaya.screening.engine import cluster, pipeline
from berdaya.screening.engine.blocking import KEY_BUILDERS
from berdaya.screening.engine.cli import main
from berdaya.screening.engine.records import People, read_people
from berdaya.screening.tests.test_engine import write

# One cluster for the module (starting two worker processes takes a second or two), on one xdist worker.
pytestmark = pytest.mark.xdist_group("screening-cluster")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with cluster.connect("local:2") as connected:
        yield connected


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 people spread over every regency of the country, some of whom moved; known truth."""
    folder = tmp_path_factory.mktemp("national")
    generate(3000, folder, seed=7, national=True, history=3000, nominees=600)
    return folder


def same(one: pipeline.Matches, many: pipeline.Matches) -> None:
    assert many.candidates == one.candidates
    assert np.array_equal(many.left, one.left)
    assert np.array_equal(many.right, one.right)
    assert np.array_equal(many.score, one.score)
    assert many.reasons == one.reasons


def test_dedupe_on_two_workers_finds_the_pairs_and_scores_of_one_process(client, national):
    people = read_people(national / "dedupe.csv")
    one = pipeline.dedupe(people)

    many = cluster.dedupe(client, people)

    assert len(one.left) > 300  # the file holds duplicates to find
    same(one, many)


def test_link_on_two_workers_finds_the_pairs_and_scores_of_one_process(client, national):
    nominees, history = read_people(national / "nominees.csv"), read_people(national / "history.csv")
    one = pipeline.link(nominees, history)

    many = cluster.link(client, nominees, history)

    assert len(one.left) > 100
    same(one, many)


def filler(count: int) -> list[list[str]]:
    """People of Paser (64.01) who are all different: other names, birth dates and NIKs."""
    rows = []
    for i in range(count):
        day, month = 1 + i % 28, 1 + (i // 28) % 12
        nik = f"640104{day:02d}{month:02d}80{i:04d}"
        rows.append(
            [f"F{i}", nik, f"Orang Nomor{i} Lain{i * 7}", f"1980-{month:02d}-{day:02d}", "L", "Tanah Grogot",
             "64.01.04.2001", ""]
        )  # fmt: skip
    return rows


def test_a_person_who_moved_to_another_province_is_found_on_the_cluster(client, tmp_path):
    # Registered in Paser (her NIK says 64.01.04), aided there, then nominated in Banjarmasin (63.71), with her name
    # spelled the old way and her NIK missing its last digit on the new list.
    aided = ["H1", "6401046503850002", "Siti Nurhayati", "1985-03-25", "P", "Tanah Grogot", "64.01.04.2001", ""]
    moved = ["N1", "640104650385000", "Siti Noerhajati", "25-03-1985", "P", "Tanah Grogot", "63.71.01.1001", ""]
    history = read_people(write(tmp_path / "history.csv", [aided, *filler(400)]))
    nominees = read_people(write(tmp_path / "nominees.csv", [moved, *filler(50)[1:]]))

    found = cluster.link(client, nominees, history)

    pairs = {(nominees.ids[i], history.ids[j]) for i, j in zip(found.left.tolist(), found.right.tolist(), strict=True)}
    assert ("N1", "H1") in pairs


def test_every_record_of_a_block_lands_in_one_shard(national):
    people: People = read_people(national / "dedupe.csv")
    shards = cluster._keys(people, KEY_BUILDERS.index(KEY_BUILDERS[1]), 5)

    keys_per_shard = [set(keys.tolist()) for _, keys in shards]

    assert sum(len(keys) for _, keys in shards) == len(KEY_BUILDERS[1](people)[1])  # nothing lost
    assert all(not (a & b) for i, a in enumerate(keys_per_shard) for b in keys_per_shard[i + 1 :])


def test_the_command_line_writes_the_same_file_on_a_cluster(national, tmp_path):
    alone, spread = tmp_path / "alone.csv", tmp_path / "spread.csv"

    assert main(["dedupe", str(national / "dedupe.csv"), "--out", str(alone)]) == 0
    assert main(["dedupe", str(national / "dedupe.csv"), "--out", str(spread), "--cluster", "local:2"]) == 0

    assert spread.read_bytes() == alone.read_bytes()


def test_a_mistyped_local_cluster_is_refused_before_any_work(national, tmp_path, capsys):
    status = main(["dedupe", str(national / "dedupe.csv"), "--out", str(tmp_path / "x.csv"), "--cluster", "local:two"])

    assert status == 1
    assert "local:N" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_partitions_grow_with_the_rows_and_the_workers():
    assert cluster.partitions_for(1_000, 2) == 4
    assert cluster.partitions_for(10_000_000, 2) == 20


def test_the_project_command_passes_the_cluster_on(national, tmp_path):
    out = tmp_path / "pairs.csv"
    alone = tmp_path / "alone.csv"
    main(["link", str(national / "nominees.csv"), str(national / "history.csv"), "--out", str(alone)])

    call_command(
        "screen", "link", str(national / "nominees.csv"), str(national / "history.csv"), "--out", str(out),
        "--cluster", "local:1",
    )  # fmt: skip

    assert out.read_bytes() == alone.read_bytes()


def test_the_project_command_refuses_a_mistyped_cluster(national, tmp_path):
    with pytest.raises(CommandError, match="local:N"):
        call_command(
            "screen", "dedupe", str(national / "dedupe.csv"), "--out", str(tmp_path / "x.csv"), "--cluster", "local:0"
        )


def test_a_run_smaller_than_the_minimum_stays_in_process(national):
    people = read_people(national / "dedupe.csv")

    # Nothing listens on this address: reaching for it would fail after its 30 s timeout.
    found = cluster.dedupe_on("tcp://127.0.0.1:9", people, min_records=len(people) + 1)

    same(pipeline.dedupe(people), found)


def test_a_scheduler_that_does_not_answer_is_a_clear_error():
    with pytest.raises(cluster.ClusterError, match="no Dask scheduler answers there"):  # noqa: SIM117
        with cluster.connect("tcp://127.0.0.1:9", timeout="1s"):
            pass
