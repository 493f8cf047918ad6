"""Funnels: stage funnels ("got at least this far" or "in order") and custom touchpoint funnels.

* **Stage funnel** (``mode="reached"``): a journey reached stage *i* of the order when it
  got at least that far (its furthest stage in the order is *i* or later: skipping a
  stage still passes it). ``visited`` counts journeys with an event in the stage itself.
  ``dropped`` at stage *i* = journeys whose furthest stage is *i* (none for the last).
  One group-by per journey (furthest stage and a visited flag per stage), then one
  aggregate: no ordering at all.
* ``mode="in_order"`` counts a stage only when reached after all previous ones, in order.
  One ordered aggregation: each journey's stages of the order become a string of letters
  (``a`` = first stage, …) in event order, and stage *i* is reached in order exactly when
  that string contains ``a``, then ``b``, …, then the *i*-th letter (the regular
  expression ``a.*b.*…``), which is the greedy first-match definition below.
* **Custom funnel** of touchpoints: step 1 is the first event at touchpoint 1; step *k*
  is the first event at touchpoint *k* after step *k-1* (other touchpoints may come
  between; out-of-order visits do not count), with the median and p90 hours between
  steps (continuous quantiles, as ``numpy.quantile``).

Stage and touchpoint names match case-insensitively.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.events.stream import (
    EVENT_COLUMNS,
    JOURNEY_KEYS,
    MAX_FUNNEL_STEPS,
    SECONDS_PER_HOUR,
    as_float,
    filtered_events,
    name_key,
    order_keys,
    ordered_list,
    with_journeys,
)
from cem.analytics.filters import Filters
from cem.errors import InputError

FunnelMode = Literal["reached", "in_order"]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def clean_steps(steps: Sequence[str], what: str) -> list[str]:
    """The trimmed, non-empty names of a funnel; each may appear only once."""
    clean = [str(s).strip() for s in steps if str(s).strip()]
    if not clean:
        raise InputError(f"Choose at least one {what} for the funnel.")
    if len(clean) > MAX_FUNNEL_STEPS:
        raise InputError(f"A funnel has at most {MAX_FUNNEL_STEPS} steps.")
    lowered = [s.lower() for s in clean]
    if len(set(lowered)) != len(lowered):
        raise InputError(f"Each {what} can appear only once in a funnel.")
    return clean


def distinct_steps(names: Sequence[str]) -> list[str]:
    """``names`` without repeats (case-insensitive), first occurrence kept: a valid
    default for a funnel.

    >>> distinct_steps(["Ad", "ad", "Shop", "Ad"])
    ['Ad', 'Shop']
    """
    seen: set[str] = set()
    out = []
    for name in names:
        key = str(name).strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def observed_stage_order(
    engine: Engine, workspace: str, filters: Filters | None = None
) -> list[str]:
    """The stages of the event log in their usual order: by the mean rank of each stage's
    first visit within a customer's events (ties by name)."""
    t = filtered_events(engine, workspace, filters)
    t = t.filter(t.stage.notnull() & (t.stage.strip() != ""))
    first = t.group_by(["customer_id", "stage"]).aggregate(
        first_at=t.occurred_at.min(), first_id=t.event_id.min()
    )
    w = ibis.window(group_by=first.customer_id, order_by=[first.first_at, first.first_id])
    ranked = first.mutate(rank=ibis.row_number().over(w))
    expr = (
        ranked.group_by("stage")
        .aggregate(mean_rank=ranked["rank"].mean())
        .order_by(["mean_rank", "stage"])
    )
    return [str(s) for s in engine.to_pandas(expr)["stage"]]


