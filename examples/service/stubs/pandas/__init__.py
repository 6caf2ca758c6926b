"""Stub of `pandas`: a DataFrame of records that can be sorted and written as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import stubtrace

stubtrace.imported("pandas")


class DataFrame:
    def __init__(self, data: Iterable[Mapping[str, Any]], columns: list[str]) -> None:
        self.columns = list(columns)
        self._rows: list[list[Any]] = [[record.get(c) for c in self.columns] for record in data]

    def sort_values(self, by: str) -> DataFrame:
        key = self.columns.index(by)
        frame = DataFrame([], self.columns)
        frame._rows = sorted(self._rows, key=lambda row: row[key])
        return frame

    def to_csv(self, index: bool = True) -> str:
        assert not index, "the stub writes no index column"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self._rows)
        return out.getvalue()
