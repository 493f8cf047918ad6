"""Top paths: the most frequent first-``k``-touchpoint beginnings of journeys.

A path is the first ``k`` touchpoints of a journey; a path that goes on after ``k``
steps ends with ``" → …"``, so "A → B" means the journey ended after B. It is built by
one ordered list aggregation per journey (``collect`` ordered by time and event id, then
the first ``k`` items), with no self-join and no extra numbering window.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.events.stream import (
    CONTINUES,
    JOURNEY_KEYS,
    ORDER_COLUMNS,
    PATH_SEPARATOR,
    filtered_events,
    journey_events,
    order_keys,
    ordered_list,
)
from cem.analytics.filters import Filters
from cem.errors import InputError

MAX_PATH_STEPS = 20


def journey_paths(
    engine: Engine,
    workspace: str,
    filters: Filters | None,
    k: int,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
) -> ir.Table:
    """One row per journey: ``customer_id, journey, path, length`` (touchpoints shown),
    ``ended`` (the journey ended within the path)."""
    if not 1 <= k <= MAX_PATH_STEPS:
        raise InputError(f"A path has between 1 and {MAX_PATH_STEPS} steps.")
    if gap_days is None and not collapse_repeats:
        ev = filtered_events(engine, workspace, filters).select(*ORDER_COLUMNS)
        keys = ["customer_id"]
    else:
        ev = journey_events(
            engine,
            workspace,
            filters,
            gap_days=gap_days,
            collapse_repeats=collapse_repeats,
            with_next=["next_touchpoint"] if collapse_repeats else False,
            with_step=False,
            keep=(),
        )
        keys = list(JOURNEY_KEYS)
    per = ev.group_by(keys).aggregate(_seq=ordered_list(engine, ev.touchpoint, order_keys(ev)))
    if "journey" not in keys:
        per = per.mutate(journey=ibis.literal(1, type="int64"))
    total = per._seq.length()
    ended = total <= k
    head = per._seq[:k].join(PATH_SEPARATOR)
    return per.select(
        "customer_id",
        "journey",
        path=ibis.ifelse(ended, head, head + PATH_SEPARATOR + CONTINUES),
        length=ibis.least(total, k).cast("int64"),
        ended=ended,
    )


def top_paths(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    k: int = 3,
    limit: int = 20,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """The most frequent first-``k``-touchpoint paths.

    Columns: ``rank, path, length`` (touchpoints shown), ``ended`` (the journey ended
    within the path), ``journeys, share`` (of all journeys). Ties are ordered by path.
    """
    per = journey_paths(
        engine, workspace, filters, k, gap_days=gap_days, collapse_repeats=collapse_repeats
    )
    grouped = per.group_by(["path", "length", "ended"]).aggregate(journeys=per.count())
    total = grouped.journeys.sum().over(ibis.window())
    grouped = grouped.mutate(share=grouped.journeys.cast("float64") / total)
    expr = grouped.order_by([ibis.desc("journeys"), "path"]).limit(limit)
    df = engine.to_pandas(expr)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df[["rank", "path", "length", "ended", "journeys", "share"]].astype(
        {"length": "int64", "journeys": "int64", "ended": bool, "share": "float64"}
    )