def funnel_frame(
    names: list[str], reached: list[int], visited: list[int] | None, label: str
) -> pd.DataFrame:
    """The funnel table: ``step, <label>, journeys, [visited], conversion,
    share_of_start, dropped, drop_rate`` from the journeys reaching each step."""
    rows = []
    start = reached[0] if reached else 0
    for i, name in enumerate(names):
        nxt = reached[i + 1] if i + 1 < len(names) else None
        prev = reached[i - 1] if i > 0 else None
        rows.append(
            {
                "step": i + 1,
                label: name,
                "journeys": reached[i],
                **({"visited": visited[i]} if visited is not None else {}),
                "conversion": (reached[i] / prev if prev else (math.nan if i else 1.0)),
                "share_of_start": reached[i] / start if start else math.nan,
                "dropped": (reached[i] - nxt) if nxt is not None else 0,
                "drop_rate": (
                    (reached[i] - nxt) / reached[i] if nxt is not None and reached[i] else 0.0
                ),
            }
        )
    df = pd.DataFrame(rows)
    int_cols = ["step", "journeys", "dropped", *(["visited"] if visited is not None else [])]
    return df.astype(dict.fromkeys(int_cols, "int64"))


def _events_of(
    engine: Engine,
    workspace: str,
    filters: Filters | None,
    gap_days: float | None,
    column: str,
    wanted: list[str],
) -> ir.Table:
    """The filtered events whose ``column`` (stage or touchpoint) is one of ``wanted``
    (lower-case names), with ``journey`` and ``_idx`` (the position in ``wanted``).

    Reaching steps in order depends only on the order of the wanted events among
    themselves, so without a gap rule only those events are ordered; a gap rule needs
    every event to find the gaps."""
    t = filtered_events(engine, workspace, filters).select(*EVENT_COLUMNS)
    if gap_days is not None:
        t = with_journeys(t, gap_days)
    else:
        t = t.mutate(journey=ibis.literal(1, type="int64"))
    idx = name_key(t[column]).substitute(
        {name: i for i, name in enumerate(wanted)}, else_=ibis.null().cast("int64")
    )
    return t.mutate(_idx=idx).filter(idx.notnull())


def _journey_keys(gap_days: float | None) -> list[str]:
    return ["customer_id"] if gap_days is None else list(JOURNEY_KEYS)


def stage_reach(
    engine: Engine,
    workspace: str,
    filters: Filters | None,
    wanted: list[str],
    *,
    in_order: bool,
    gap_days: float | None = None,
    fast: bool = True,
) -> tuple[list[int], list[int] | None]:
    """Journeys reaching each of ``wanted`` (lower-case stage names) and, for "reached",
    journeys visiting each; see the module docstring for both definitions.

    On DuckDB (``fast``) "in order" takes a fast path with the same numbers: the greedy
    scan as one ``list_reduce`` over each journey's ordered stage list."""
    ev = _events_of(engine, workspace, filters, gap_days, "stage", wanted)
    keys = _journey_keys(gap_days)
    n = len(wanted)
    if in_order:
        if engine.is_duckdb and fast:
            return _in_order_reach_duckdb(engine, ev, keys, n), None
        letter = ev._idx.substitute(dict(enumerate(_LETTERS[:n])), else_="")
        per = ev.group_by(keys).aggregate(
            _seq=ordered_list(engine, letter, order_keys(ev)).join("")
        )
        expr = per.aggregate(
            **{
                f"r{i}": per._seq.like("%" + "%".join(_LETTERS[: i + 1]) + "%").cast("int64").sum()
                for i in range(n)
            }
        )
        row = engine.to_pandas(expr).iloc[0]
        return [int(row[f"r{i}"] or 0) for i in range(n)], None
    per = ev.group_by(keys).aggregate(
        furthest=ev._idx.max(), **{f"v{i}": (ev._idx == i).any() for i in range(n)}
    )
    expr = per.aggregate(
        **{f"r{i}": (per.furthest >= i).cast("int64").sum() for i in range(n)},
        **{f"v{i}": per[f"v{i}"].cast("int64").sum() for i in range(n)},
    )
    row = engine.to_pandas(expr).iloc[0]
    reached = [int(row[f"r{i}"] or 0) for i in range(n)]
    return reached, [int(row[f"v{i}"] or 0) for i in range(n)]


