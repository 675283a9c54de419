"""The baseline: two records are one person when their NIKs, stripped of spreadsheet damage, are equal."""

from __future__ import annotations

import argparse

import polars as pl


def _clean(path: str) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False).select("id", "nik")
    nik = pl.col("nik").fill_null("").str.strip_chars().str.strip_chars_start("'").str.replace(r"\.0$", "")
    return frame.with_columns(nik).filter(pl.col("nik").str.contains(r"^[0-9]{16}$"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["link", "dedupe"])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    left = _clean(args.files[0])
    if args.mode == "link":
        pairs = left.join(_clean(args.files[1]), on="nik", suffix="_r")
    else:
        pairs = left.join(left, on="nik", suffix="_r").filter(pl.col("id") < pl.col("id_r"))
    pairs.select(
        pl.col("id").alias("left_id"),
        pl.col("id_r").alias("right_id"),
        pl.lit(1.0).alias("score"),
        pl.lit("same NIK").alias("reason"),
    ).write_csv(args.out)


if __name__ == "__main__":
    main()
