"""The most common value of a column per key, portably (an Ibis expression).

Ibis's ``mode()`` has no compilation rule on its pyspark backend, and where two values are
as common it returns either. :func:`most_common` counts each (key, value), ranks the
values of a key by count and then by value, and keeps the first: the same answer on every
engine, ties included (the value that sorts first wins). Missing values are not counted;
a key whose values are all missing has no row.

>>> import ibis
>>> t = ibis.memtable({"tp": ["a", "a", "a", "b", "b"], "ch": ["web", "app", "app", None, "x"]})
>>> most_common(t, "tp", "ch", "usual").order_by("tp").to_pandas().to_dict("list")
{'tp': ['a', 'b'], 'usual': ['app', 'x']}
>>> n = t.group_by("tp").aggregate(n=t.count())
>>> with_most_common(n, t, "tp", {"ch": "usual"}).order_by("tp").to_pandas().to_dict("list")
{'tp': ['a', 'b'], 'n': [3, 2], 'usual': ['app', 'x']}
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def most_common(t: ir.Table, key: str, column: str, name: str) -> ir.Table:
    """``key, name``: per value of ``key``, the most frequent non-missing ``column`` value
    (ties: the one that sorts first)."""
    present = t.filter(t[column].notnull())
    counts = present.group_by([key, column]).aggregate(_count=present.count())
    rank = ibis.row_number().over(
        ibis.window(group_by=counts[key], order_by=[ibis.desc(counts._count), counts[column]])
    )
    ranked = counts.mutate(_rank=rank)
    first = ranked.filter(ranked._rank == 0)
    return first.select(first[key], **{name: first[column]})


def with_most_common(
    table: ir.Table, source: ir.Table, key: str, columns: dict[str, str]
) -> ir.Table:
    """``table`` (one row per ``key``) with, for each ``column -> name`` of ``columns``,
    the most common ``column`` of ``source`` per key as ``name`` (missing where
    ``source`` has no value for that key)."""
    for column, name in columns.items():
        usual = most_common(source, key, column, name)
        joined = table.left_join(usual, table[key] == usual[key])
        table = joined.select(*[joined[c] for c in table.columns], joined[name])
    return table