_REDUCE_SQL = (
    "SELECT reached, count(*) AS n FROM ("
    " SELECT list_reduce(list(_idx ORDER BY occurred_at, event_id),"
    " lambda acc, x: CASE WHEN x = acc THEN acc + 1 ELSE acc END, 0) AS reached"
    " FROM ({inner}) GROUP BY {keys}) GROUP BY reached"
)


def _in_order_reach_duckdb(engine: Engine, ev: ir.Table, keys: list[str], n: int) -> list[int]:
    """DuckDB-only "in order" reach: the number of stages a journey passes in order is
    one left fold over its ordered stage positions (``acc`` advances when the next
    wanted stage comes). The inner relation is compiled by Ibis (names quoted, values
    escaped); the wrapper is fixed SQL of this module."""
    inner = ev.select(*keys, "_idx", "occurred_at", "event_id")
    sql = _REDUCE_SQL.format(
        inner=engine.backend.compile(inner), keys=", ".join(f'"{k}"' for k in keys)
    )
    rows = engine.backend.raw_sql(sql).fetchall()
    at = {int(r): int(c) for r, c in rows}
    return [sum(c for r, c in at.items() if r > i) for i in range(n)]


def stage_funnel(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    stages: Sequence[str] | None = None,
    *,
    mode: FunnelMode = "reached",
    gap_days: float | None = None,
) -> pd.DataFrame:
    """Journeys reaching each stage of ``stages`` (default: the observed order).

    Columns: ``step, stage, journeys`` (reached), ``visited`` (mode "reached" only),
    ``conversion`` (from the previous step), ``share_of_start, dropped, drop_rate``.
    """
    if mode not in ("reached", "in_order"):
        raise InputError(f"Unknown funnel mode '{mode}'.")
    names = clean_steps(
        stages if stages is not None else observed_stage_order(engine, workspace, filters),
        "stage",
    )
    reached, visited = stage_reach(
        engine,
        workspace,
        filters,
        [n.lower() for n in names],
        in_order=mode == "in_order",
        gap_days=gap_days,
    )
    return funnel_frame(names, reached, visited, "stage")


def _in_order_steps(
    ev: ir.Table, keys: list[str], n: int
) -> tuple[list[int], list[float], list[float]]:
    """Journeys reaching each step in order, and median/p90 hours from the previous step.

    Step 1 is each journey's first event at step 1's touchpoint; step k is the first
    event at step k's touchpoint *after* step k-1 (the events of that touchpoint joined
    to the step k-1 position of their journey, first one further along wins). The
    wanted events (a fraction of the log) are numbered once and cached for the steps.
    """
    w = ibis.window(group_by=[ev[k] for k in keys], order_by=order_keys(ev))
    ev = ev.mutate(pos=ibis.row_number().over(w), _secs=ev.occurred_at.epoch_seconds())
    ev = ev.select(*keys, "_idx", "pos", "_secs")
    cached: list[ir.Table] = []
    reached: list[int] = []
    med: list[float] = [math.nan]
    p90: list[float] = [math.nan]
    try:
        base = ev.cache()
        cached.append(base)
        prev: ir.Table | None = None
        for i in range(n):
            cand = base.filter(base._idx == i)
            if prev is None:
                cur = cand.group_by(keys).aggregate(p=cand.pos.min(), t=cand._secs.argmin(cand.pos))
                cur = cur.cache()
                reached.append(int(cur.count().to_pyarrow().as_py()))
            else:
                j = cand.join(prev, [cand[k] == prev[k] for k in keys])
                j = j.filter(j.pos > j.p).select(*keys, "pos", "_secs", prev_t=j.t)
                cur = (
                    j.group_by(keys)
                    .aggregate(p=j.pos.min(), t=j._secs.argmin(j.pos), prev_t=j.prev_t.max())
                    .cache()
                )
                delta = (cur.t - cur.prev_t) / SECONDS_PER_HOUR
                row = cur.aggregate(
                    n=cur.count(),
                    med=delta.quantile(0.5).cast("float64"),
                    p90=delta.quantile(0.9).cast("float64"),
                ).to_pandas()
                reached.append(int(row["n"].iloc[0]))
                med.append(as_float(row["med"].iloc[0]))
                p90.append(as_float(row["p90"].iloc[0]))
            cached.append(cur)
            prev = cur
    finally:
        for table in cached:
            table.release()
    return reached, med, p90


