"""The ordered event stream that every journey analytic is built on.

All functions of :mod:`cem.analytics.events` take an :class:`~cem.analytics.engine.Engine`
and build portable Ibis expressions (window functions, ordered ``collect``, ``re_search``:
DuckDB and Spark both run them).

Definitions shared by the modules of this package:

* **Order of events.** A customer's events are ordered by ``occurred_at``, then
  ``event_id``. Event ids are unique and assigned in file order at import, so same-time
  events keep the order of the uploaded file and the order is total and deterministic.
* **Journey.** All events of one customer, or, with ``gap_days``, a *session*: a gap of
  more than ``gap_days`` days since the customer's previous event starts a new journey.
  Counts called ``journeys`` are customer journeys; without a gap rule they equal
  customers.
* **Collapse repeats.** With ``collapse_repeats=True`` a run of the same touchpoint
  (A, A, A) counts once, so there are no A→A transitions. The collapsed moves are exactly
  the events whose next event has another touchpoint (or no next event), so collapsing
  costs no extra pass over the events.

One pass: every analytic orders the (filtered) events once per customer, in one window
or one ordered aggregation, never by self-joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from cem.analytics.engine import Engine
from cem.analytics.filters import Filters, filtered_table
from cem.errors import InputError

JOURNEY_KEYS: tuple[str, str] = ("customer_id", "journey")
NO_CHANNEL = "(none)"
PATH_SEPARATOR = " → "
CONTINUES = "…"
SECONDS_PER_HOUR = 3600.0
MAX_FUNNEL_STEPS = 12
EVENT_COLUMNS = ("customer_id", "event_id", "occurred_at", "touchpoint", "channel", "stage")
ORDER_COLUMNS = ("customer_id", "event_id", "occurred_at", "touchpoint")
NEXT_COLUMNS = ("next_touchpoint", "next_channel", "next_stage", "next_at")


def filtered_events(engine: Engine, workspace: str, filters: Filters | None = None) -> ir.Table:
    """The workspace's events that pass ``filters`` (shared sidebar filters), unordered."""
    return filtered_table(engine, workspace, "events", filters)


def order_keys(t: ir.Table) -> list[ir.Value]:
    """The total order of a customer's events: time, then event id (file order)."""
    return [t.occurred_at, t.event_id]


def ordered_list(engine: Engine, value: ir.Value, order: Sequence[ir.Value]) -> ir.ArrayValue:
    """The non-missing ``value``s of a group as one list in ``order`` (an aggregate).

    DuckDB orders the aggregate itself (``list(value ORDER BY …)``). Ibis cannot compile
    an ordered aggregate for pyspark, so other engines collect ``(order…, value)``
    structs, sort them (by their fields, in order) and keep the values: the same list.
    """
    if engine.is_duckdb:
        return value.collect(order_by=list(order))
    fields = {f"_k{i}": key for i, key in enumerate(order)} | {"_v": value}
    structs = ibis.struct(fields).collect(where=value.notnull())
    return structs.sort().map(lambda item: item["_v"])


def name_key(value: ir.StringValue) -> ir.StringValue:
    """The matching form of a touchpoint or stage name: trimmed, lower-cased."""
    return value.strip().lower()


def check_gap(gap_days: float | None) -> None:
    """Reject a gap rule that is not a positive number of days."""
    if gap_days is not None and not (gap_days > 0):
        raise InputError("The gap that starts a new journey must be more than 0 days.")


def with_journeys(t: ir.Table, gap_days: float | None) -> ir.Table:
    """``t`` (events) with ``journey``: 1 without a gap rule, else the session number."""
    check_gap(gap_days)
    if gap_days is None:
        return t.mutate(journey=ibis.literal(1, type="int64"))
    by_customer = ibis.window(group_by=t.customer_id, order_by=order_keys(t))
    prev_at = t.occurred_at.lag().over(by_customer)
    gap = t.occurred_at.epoch_seconds() - prev_at.epoch_seconds()
    t = t.mutate(_new=ibis.ifelse(prev_at.isnull() | (gap > gap_days * 86400.0), 1, 0))
    running = ibis.window(
        group_by=t.customer_id, order_by=order_keys(t), preceding=None, following=0
    )
    return t.mutate(journey=t._new.sum().over(running).cast("int64")).drop("_new")


