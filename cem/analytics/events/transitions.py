"""Transitions between touchpoints and channels, and per-touchpoint statistics.

* **Transition** A→B: B is the event right after A in the same journey. **Exit** from A:
  A was the journey's last event (``target`` is missing and ``is_exit`` is true).
  ``share`` = transitions A→B / all departures from A (transitions out of A plus exits
  from A), so the shares out of A sum to 1. ``journey_share`` = journeys with at least
  one A→B / journeys that visited A (a per-customer view; these need not sum to 1).
* **Channel switching**: from-channel × to-channel counts of consecutive events of a
  journey (a missing channel is "(none)").

Each is one ``lead`` window over the events ordered once per customer, then a group-by.

>>> from cem.store.db import Database
>>> from cem.analytics.engine import duckdb_engine
>>> db = Database(":memory:")
>>> _ = db.execute("INSERT INTO events_base VALUES (1,'w',1,1,'c1','2025-01-01','Ad','web',NULL),"
...                "(2,'w',1,2,'c1','2025-01-02','Shop','web',NULL)")
>>> transitions(duckdb_engine(db), "w")[["source", "target", "transitions", "share"]].to_dict(
...     "records")
[{'source': 'Ad', 'target': 'Shop', 'transitions': 1, 'share': 1.0}, \
{'source': 'Shop', 'target': None, 'transitions': 1, 'share': 1.0}]
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.events.stream import JOURNEY_KEYS, NO_CHANNEL, journey_events
from cem.analytics.filters import Filters
from cem.analytics.most_common import with_most_common
from cem.analytics.stacked import split_stacked, stacked


def transitions(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
    per_journey: bool = True,
) -> pd.DataFrame:
    """A→B transition counts and exits, most frequent first.

    Columns: ``source, target`` (None for an exit), ``is_exit, transitions, share`` (of
    all departures from the source, exits included) and, with ``per_journey``,
    ``journeys`` (journeys with at least one such move) and ``journey_share`` (of
    journeys that visited the source). The per-journey columns need two more
    aggregations over (journey, pair), which roughly doubles the time on large logs.
    """
    ev = journey_events(
        engine,
        workspace,
        filters,
        gap_days=gap_days,
        collapse_repeats=collapse_repeats,
        with_next=["next_touchpoint"],
        with_step=False,
        keep=(),
    )
    df = engine.to_pandas(transition_counts(ev, per_journey))
    return finish_transitions(df, per_journey)


def transition_counts(ev: ir.Table, per_journey: bool) -> ir.Table:
    """``source, target, transitions`` (and ``journeys, _visited`` with ``per_journey``)
    of a :func:`~cem.analytics.events.stream.journey_events` stream with
    ``next_touchpoint``: one row per pair, exits (``target`` missing) included."""
    if per_journey:
        per = ev.group_by([*JOURNEY_KEYS, "touchpoint", "next_touchpoint"]).aggregate(n=ev.count())
        pairs = per.group_by(["touchpoint", "next_touchpoint"]).aggregate(
            transitions=per.n.sum(), journeys=per.count()
        )
    else:
        pairs = ev.group_by(["touchpoint", "next_touchpoint"]).aggregate(transitions=ev.count())
    cols: dict[str, ir.Value] = {
        "source": pairs.touchpoint,
        "target": pairs.next_touchpoint,
        "transitions": pairs.transitions.cast("int64"),
    }
    if per_journey:
        visits = ev.select(*JOURNEY_KEYS, "touchpoint").distinct()
        visited = visits.group_by("touchpoint").aggregate(visited=visits.count())
        pairs = pairs.join(visited, "touchpoint")
        cols |= {"journeys": pairs.journeys.cast("int64"), "_visited": visited.visited}
    return pairs.select(**cols)


def finish_transitions(df: pd.DataFrame, per_journey: bool) -> pd.DataFrame:
    """Shares and the display order of a (source, target, transitions) frame (small:
    one row per pair, so this runs in pandas)."""
    df["target"] = df["target"].astype(object).where(df["target"].notna(), None)
    df.insert(2, "is_exit", df["target"].isna())
    departures = df.groupby("source")["transitions"].transform("sum")
    df["share"] = df["transitions"].astype("float64") / departures
    if per_journey:
        df["journey_share"] = df["journeys"].astype("float64") / df.pop("_visited")
    df = df.sort_values(
        ["transitions", "source", "is_exit", "target"],
        ascending=[False, True, True, True],
        na_position="last",
    )
    return df.astype({"transitions": "int64", "is_exit": bool}).reset_index(drop=True)


def transition_totals(trans: pd.DataFrame) -> tuple[int, int]:
    """(moves between touchpoints, journeys ended) of a :func:`transitions` frame.

    >>> frame = pd.DataFrame({"transitions": [3, 2, 4], "is_exit": [False, True, False]})
    >>> transition_totals(frame)
    (7, 2)
    """
    exits = trans["is_exit"].astype(bool)
    return int(trans.loc[~exits, "transitions"].sum()), int(trans.loc[exits, "transitions"].sum())


def touchpoint_stats(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """Per touchpoint: ``events, journeys, customers, starts`` (first event of a journey),
    ``exits`` (last event of a journey), ``mean_step`` (average position in a journey) and
    the most common ``usual_stage``/``usual_channel``; most events first."""
    ev = _stats_stream(engine, workspace, filters, gap_days, collapse_repeats)
    return finish_touchpoint_stats(engine.to_pandas(touchpoint_aggregate(ev, gap_days)))


def _stats_stream(
    engine: Engine,
    workspace: str,
    filters: Filters | None,
    gap_days: float | None,
    collapse_repeats: bool,
) -> ir.Table:
    """The ordered stream :func:`touchpoint_aggregate` needs (steps, the next touchpoint,
    stage and channel), which :func:`transition_counts` can read too."""
    return journey_events(
        engine,
        workspace,
        filters,
        gap_days=gap_days,
        collapse_repeats=collapse_repeats,
        with_next=["next_touchpoint"],
    )


def touchpoint_aggregate(ev: ir.Table, gap_days: float | None) -> ir.Table:
    """The :func:`touchpoint_stats` row of each touchpoint of a
    :func:`~cem.analytics.events.stream.journey_events` stream (with ``step``,
    ``next_touchpoint``, ``stage`` and ``channel``), as an expression."""
    agg = ev.group_by("touchpoint").aggregate(
        events=ev.count(),
        customers=ev.customer_id.nunique(),
        starts=(ev.step == 1).sum(),
        exits=ev.next_touchpoint.isnull().sum(),
        mean_step=ev.step.mean(),
    )
    usual = {"stage": "usual_stage", "channel": "usual_channel"}
    agg = with_most_common(agg, ev, "touchpoint", usual)
    if gap_days is None:  # one journey per customer: no second count needed
        agg = agg.mutate(journeys=agg.customers)
    else:
        visits = ev.select(*JOURNEY_KEYS, "touchpoint").distinct()
        journeys = visits.group_by("touchpoint").aggregate(journeys=visits.count())
        agg = agg.join(journeys, "touchpoint")
    return agg.select(
        touchpoint=agg.touchpoint,
        events=agg.events.cast("int64"),
        journeys=agg.journeys.cast("int64"),
        customers=agg.customers.cast("int64"),
        starts=agg.starts.cast("int64"),
        exits=agg.exits.cast("int64"),
        mean_step=agg.mean_step.cast("float64"),
        usual_stage=agg.usual_stage,
        usual_channel=agg.usual_channel,
    )


def finish_touchpoint_stats(df: pd.DataFrame) -> pd.DataFrame:
    """A :func:`touchpoint_aggregate` frame in display order: most events first."""
    df = df.sort_values(["events", "touchpoint"], ascending=[False, True])
    return df.reset_index(drop=True)


def flow_figures(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
    per_journey: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(transitions(...), touchpoint_stats(...))`` of the same settings from **one**
    ordered event stream: both aggregations of one query, so an engine that computes a
    shared subquery once (DuckDB) sorts the events once for the two (the Flow view of
    Journey analytics shows both). Equal to calling the two functions.
    """
    ev = _stats_stream(engine, workspace, filters, gap_days, collapse_repeats)
    parts = {
        "pairs": transition_counts(ev, per_journey),
        "stats": touchpoint_aggregate(ev, gap_days),
    }
    frames = split_stacked(engine.to_pandas(stacked(parts)), parts)
    return (
        finish_transitions(frames["pairs"], per_journey),
        finish_touchpoint_stats(frames["stats"]),
    )


