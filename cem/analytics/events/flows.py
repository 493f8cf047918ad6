"""Journey analytics from event logs: transitions, paths, funnels, timing, channels, outcomes.

Every function takes ``(db, workspace, filters, ...)`` and returns a pandas DataFrame with
plain columns. The heavy lifting is Ibis over
``cem.analytics.filters.filtered_table(db.ibis(), workspace, "events", filters)``, so the shared
sidebar filters (dates, channel, touchpoint, stage directly; segment/persona through the
customers table) apply, and the same expressions run on any Ibis backend. Only small
results (one row per step/stage/bucket) are finished in pandas.

Definitions (the tests compute each one by hand):

* **Order of events.** A customer's events are ordered by ``occurred_at``, then
  ``event_id``. Event ids are unique (one sequence) and assigned in file order at
  import, so same-time events keep the order of the uploaded file and the order is
  total and deterministic. (A touchpoint-name tie-break would never be reached, so it
  is not part of the sort: that keeps the sort on two fixed-width keys, which matters
  at ten million events.)
* **Journey.** All events of one customer, or, with ``gap_days``, a *session*: a gap of
  more than ``gap_days`` days since the customer's previous event starts a new journey.
  Counts called ``journeys`` are customer journeys; without a gap rule they equal
  customers.
* **Collapse repeats.** With ``collapse_repeats=True`` a run of the same touchpoint
  (A, A, A) counts once (the first event of the run is kept), so there are no A→A
  transitions.
* **Transition** A→B: B is the event right after A in the same journey. **Exit** from A:
  A was the journey's last event (``target`` is missing and ``is_exit`` is true).
  ``share`` = transitions A→B / all departures from A (transitions out of A plus exits
  from A), so the shares out of A sum to 1. ``journey_share`` = journeys with at least
  one A→B / journeys that visited A (a per-customer view; these need not sum to 1).
* **Top paths.** The first ``k`` touchpoints of each journey; a path that goes on after
  ``k`` steps ends with ``" → …"``, so "A → B" means the journey ended after B.
* **Stage funnel** (``mode="reached"``): a journey reached stage *i* of the order when it
  got at least that far (its furthest stage in the order is *i* or later: skipping a
  stage still passes it). ``visited`` counts journeys with an event in the stage itself.
  ``dropped`` at stage *i* = journeys whose furthest stage is *i* (none for the last).
  ``mode="in_order"`` counts a stage only when reached after all previous ones, in order.
* **Custom funnel** of touchpoints: step 1 is the first event at touchpoint 1; step *k*
  is the first event at touchpoint *k* after step *k-1* (other touchpoints may come
  between; out-of-order visits do not count).
* **Time between stages** *i*→*i+1* (consecutive in the order): from the journey's first
  event in stage *i* to its first event in stage *i+1*, for journeys that reached both,
  *i* first. Median and p90 are continuous quantiles (linear interpolation, as
  ``numpy.quantile``), reported in hours and days.
* **Channel switching**: from-channel × to-channel counts of consecutive events of a
  journey (a missing channel is "(none)").
* **Outcomes**: NPS/CSAT per DESIGN.md (NPS = 100 × (promoters − detractors) / answered,
  with its 95% margin; CSAT = share of 4–5 answers) over all survey responses of the
  customers in each group. Groups are made from the filtered events; the responses
  themselves are not date-filtered.

>>> from cem.store.db import Database
>>> db = Database(":memory:")
>>> _ = db.execute("INSERT INTO events VALUES (1,'w',1,1,'c1','2025-01-01','Ad','web',NULL),"
...                "(2,'w',1,2,'c1','2025-01-02','Shop','web',NULL)")
>>> transitions(db, "w")[["source", "target", "transitions", "share"]].to_dict("records")
[{'source': 'Ad', 'target': 'Shop', 'transitions': 1, 'share': 1.0}, \
{'source': 'Shop', 'target': None, 'transitions': 1, 'share': 1.0}]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics import kpis
from cem.analytics.filters import Filters, base_table, filtered_table
from cem.errors import InputError
from cem.store.db import Database

JOURNEY_KEYS: tuple[str, str] = ("customer_id", "journey")
NO_CHANNEL = "(none)"
PATH_SEPARATOR = " → "
CONTINUES = "…"
SECONDS_PER_HOUR = 3600.0
MAX_FUNNEL_STEPS = 12
FunnelMode = Literal["reached", "in_order"]


# -- the ordered event stream -------------------------------------------------------------
def _order(t: ir.Table) -> list[ir.Value]:
    return [t.occurred_at, t.event_id]


def journey_events(
    db: Database,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
    with_next: bool | Sequence[str] = True,
) -> ir.Table:
    """The filtered events as an ordered stream, one row per event (Ibis expression).

    Columns: ``customer_id, journey`` (1, 2, … per customer; always 1 without a gap
    rule), ``step`` (1-based position in the journey), ``event_id, occurred_at,
    touchpoint, channel, stage``, and with ``with_next`` the following event's
    ``next_touchpoint, next_channel, next_stage, next_at`` (missing on the last event);
    ``with_next`` may also name the subset of those wanted (fewer columns, faster).
    """
    if gap_days is not None and not (gap_days > 0):
        raise InputError("The gap that starts a new journey must be more than 0 days.")
    t = filtered_table(db.ibis(), workspace, "events", filters)
    t = t.select("customer_id", "event_id", "occurred_at", "touchpoint", "channel", "stage")
    if gap_days is not None:
        by_customer = ibis.window(group_by=t.customer_id, order_by=_order(t))
        prev_at = t.occurred_at.lag().over(by_customer)
        gap = t.occurred_at.epoch_seconds() - prev_at.epoch_seconds()
        t = t.mutate(_new=ibis.ifelse(prev_at.isnull() | (gap > gap_days * 86400.0), 1, 0))
        running = ibis.window(
            group_by=t.customer_id, order_by=_order(t), preceding=None, following=0
        )
        t = t.mutate(journey=t._new.sum().over(running).cast("int64")).drop("_new")
    else:
        t = t.mutate(journey=ibis.literal(1, type="int64"))
    if collapse_repeats:
        w = ibis.window(group_by=[t.customer_id, t.journey], order_by=_order(t))
        t = t.mutate(_prev_tp=t.touchpoint.lag().over(w))
        t = t.filter(t._prev_tp.isnull() | (t._prev_tp != t.touchpoint)).drop("_prev_tp")
    w = ibis.window(group_by=[t.customer_id, t.journey], order_by=_order(t))
    cols: dict[str, ir.Value] = {"step": (ibis.row_number().over(w) + 1).cast("int64")}
    nexts = {
        "next_touchpoint": t.touchpoint,
        "next_channel": t.channel,
        "next_stage": t.stage,
        "next_at": t.occurred_at,
    }
    wanted = list(nexts) if with_next is True else list(with_next or ())
    for name in wanted:
        cols[name] = nexts[name].lead().over(w)
    return t.mutate(**cols)


def has_events(db: Database, workspace: str) -> bool:
    """True when the workspace has at least one event (regardless of filters)."""
    row = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM events WHERE workspace = ? LIMIT 1)", [workspace]
    ).fetchone()
    return bool(row and row[0])


def event_summary(db: Database, workspace: str, filters: Filters | None = None) -> pd.DataFrame:
    """One row: ``events, customers, touchpoints, first_at, last_at`` of the filtered events."""
    t = filtered_table(db.ibis(), workspace, "events", filters)
    expr = t.aggregate(
        events=t.count(),
        customers=t.customer_id.nunique(),
        touchpoints=t.touchpoint.nunique(),
        first_at=t.occurred_at.min(),
        last_at=t.occurred_at.max(),
    )
    return expr.to_pandas()


def touchpoint_names(db: Database, workspace: str, filters: Filters | None = None) -> list[str]:
    """Touchpoints of the filtered events, most events first (then by name)."""
    t = filtered_table(db.ibis(), workspace, "events", filters)
    expr = t.group_by("touchpoint").aggregate(n=t.count()).order_by([ibis.desc("n"), "touchpoint"])
    return [str(x) for x in expr.to_pandas()["touchpoint"]]


# -- transitions --------------------------------------------------------------------------
def transitions(
    db: Database,
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
    journeys that visited the source). The per-journey columns need two extra
    aggregations over (journey, pair), which roughly doubles the time on large logs.
    """
    ev = journey_events(
        db,
        workspace,
        filters,
        gap_days=gap_days,
        collapse_repeats=collapse_repeats,
        with_next=["next_touchpoint"],
    )
    if per_journey:
        per = ev.group_by([*JOURNEY_KEYS, "touchpoint", "next_touchpoint"]).aggregate(n=ev.count())
        pairs = per.group_by(["touchpoint", "next_touchpoint"]).aggregate(
            transitions=per.n.sum(), journeys=per.count()
        )
    else:
        pairs = ev.group_by(["touchpoint", "next_touchpoint"]).aggregate(transitions=ev.count())
    departures = pairs.transitions.sum().over(ibis.window(group_by=pairs.touchpoint))
    pairs = pairs.mutate(departures=departures)
    cols: dict[str, ir.Value] = {
        "source": pairs.touchpoint,
        "target": pairs.next_touchpoint,
        "is_exit": pairs.next_touchpoint.isnull(),
        "transitions": pairs.transitions.cast("int64"),
        "share": pairs.transitions.cast("float64") / pairs.departures,
    }
    if per_journey:
        visits = ev.select(*JOURNEY_KEYS, "touchpoint").distinct()
        visited = visits.group_by("touchpoint").aggregate(visited=visits.count())
        pairs = pairs.join(visited, "touchpoint")
        cols |= {
            "journeys": pairs.journeys.cast("int64"),
            "journey_share": pairs.journeys.cast("float64") / visited.visited,
        }
    df = pairs.select(**cols).to_pandas()
    df = df.sort_values(
        ["transitions", "source", "is_exit", "target"],
        ascending=[False, True, True, True],
        na_position="last",
    )
    df["target"] = df["target"].astype(object).where(df["target"].notna(), None)
    return df.reset_index(drop=True)


