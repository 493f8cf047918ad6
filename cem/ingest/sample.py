"""The sample of an upload: its first rows, column by column, values as text (blank: None).

Detection, the mapping and the data-health check read only the sample. It is a plain
column-to-list structure, so importing a file from the command line never loads pandas
(about a third of a second of start-up); the page turns it into a frame to show it.

Functions that read a sample use only ``sample.columns``, ``sample[column]`` (iterated),
``len(sample)`` and ``column in sample``: a pandas ``DataFrame`` of text works with them too.

>>> sample = Sample.from_rows(["Date", "NPS"], [["2024-03-01", "9"], ["2024-03-02", None]])
>>> sample.columns, len(sample), sample["NPS"]
(['Date', 'NPS'], 2, ['9', None])
>>> sample.head(1)["Date"], "NPS" in sample, sample.empty
(['2024-03-01'], True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads only when a frame is asked for (the page)
    import pandas as pd


class Sample:
    """The first rows of a file: ``columns`` in order, each a list of values (text or
    None), all of the same length."""

    def __init__(self, columns: Sequence[str], data: dict[str, list[Any]] | None = None) -> None:
        self.columns = list(columns)
        data = data or {}
        self._data = {c: list(data.get(c, [])) for c in self.columns}

    @classmethod
    def from_rows(cls, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Sample:
        """A sample from rows (each with one value per column)."""
        rows = list(rows)
        return cls(columns, {c: [r[k] for r in rows] for k, c in enumerate(columns)})

    def __getitem__(self, column: str) -> list[Any]:
        return self._data[column]

    def __setitem__(self, column: str, values: Iterable[Any]) -> None:
        if column not in self._data:
            self.columns.append(column)
        self._data[column] = list(values)

    def __contains__(self, column: object) -> bool:
        return column in self._data

    def __len__(self) -> int:
        return len(self._data[self.columns[0]]) if self.columns else 0

    @property
    def empty(self) -> bool:
        """No rows (or no columns)."""
        return len(self) == 0

    def head(self, rows: int) -> Sample:
        """The first ``rows`` rows."""
        return Sample(self.columns, {c: v[:rows] for c, v in self._data.items()})

    def cells(self) -> set[Any]:
        """Every distinct value of the sample."""
        return {v for values in self._data.values() for v in values}

    def to_frame(self) -> pd.DataFrame:
        """The sample as a frame of objects (for display)."""
        import pandas as pd

        return pd.DataFrame({c: pd.Series(self._data[c], dtype=object) for c in self.columns})
