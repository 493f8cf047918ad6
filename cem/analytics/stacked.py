"""Several small results of one query: tables stacked one below the other, and apart again.

A page often needs a few aggregations of the same expensive relation (e.g. the ordered
event stream of Journey analytics' Flow view: its transitions and its touchpoint
statistics). Asked one by one, the engine computes that relation once per query; stacked
into one query, an engine that computes a shared subquery once (DuckDB materialises a CTE
used twice) does the expensive part once. The result is the same as the separate queries.

>>> import ibis, pandas as pd
>>> a = ibis.memtable({"k": ["x", "y"], "n": [1, 2]})
>>> b = ibis.memtable({"k": ["x"], "share": [0.5]})
>>> frame = stacked({"a": a, "b": b}).to_pandas()
>>> parts = split_stacked(frame, {"a": a, "b": b})
>>> parts["a"].to_dict("list"), parts["b"].to_dict("list")
({'k': ['x', 'y'], 'n': [1, 2]}, {'k': ['x'], 'share': [0.5]})
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

PART = "_part"


def stacked(parts: dict[str, ir.Table]) -> ir.Table:
    """The tables of ``parts`` one below the other in one table (so one query computes
    them all): every column of any part, missing ones as typed nulls, and ``_part``
    naming the part of each row. :func:`split_stacked` takes them apart again. A name
    that two parts give different types is refused (``TypeError``)."""
    columns: dict[str, dt.DataType] = {}
    for table in parts.values():
        for name, dtype in table.schema().items():
            wanted = dtype.copy(nullable=True)
            if columns.setdefault(name, wanted) != wanted:
                raise TypeError(
                    f"column {name!r} is {columns[name]} in one part, {wanted} in another"
                )
    shaped = [
        table.select(
            ibis.literal(name).name(PART),
            *[
                (table[c] if c in table.columns else ibis.null()).cast(dtype).name(c)
                for c, dtype in columns.items()
            ],
        )
        for name, table in parts.items()
    ]
    return ibis.union(*shaped, distinct=False)


def split_stacked(frame: pd.DataFrame, parts: dict[str, ir.Table]) -> dict[str, pd.DataFrame]:
    """The frames of a :func:`stacked` result, each with its part's own columns and the
    pandas types its own query would have given (whole numbers stay integers where the
    part has no missing value in that column)."""
    out: dict[str, pd.DataFrame] = {}
    for name, table in parts.items():
        rows = frame.loc[frame[PART] == name, list(table.columns)].reset_index(drop=True)
        types = {
            c: t
            for c, t in table.schema().to_pandas()
            if t != rows[c].dtype and not rows[c].isna().any()
        }
        out[name] = rows.astype(types) if types else rows
    return out
