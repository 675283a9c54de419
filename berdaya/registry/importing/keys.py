"""Sets of 16-digit keys (NIKs, KK numbers) held as sorted NumPy arrays, so memory stays small in a large import."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
from django.db import connection


class KeySet:
    """A set of 16-digit keys (NIKs, KK numbers) as one sorted NumPy array: 8 bytes a key."""

    def __init__(self, keys: Any) -> None:
        self.keys = np.unique(np.asarray(keys, dtype=np.int64))

    @classmethod
    def of_column(cls, table: str, column: str) -> KeySet:
        chunks = []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")
            while rows := cursor.fetchmany(100_000):
                chunks.append(np.fromiter((int(key) for (key,) in rows), dtype=np.int64, count=len(rows)))
        return cls(np.concatenate(chunks) if chunks else [])

    def select(self, keys: Collection[str]) -> set[str]:
        """Those of `keys` in the set."""
        if not len(self.keys) or not keys:
            return set()
        keys = list(keys)
        numbers = np.fromiter(map(int, keys), dtype=np.int64, count=len(keys))
        found = self.keys[np.minimum(np.searchsorted(self.keys, numbers), len(self.keys) - 1)] == numbers
        return {key for key, hit in zip(keys, found.tolist(), strict=True) if hit}

    def add(self, keys: list[str]) -> None:
        if keys:
            new = np.unique(np.fromiter(map(int, keys), dtype=np.int64, count=len(keys)))
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, new), new)


class FirstSeen:
    """The keys (64-bit integers) met so far in a file, with the line and a value of the first row that had each.

    Sorted NumPy arrays, 24 bytes a key: a dict of Python ints would take about 100 bytes a key, 100 MB for a file of a
    million NIKs.
    """

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.lines = np.empty(0, dtype=np.int64)
        self.values = np.empty(0, dtype=np.int64)

    def first(self, keys: Any, lines: Any, values: Any) -> tuple[Any, Any]:
        """For each row of a batch (in line order), the line and value of the first row with its key; remember them."""
        order = np.argsort(keys, kind="stable")  # stable: of equal keys, the earliest line comes first
        ordered = keys[order]
        starts = np.ones(len(ordered), dtype=bool)
        starts[1:] = ordered[1:] != ordered[:-1]
        group = np.cumsum(starts) - 1  # for each row in key order, its distinct key
        unique, heads = ordered[starts], order[starts]
        position = np.searchsorted(self.keys, unique)
        found = np.zeros(len(unique), dtype=bool)
        if len(self.keys):
            clipped = np.minimum(position, len(self.keys) - 1)
            found = self.keys[clipped] == unique
            unique_lines = np.where(found, self.lines[clipped], lines[heads])
            unique_values = np.where(found, self.values[clipped], values[heads])
        else:
            unique_lines, unique_values = lines[heads], values[heads]
        first_lines, first_values = np.empty_like(lines), np.empty_like(values)
        first_lines[order], first_values[order] = unique_lines[group], unique_values[group]
        new = ~found
        self.keys = np.insert(self.keys, position[new], unique[new])
        self.lines = np.insert(self.lines, position[new], unique_lines[new])
        self.values = np.insert(self.values, position[new], unique_values[new])
        return first_lines, first_values