def journey_window(t: ir.Table, gap_days: float | None) -> Any:
    """The window over one journey in event order (partitioned by customer alone when
    there is no gap rule, so the engine sorts on the fewest keys)."""
    keys = [t.customer_id] if gap_days is None else [t.customer_id, t.journey]
    return ibis.window(group_by=keys, order_by=order_keys(t))


def journey_events(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
    collapse_repeats: bool = False,
    with_next: bool | Sequence[str] = True,
    with_step: bool = True,
    keep: Sequence[str] = ("channel", "stage"),
) -> ir.Table:
    """The filtered events as an ordered stream, one row per event (Ibis expression).

    Columns: ``customer_id, journey`` (1, 2, … per customer; always 1 without a gap
    rule), ``step`` (1-based position in the journey, with ``with_step``), ``event_id,
    occurred_at, touchpoint, channel, stage``, and with ``with_next`` the following
    event's ``next_touchpoint, next_channel, next_stage, next_at`` (missing on the last
    event); ``with_next`` may name the subset wanted, and ``keep`` the columns besides
    ``customer_id, event_id, occurred_at, touchpoint`` to carry (the engine sorts every
    carried column, so fewer is faster). With ``collapse_repeats`` the rows
    are the last event of each run of one touchpoint, so ``next_touchpoint`` is the next
    *other* touchpoint; ``step`` then counts the collapsed runs.
    """
    wanted = list(NEXT_COLUMNS) if with_next is True else list(with_next or ())
    if collapse_repeats and "next_touchpoint" not in wanted:
        wanted.append("next_touchpoint")
    needed = set(ORDER_COLUMNS) | {n.removeprefix("next_") for n in wanted} | set(keep)
    cols = [c for c in EVENT_COLUMNS if c in needed]
    t = filtered_events(engine, workspace, filters).select(*cols)
    if gap_days is not None:
        t = with_journeys(t, gap_days)
    w = journey_window(t, gap_days)
    # ``step`` in the same projection as the ``lead``s: one window, so one sort.
    step = {"step": ibis.row_number().over(w) + 1} if with_step and not collapse_repeats else {}
    t = t.mutate(**{name: t[name.removeprefix("next_")].lead().over(w) for name in wanted}, **step)
    if collapse_repeats:
        t = t.filter(t.next_touchpoint.isnull() | (t.next_touchpoint != t.touchpoint))
        if with_step:
            t = t.mutate(step=(ibis.row_number().over(journey_window(t, gap_days)) + 1))
    if with_step:
        t = t.mutate(step=t.step.cast("int64"))
    if gap_days is None:
        t = t.mutate(journey=ibis.literal(1, type="int64"))
    return t


def has_events(engine: Engine, workspace: str) -> bool:
    """True when the workspace has at least one event (regardless of filters)."""
    t = filtered_events(engine, workspace)
    return bool(engine.to_pandas(t.limit(1).count().as_table()).iloc[0, 0])


def event_summary(
    engine: Engine, workspace: str, filters: Filters | None = None
) -> dict[str, object]:
    """``events, customers, touchpoints, first_at, last_at`` of the filtered events."""
    t = filtered_events(engine, workspace, filters)
    expr = t.aggregate(
        events=t.count(),
        customers=t.customer_id.nunique(),
        touchpoints=t.touchpoint.nunique(),
        first_at=t.occurred_at.min(),
        last_at=t.occurred_at.max(),
    )
    row = engine.to_pandas(expr).iloc[0]
    return {
        "events": int(row["events"] or 0),
        "customers": int(row["customers"] or 0),
        "touchpoints": int(row["touchpoints"] or 0),
        "first_at": row["first_at"],
        "last_at": row["last_at"],
    }


def touchpoint_names(engine: Engine, workspace: str, filters: Filters | None = None) -> list[str]:
    """Touchpoints of the filtered events, most events first (then by name)."""
    t = filtered_events(engine, workspace, filters)
    expr = t.group_by("touchpoint").aggregate(n=t.count()).order_by([ibis.desc("n"), "touchpoint"])
    return [str(x) for x in engine.to_pandas(expr)["touchpoint"]]


def as_float(value: object) -> float:
    """``value`` as a float; NaN when it is missing or not a number."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