def transition_totals(trans: pd.DataFrame) -> tuple[int, int]:
    """(moves between touchpoints, journeys ended) of a :func:`transitions` frame.

    >>> frame = pd.DataFrame({"transitions": [3, 2, 4], "is_exit": [False, True, False]})
    >>> transition_totals(frame)
    (7, 2)
    """
    exits = trans["is_exit"].astype(bool)
    return int(trans.loc[~exits, "transitions"].sum()), int(trans.loc[exits, "transitions"].sum())


def touchpoint_stats(
    db: Database,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """Per touchpoint: ``events, journeys, customers, starts`` (first event of a journey),
    ``exits`` (last event of a journey), ``mean_step`` (average position in a journey) and
    the most common ``usual_stage``/``usual_channel``; most events first."""
    ev = journey_events(
        db,
        workspace,
        filters,
        gap_days=gap_days,
        collapse_repeats=collapse_repeats,
        with_next=["next_touchpoint"],
    )
    visits = ev.select(*JOURNEY_KEYS, "touchpoint").distinct()
    journeys = visits.group_by("touchpoint").aggregate(journeys=visits.count())
    agg = ev.group_by("touchpoint").aggregate(
        events=ev.count(),
        customers=ev.customer_id.nunique(),
        starts=(ev.step == 1).sum(),
        exits=ev.next_touchpoint.isnull().sum(),
        mean_step=ev.step.mean(),
        usual_stage=ev.stage.mode(),
        usual_channel=ev.channel.mode(),
    )
    out = agg.join(journeys, "touchpoint").select(
        touchpoint=agg.touchpoint,
        events=agg.events.cast("int64"),
        journeys=journeys.journeys.cast("int64"),
        customers=agg.customers.cast("int64"),
        starts=agg.starts.cast("int64"),
        exits=agg.exits.cast("int64"),
        mean_step=agg.mean_step.cast("float64"),
        usual_stage=agg.usual_stage,
        usual_channel=agg.usual_channel,
    )
    df = out.to_pandas().sort_values(["events", "touchpoint"], ascending=[False, True])
    return df.reset_index(drop=True)


# -- paths --------------------------------------------------------------------------------
def _journey_paths(
    db: Database,
    workspace: str,
    filters: Filters | None,
    k: int,
    gap_days: float | None,
    collapse_repeats: bool,
) -> ir.Table:
    if not 1 <= k <= 20:
        raise InputError("A path has between 1 and 20 steps.")
    ev = journey_events(
        db,
        workspace,
        filters,
        gap_days=gap_days,
        collapse_repeats=collapse_repeats,
        with_next=["next_touchpoint"],
    )
    ev = ev.filter(ev.step <= k)
    per = ev.group_by(list(JOURNEY_KEYS)).aggregate(
        _path=ev.touchpoint.collect(order_by=ev.step).join(PATH_SEPARATOR),
        length=ev.count(),
        ended=ev.next_touchpoint.isnull().any(),
    )
    path = ibis.ifelse(per.ended, per._path, per._path + PATH_SEPARATOR + CONTINUES)
    return per.mutate(path=path).drop("_path")


def top_paths(
    db: Database,
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
    per = _journey_paths(db, workspace, filters, k, gap_days, collapse_repeats)
    grouped = per.group_by(["path", "length", "ended"]).aggregate(journeys=per.count())
    total = grouped.journeys.sum().over(ibis.window())
    grouped = grouped.mutate(share=grouped.journeys.cast("float64") / total)
    expr = grouped.order_by([ibis.desc("journeys"), "path"]).limit(limit)
    df = expr.to_pandas()
    df.insert(0, "rank", range(1, len(df) + 1))
    return df[["rank", "path", "length", "ended", "journeys", "share"]].astype(
        {"length": "int64", "journeys": "int64", "ended": bool}
    )


# -- stage order and funnels --------------------------------------------------------------
def _key(value: ir.StringValue) -> ir.StringValue:
    return value.strip().lower()


def _clean_steps(steps: Sequence[str], what: str) -> list[str]:
    clean = [str(s).strip() for s in steps if str(s).strip()]
    if not clean:
        raise InputError(f"Choose at least one {what} for the funnel.")
    if len(clean) > MAX_FUNNEL_STEPS:
        raise InputError(f"A funnel has at most {MAX_FUNNEL_STEPS} steps.")
    lowered = [s.lower() for s in clean]
    if len(set(lowered)) != len(lowered):
        raise InputError(f"Each {what} can appear only once in a funnel.")
    return clean


def observed_stage_order(db: Database, workspace: str, filters: Filters | None = None) -> list[str]:
    """The stages of the event log in their usual order: by the mean rank of each stage's
    first visit within a customer's events (ties by name)."""
    t = filtered_table(db.ibis(), workspace, "events", filters)
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
    return [str(s) for s in expr.to_pandas()["stage"]]


def _funnel_frame(
    names: list[str], reached: list[int], visited: list[int] | None, label: str
) -> pd.DataFrame:
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


def _ordered_events_of(
    db: Database,
    workspace: str,
    filters: Filters | None,
    gap_days: float | None,
    column: str,
    wanted: list[str],
) -> ir.Table:
    """The ordered events whose ``column`` (touchpoint or stage) is one of ``wanted``.

    Reaching steps "in order, others allowed between" depends only on the order of the
    wanted events among themselves, so without a gap rule the ordering window runs over
    just those events (a fraction of a large log). A gap rule needs every event to find
    the gaps, so then the whole stream is ordered first.
    """
    if gap_days is not None:
        return journey_events(db, workspace, filters, gap_days=gap_days, with_next=False)
    t = filtered_table(db.ibis(), workspace, "events", filters)
    t = t.select("customer_id", "event_id", "occurred_at", "touchpoint", "channel", "stage")
    t = t.filter(_key(t[column]).isin(wanted))
    w = ibis.window(group_by=t.customer_id, order_by=_order(t))
    return t.mutate(
        journey=ibis.literal(1, type="int64"),
        step=(ibis.row_number().over(w) + 1).cast("int64"),
    )


def _stage_steps(
    db: Database, workspace: str, filters: Filters | None, stages: Sequence[str] | None
) -> list[str]:
    """The cleaned stage names of a stage funnel: ``stages``, or the observed order."""
    return _clean_steps(
        stages if stages is not None else observed_stage_order(db, workspace, filters), "stage"
    )


def _stage_indexed_events(
    db: Database,
    workspace: str,
    filters: Filters | None,
    gap_days: float | None,
    wanted: list[str],
) -> ir.Table:
    """The filtered events whose stage is one of ``wanted`` (lower-cased), with ``journey``
    (sessions with a gap rule, else 1) and ``_idx``, the stage's position in ``wanted``."""
    if gap_days is not None:
        ev = journey_events(db, workspace, filters, gap_days=gap_days, with_next=False)
    else:
        t = filtered_table(db.ibis(), workspace, "events", filters)
        ev = t.mutate(journey=ibis.literal(1, type="int64"))
    idx = _key(ev.stage).substitute(
        {name: i for i, name in enumerate(wanted)}, else_=ibis.null().cast("int64")
    )
    return ev.mutate(_idx=idx).filter(idx.notnull())


def _in_order_reach(
    ev: ir.Table, key: ir.StringValue, wanted: list[str]
) -> tuple[list[int], list[float], list[float]]:
    """Journeys reaching each step in order, and median/p90 hours from the previous step.

    Step 1 is each journey's first event at ``wanted[0]``; step k is the first event at
    ``wanted[k-1]`` *after* step k-1: the events of that touchpoint joined to the step
    k-1 positions of their journey, keeping those further along, first one wins
    (``argmin`` by position). The ordered events of the wanted keys and each step's
    positions are cached (``Table.cache``: a temporary table, released at the end), so
    the ordering window runs once and each step is a filter, a join and an aggregate.
    """
    ev = ev.mutate(_k=key, _secs=ev.occurred_at.epoch_seconds())
    ev = ev.filter(ev._k.isin(wanted)).select("customer_id", "journey", "step", "_k", "_secs")
    keys = list(JOURNEY_KEYS)
    cached: list[ir.Table] = []
    reached: list[int] = []
    med: list[float] = [math.nan]
    p90: list[float] = [math.nan]
    try:
        base = ev.cache()
        cached.append(base)
        prev: ir.Table | None = None
        for name in wanted:
            cand = base.filter(base._k == name)
            if prev is None:
                cur = cand.group_by(keys).aggregate(
                    p=cand.step.min(), t=cand._secs.argmin(cand.step)
                )
                cur = cur.cache()
                reached.append(int(cur.count().to_pyarrow().as_py()))
            else:
                j = cand.join(
                    prev, [cand.customer_id == prev.customer_id, cand.journey == prev.journey]
                )
                j = j.filter(j.step > j.p).select(
                    "customer_id", "journey", "step", "_secs", prev_t=j.t
                )
                cur = (
                    j.group_by(keys)
                    .aggregate(p=j.step.min(), t=j._secs.argmin(j.step), prev_t=j.prev_t.max())
                    .cache()
                )
                delta = (cur.t - cur.prev_t) / SECONDS_PER_HOUR
                row = cur.aggregate(
                    n=cur.count(),
                    med=delta.quantile(0.5).cast("float64"),
                    p90=delta.quantile(0.9).cast("float64"),
                ).to_pandas()
                reached.append(int(row["n"].iloc[0]))
                med.append(_num(row["med"].iloc[0]))
                p90.append(_num(row["p90"].iloc[0]))
            cached.append(cur)
            prev = cur
    finally:
        for table in cached:
            table.release()
    return reached, med, p90


def _num(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def stage_funnel(
    db: Database,
    workspace: str,
    filters: Filters | None = None,
    stages: Sequence[str] | None = None,
    *,
    mode: FunnelMode = "reached",
    gap_days: float | None = None,
) -> pd.DataFrame:
    """Journeys reaching each stage of ``stages`` (default: the observed order).

    Stage names match case-insensitively. Columns: ``step, stage, journeys`` (reached),
    ``visited`` (mode "reached" only), ``conversion`` (from the previous step),
    ``share_of_start, dropped, drop_rate``.
    """
    names = _stage_steps(db, workspace, filters, stages)
    wanted = [n.lower() for n in names]
    if mode == "in_order":
        ev = _ordered_events_of(db, workspace, filters, gap_days, "stage", wanted)
        reached, _, _ = _in_order_reach(ev, _key(ev.stage), wanted)
        return _funnel_frame(names, reached, None, "stage")
    if mode != "reached":
        raise InputError(f"Unknown funnel mode '{mode}'.")
    ev = _stage_indexed_events(db, workspace, filters, gap_days, wanted)
    visits = ev.select(*JOURNEY_KEYS, "_idx").distinct()
    visited_df = visits.group_by("_idx").aggregate(n=visits.count()).to_pandas()
    per = ev.group_by(list(JOURNEY_KEYS)).aggregate(furthest=ev._idx.max())
    furthest_df = per.group_by("furthest").aggregate(n=per.count()).to_pandas()
    at = dict(zip(furthest_df["furthest"].astype(int), furthest_df["n"].astype(int), strict=True))
    vis = dict(zip(visited_df["_idx"].astype(int), visited_df["n"].astype(int), strict=True))
    reached = [sum(n for f, n in at.items() if f >= i) for i in range(len(names))]
    return _funnel_frame(names, reached, [vis.get(i, 0) for i in range(len(names))], "stage")


def touchpoint_funnel(
    db: Database,
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
    names = _clean_steps(steps, "touchpoint")
    wanted = [n.lower() for n in names]
    ev = _ordered_events_of(db, workspace, filters, gap_days, "touchpoint", wanted)
    reached, med, p90 = _in_order_reach(ev, _key(ev.touchpoint), wanted)
    df = _funnel_frame(names, reached, None, "touchpoint")
    df["median_hours"] = med
    df["p90_hours"] = p90
    return df


# -- timing and channels ------------------------------------------------------------------
def time_between_stages(
    db: Database,
    workspace: str,
    filters: Filters | None = None,
    stages: Sequence[str] | None = None,
    *,
    gap_days: float | None = None,
) -> pd.DataFrame:
    """Time from first reaching each stage to first reaching the next one of the order.

    Columns: ``from_stage, to_stage, journeys, median_hours, p90_hours, median_days,
    p90_days``; one row per consecutive pair (journeys = 0 when none reached both).
    """
    names = _stage_steps(db, workspace, filters, stages)
    wanted = [n.lower() for n in names]
    ev = _stage_indexed_events(db, workspace, filters, gap_days, wanted)
    first = ev.group_by([*JOURNEY_KEYS, "_idx"]).aggregate(
        first=ev.occurred_at.epoch_seconds().min()
    )
    nxt = first.view()
    pairs = first.join(
        nxt,
        [
            first.customer_id == nxt.customer_id,
            first.journey == nxt.journey,
            nxt._idx == first._idx + 1,
            nxt.first >= first.first,
        ],
    )
    pairs = pairs.select(i=first._idx, hours=(nxt.first - first.first) / SECONDS_PER_HOUR)
    agg = (
        pairs.group_by("i")
        .aggregate(
            journeys=pairs.count(),
            median_hours=pairs.hours.quantile(0.5),
            p90_hours=pairs.hours.quantile(0.9),
        )
        .to_pandas()
    )
    by_i = {int(r.i): r for r in agg.itertuples()}
    rows = []
    for i in range(len(names) - 1):
        r = by_i.get(i)
        rows.append(
            {
                "from_stage": names[i],
                "to_stage": names[i + 1],
                "journeys": int(r.journeys) if r is not None else 0,
                "median_hours": _num(r.median_hours) if r is not None else math.nan,
                "p90_hours": _num(r.p90_hours) if r is not None else math.nan,
            }
        )
    df = pd.DataFrame(
        rows, columns=["from_stage", "to_stage", "journeys", "median_hours", "p90_hours"]
    )
    df["median_days"] = df["median_hours"] / 24.0
    df["p90_days"] = df["p90_hours"] / 24.0
    return df.astype({"journeys": "int64"})


def channel_switches(
    db: Database, workspace: str, filters: Filters | None = None, *, gap_days: float | None = None
) -> pd.DataFrame:
    """From-channel × to-channel counts of consecutive events in a journey.

    Columns: ``from_channel, to_channel, transitions, share`` (of moves out of the
    from-channel), ``switch`` (the channels differ).
    """
    ev = journey_events(
        db, workspace, filters, gap_days=gap_days, with_next=["next_touchpoint", "next_channel"]
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
    df = pairs.to_pandas().sort_values(["from_channel", "to_channel"])
    return df.astype({"transitions": "int64", "switch": bool}).reset_index(drop=True)


def switch_summary(matrix: pd.DataFrame) -> tuple[int, int]:
    """(moves that switch channel, all moves) of a :func:`channel_switches` frame.

    >>> switch_summary(pd.DataFrame({"transitions": [3, 1], "switch": [False, True]}))
    (1, 4)
    """
    if matrix.empty:
        return 0, 0
    return int(matrix.loc[matrix["switch"], "transitions"].sum()), int(matrix["transitions"].sum())


# -- outcomes -----------------------------------------------------------------------------
def _outcomes(db: Database, workspace: str, groups: ir.Table, order: list[str]) -> pd.DataFrame:
    """NPS/CSAT of the responses of each group's customers (``groups``: customer_id, group),
    with the shared KPI definitions of :mod:`cem.analytics.kpis` (DESIGN.md formulas)."""
    resp = base_table(db.ibis(), workspace, "responses")
    resp = resp.filter(resp.customer_id.notnull()).select(
        _cid=resp.customer_id, nps=resp.nps, csat=resp.csat
    )
    joined = groups.left_join(resp, groups.customer_id == resp._cid)
    sizes = groups.group_by("group").aggregate(customers=groups.customer_id.nunique())
    nps = kpis.nps_table(joined, ["group"]).select(
        "group", nps=ibis._.value, nps_moe=ibis._.moe, nps_n=ibis._.n
    )
    csat = kpis.csat_table(joined, ["group"]).select("group", csat=ibis._.value, csat_n=ibis._.n)
    expr = sizes.join(nps, "group").join(csat, "group")
    df = expr.to_pandas().set_index("group")
    keep = [g for g in order if g in df.index]
    out = df.loc[keep, ["customers", "nps", "nps_moe", "nps_n", "csat", "csat_n"]].reset_index()
    out = out.astype(
        {
            "customers": "int64",
            "nps_n": "int64",
            "csat_n": "int64",
            "nps": "float64",
            "nps_moe": "float64",
            "csat": "float64",
        }
    )
    return out


def frequency_label(count: int, top: int) -> str:
    """The group name for a customer with ``count`` visits, ``top`` or more pooled.

    >>> [frequency_label(n, 2) for n in (0, 1, 2, 5)]
    ['Never', '1 time', '2+ times', '2+ times']
    """
    if count <= 0:
        return "Never"
    if count >= top:
        return f"{top}+ times"
    return "1 time" if count == 1 else f"{count} times"


def outcomes_by_touchpoint_count(
    db: Database,
    workspace: str,
    filters: Filters | None = None,
    touchpoint: str = "",
    *,
    top: int = 2,
) -> pd.DataFrame:
    """NPS/CSAT of customers by how often they hit ``touchpoint`` (case-insensitive):
    never, 1 time, …, ``top``+ times. Customers are those with any filtered event.

    Columns: ``group, customers, nps, nps_moe, nps_n, csat, csat_n``.
    """
    if not touchpoint.strip():
        raise InputError("Choose a touchpoint.")
    if top < 1:
        raise InputError("The top group starts at 1 or more visits.")
    t = filtered_table(db.ibis(), workspace, "events", filters)
    hit = ibis.ifelse(_key(t.touchpoint) == touchpoint.strip().lower(), 1, 0)
    per = t.group_by("customer_id").aggregate(hits=hit.sum())
    cases = [(per.hits <= 0, "Never")]
    cases += [(per.hits == c, frequency_label(c, top)) for c in range(1, top)]
    group = ibis.cases(*cases, else_=frequency_label(top, top))
    groups = per.select("customer_id", group=group)
    order = [frequency_label(c, top) for c in range(top + 1)]
    return _outcomes(db, workspace, groups, order)


OTHER_PATHS = "Other paths"


def outcomes_by_path(
    db: Database, workspace: str, filters: Filters | None = None, *, k: int = 3, limit: int = 8
) -> pd.DataFrame:
    """NPS/CSAT of customers by their first-``k`` path (whole customer history, no gap
    rule): the ``limit`` most frequent paths, the rest as "Other paths"."""
    per = _journey_paths(db, workspace, filters, k, None, False)
    top = top_paths(db, workspace, filters, k=k, limit=limit)
    keep = [str(p) for p in top["path"]]
    group = (
        ibis.ifelse(per.path.isin(keep), per.path, OTHER_PATHS)
        if keep
        else ibis.literal(OTHER_PATHS)
    )
    groups = per.select("customer_id", group=group)
    return _outcomes(db, workspace, groups, [*keep, OTHER_PATHS])