def channel_switches(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
) -> pd.DataFrame:
    """From-channel × to-channel counts of consecutive events in a journey.

    Columns: ``from_channel, to_channel, transitions, share`` (of moves out of the
    from-channel), ``switch`` (the channels differ).
    """
    ev = journey_events(
        engine,
        workspace,
        filters,
        gap_days=gap_days,
        with_next=["next_touchpoint", "next_channel"],
        with_step=False,
        keep=(),
    )
    ev = ev.filter(ev.next_touchpoint.notnull())
    src = ev.channel.fill_null(NO_CHANNEL)
    dst = ev.next_channel.fill_null(NO_CHANNEL)
    pairs = ev.group_by(from_channel=src, to_channel=dst).aggregate(transitions=ev.count())
    total = pairs.transitions.sum().over(ibis.window(group_by=pairs.from_channel))
    pairs = pairs.mutate(
        share=pairs.transitions.cast("float64") / total,
        switch=pairs.from_channel != pairs.to_channel,
    )
    df = engine.to_pandas(pairs).sort_values(["from_channel", "to_channel"])
    return df.astype({"transitions": "int64", "switch": bool}).reset_index(drop=True)


def switch_summary(matrix: pd.DataFrame) -> tuple[int, int]:
    """(moves that switch channel, all moves) of a :func:`channel_switches` frame.

    >>> switch_summary(pd.DataFrame({"transitions": [3, 1], "switch": [False, True]}))
    (1, 4)
    """
    if matrix.empty:
        return 0, 0
    return int(matrix.loc[matrix["switch"], "transitions"].sum()), int(matrix["transitions"].sum())