def touchpoint_funnel(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    steps: Sequence[str] = (),
    *,
    gap_days: float | None = None,
) -> pd.DataFrame:
    """A custom funnel: journeys reaching the touchpoints of ``steps`` in that order
    (others may come between; names match case-insensitively).

    Columns: ``step, touchpoint, journeys, conversion, share_of_start, dropped,
    drop_rate, median_hours, p90_hours`` (time from the previous step).
    """
    names = clean_steps(steps, "touchpoint")
    wanted = [n.lower() for n in names]
    ev = _events_of(engine, workspace, filters, gap_days, "touchpoint", wanted)
    reached, med, p90 = _in_order_steps(ev, _journey_keys(gap_days), len(wanted))
    df = funnel_frame(names, reached, None, "touchpoint")
    df["median_hours"] = med
    df["p90_hours"] = p90
    return df


def time_between_stages(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    stages: Sequence[str] | None = None,
    *,
    gap_days: float | None = None,
) -> pd.DataFrame:
    """Time from first reaching each stage to first reaching the next one of the order:
    from the journey's first event in stage *i* to its first event in stage *i+1*, for
    journeys that reached both, *i* first. Median and p90 are continuous quantiles.

    One group-by per journey (the first time in each stage), then one aggregate with a
    count and two quantiles per consecutive pair: no self-join.

    Columns: ``from_stage, to_stage, journeys, median_hours, p90_hours, median_days,
    p90_days``; one row per consecutive pair (journeys = 0 when none reached both).
    """
    names = clean_steps(
        stages if stages is not None else observed_stage_order(engine, workspace, filters),
        "stage",
    )
    wanted = [n.lower() for n in names]
    ev = _events_of(engine, workspace, filters, gap_days, "stage", wanted)
    secs = ev.occurred_at.epoch_seconds()
    per = ev.group_by(_journey_keys(gap_days)).aggregate(
        **{f"f{i}": secs.min(where=ev._idx == i) for i in range(len(wanted))}
    )
    aggs: dict[str, ir.Value] = {}
    for i in range(len(wanted) - 1):
        a, b = per[f"f{i}"], per[f"f{i + 1}"]
        both = a.notnull() & b.notnull() & (b >= a)
        hours = (b - a) / SECONDS_PER_HOUR
        aggs[f"n{i}"] = both.cast("int64").sum()
        aggs[f"m{i}"] = hours.quantile(0.5, where=both).cast("float64")
        aggs[f"p{i}"] = hours.quantile(0.9, where=both).cast("float64")
    rows = []
    row = engine.to_pandas(per.aggregate(**aggs)).iloc[0] if aggs else None
    for i in range(len(names) - 1):
        n = int(row[f"n{i}"] or 0) if row is not None else 0
        rows.append(
            {
                "from_stage": names[i],
                "to_stage": names[i + 1],
                "journeys": n,
                "median_hours": as_float(row[f"m{i}"]) if n and row is not None else math.nan,
                "p90_hours": as_float(row[f"p{i}"]) if n and row is not None else math.nan,
            }
        )
    df = pd.DataFrame(
        rows, columns=["from_stage", "to_stage", "journeys", "median_hours", "p90_hours"]
    )
    df["median_days"] = df["median_hours"] / 24.0
    df["p90_days"] = df["p90_hours"] / 24.0
    return df.astype({"journeys": "int64", "median_hours": "float64", "p90_hours": "float64"})
