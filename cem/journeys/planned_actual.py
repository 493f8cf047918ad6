"""Planned vs actual: a journey map (the plan) against the event log (what happened).

For a chosen journey of the workspace this module reports

* planned touchpoints never seen in the (filtered) events,
* observed touchpoints missing from the map, with their volumes,
* the observed stage order against the planned one: journeys going backwards (a move to
  an earlier planned stage) or skipping (a move forward over at least one planned stage),
  with example customers,
* the reach and drop-off at each planned stage (the stage funnel of
  :mod:`cem.analytics.events.flows`, "reached" mode, with the planned stage order).

Matching: an event's touchpoint matches a planned touchpoint when it equals, ignoring case
and surrounding spaces, the touchpoint's ``data_key`` or its ``name``. An event is placed
in the planned stage of its matching touchpoint (the earliest stage if several match);
an event whose touchpoint is not on the map is placed by its ``stage`` column when that
names a planned stage; other events have no planned stage and are left out of the order
and funnel figures.

The plan is read with a small parameterised SQL query of this module (journeys, stages
and touchpoints tables) into a :class:`Plan` (frozen, hashable: it keys the page cache
together with the workspace, the filters and the data revision, so editing the map or
importing events recomputes). The event side is Ibis on the analytics
:class:`~cem.analytics.engine.Engine`, in one ordered pass: each journey's placed events
get the next placed stage (one ``lead`` window), and only the last event of each run of
one stage is kept. That relation, the per-journey stage sequence, is materialised once
(``Table.cache``) and every figure is a small aggregate over it.

>>> match_key("  Phone Support ")
'phone support'
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.events.stream import (
    PATH_SEPARATOR,
    check_gap,
    filtered_events,
    journey_window,
    ordered_list,
    with_journeys,
)
from cem.analytics.filters import Filters
from cem.analytics.most_common import with_most_common
from cem.errors import NotFoundError
from cem.store.db import Database

MAX_EXAMPLES = 5
TOUCHPOINT_COLUMNS = [
    "stage_position",
    "stage",
    "position",
    "touchpoint",
    "events",
    "seen",
    "channel",
    "data_key",
]
MOVE_COLUMNS = ["from_stage", "to_stage", "kind", "moves", "journeys"]


@dataclass(frozen=True)
class PlannedStage:
    """A stage of the plan; ``index`` is its 0-based place in the planned order."""

    stage_id: int
    index: int
    name: str


@dataclass(frozen=True)
class PlannedTouchpoint:
    """A touchpoint of the plan, with the place of its stage."""

    touchpoint_id: int
    stage_index: int
    stage: str
    position: int
    name: str
    channel: str | None
    data_key: str | None


@dataclass(frozen=True)
class PlannedVsActual:
    """Everything the planned-vs-actual view shows (DataFrames have plain columns)."""

    journey_name: str
    stages: pd.DataFrame  # position, stage, journeys, visited, dropped, drop_rate
    touchpoints: pd.DataFrame  # stage_position, stage, position, touchpoint, events, seen
    unseen: pd.DataFrame  # stage, touchpoint, channel, data_key
    unmapped: pd.DataFrame  # touchpoint, events, customers, usual_stage, usual_channel
    moves: pd.DataFrame  # from_stage, to_stage, kind, moves, journeys
    examples: pd.DataFrame  # kind, customer_id, sequence
    journeys: int  # journeys with at least one event placed in a planned stage
    backwards: int
    skipping: int
    in_order: int  # neither backwards nor skipping

    def share(self, count: int) -> float:
        """``count`` as a share of the placed journeys (0 when there are none)."""
        return count / self.journeys if self.journeys else 0.0


def match_key(text: object) -> str:
    """The form used to match touchpoint and stage names: trimmed, case-folded."""
    return str(text).strip().casefold()


def _key(value: ir.StringValue) -> ir.StringValue:
    # Ibis lower() is the SQL lower(); names that need full case-folding (ß) are rare.
    return value.strip().lower()


def journey_name(db: Database, workspace: str, journey_id: int) -> str:
    """The journey's name; :class:`NotFoundError` when it is not in this workspace."""
    row = db.execute(
        "SELECT name FROM journeys WHERE journey_id = ? AND workspace = ?", [journey_id, workspace]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"There is no journey {journey_id} in workspace '{workspace}'.")
    return str(row[0])


def planned_journey(
    db: Database, workspace: str, journey_id: int
) -> tuple[list[PlannedStage], list[PlannedTouchpoint]]:
    """The plan: stages in order and their touchpoints in order."""
    journey_name(db, workspace, journey_id)
    stage_rows = db.execute(
        "SELECT s.stage_id, s.name FROM stages s JOIN journeys j USING (journey_id) "
        "WHERE j.workspace = ? AND s.journey_id = ? ORDER BY s.position, s.stage_id",
        [workspace, journey_id],
    ).fetchall()
    stages = [PlannedStage(int(sid), i, str(name)) for i, (sid, name) in enumerate(stage_rows)]
    index = {s.stage_id: s for s in stages}
    tp_rows = db.execute(
        "SELECT t.touchpoint_id, t.stage_id, t.position, t.name, t.channel, t.data_key "
        "FROM touchpoints t JOIN journeys j USING (journey_id) "
        "WHERE j.workspace = ? AND t.journey_id = ? ORDER BY t.position, t.touchpoint_id",
        [workspace, journey_id],
    ).fetchall()
    touchpoints = []
    for tid, sid, pos, name, channel, data_key in tp_rows:
        stage = index.get(int(sid))
        if stage is None:
            continue
        touchpoints.append(
            PlannedTouchpoint(
                int(tid), stage.index, stage.name, int(pos), str(name), channel, data_key
            )
        )
    touchpoints.sort(key=lambda t: (t.stage_index, t.position, t.touchpoint_id))
    return stages, touchpoints


def _keys_of(tp: PlannedTouchpoint) -> set[str]:
    keys = {match_key(tp.name)}
    if tp.data_key and tp.data_key.strip():
        keys.add(match_key(tp.data_key))
    return keys


def touchpoint_stage_map(touchpoints: list[PlannedTouchpoint]) -> dict[str, int]:
    """Matching key -> planned stage index (the earliest stage when a key repeats).

    >>> tp = PlannedTouchpoint(1, 2, "Buy", 0, "Checkout", "web", "checkout_v2")
    >>> sorted(touchpoint_stage_map([tp]).items())
    [('checkout', 2), ('checkout_v2', 2)]
    """
    out: dict[str, int] = {}
    for tp in touchpoints:
        for key in _keys_of(tp):
            out[key] = min(out.get(key, tp.stage_index), tp.stage_index)
    return out


@dataclass(frozen=True)
class Plan:
    """A journey map as the comparison needs it: name, stages and touchpoints in order."""

    journey_id: int
    name: str
    stages: tuple[PlannedStage, ...]
    touchpoints: tuple[PlannedTouchpoint, ...]

    def stage_map(self) -> dict[str, int]:
        """Matching key of a stage name -> its index (the first stage of a repeated name)."""
        out: dict[str, int] = {}
        for s in self.stages:
            out.setdefault(match_key(s.name), s.index)
        return out


def load_plan(db: Database, workspace: str, journey_id: int) -> Plan:
    """The journey map ``journey_id`` of ``workspace``; :class:`NotFoundError` if absent."""
    name = journey_name(db, workspace, journey_id)
    stages, touchpoints = planned_journey(db, workspace, journey_id)
    return Plan(journey_id, name, tuple(stages), tuple(touchpoints))


def _volumes(engine: Engine, workspace: str, filters: Filters | None) -> pd.DataFrame:
    t = filtered_events(engine, workspace, filters)
    agg = t.group_by("touchpoint").aggregate(events=t.count(), customers=t.customer_id.nunique())
    usual = {"stage": "usual_stage", "channel": "usual_channel"}
    agg = with_most_common(agg, t, "touchpoint", usual)
    df = engine.to_pandas(agg)
    df["key"] = [match_key(x) for x in df["touchpoint"]]
    return df.astype({"events": "int64", "customers": "int64"})


def stage_sequence(
    engine: Engine,
    workspace: str,
    filters: Filters | None,
    plan: Plan,
    gap_days: float | None = None,
) -> ir.Table:
    """The per-journey planned-stage sequence, one row per run of one stage.

    Columns ``customer_id, journey, idx`` (planned stage index), ``next_idx`` (the next
    *other* placed stage of the journey; missing at its end), ``occurred_at, event_id``
    (of the run's last event, for ordering). Consecutive events in the same stage are
    one run, so ``idx → next_idx`` are the journey's stage moves.
    """
    tp_map = touchpoint_stage_map(list(plan.touchpoints))
    stage_map = plan.stage_map()
    t = filtered_events(engine, workspace, filters)
    t = t.select("customer_id", "event_id", "occurred_at", "touchpoint", "stage")
    if gap_days is not None:
        t = with_journeys(t, gap_days)
    null = ibis.null().cast("int64")
    by_tp = _key(t.touchpoint).substitute(tp_map, else_=null) if tp_map else null
    by_stage = _key(t.stage).substitute(stage_map, else_=null) if stage_map else null
    placed = t.mutate(idx=by_tp.coalesce(by_stage))
    placed = placed.filter(placed.idx.notnull()).select(
        "customer_id",
        *(["journey"] if gap_days is not None else []),
        "idx",
        "occurred_at",
        "event_id",
    )
    w = journey_window(placed, gap_days)
    placed = placed.mutate(next_idx=placed.idx.lead().over(w))
    runs = placed.filter(placed.next_idx.isnull() | (placed.next_idx != placed.idx))
    if gap_days is None:
        runs = runs.mutate(journey=ibis.literal(1, type="int64"))
    return runs


def _touchpoint_frames(
    plan: Plan, volumes: pd.DataFrame, tp_map: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(planned touchpoints with their event counts, unseen ones, unmapped observed ones)."""
    events_by_key = volumes.groupby("key")["events"].sum().to_dict()
    tp_rows = []
    for tp in plan.touchpoints:
        events = sum(int(events_by_key.get(k, 0)) for k in _keys_of(tp))
        tp_rows.append(
            {
                "stage_position": tp.stage_index,
                "stage": tp.stage,
                "position": tp.position,
                "touchpoint": tp.name,
                "events": events,
                "seen": events > 0,
                "channel": tp.channel,
                "data_key": tp.data_key,
            }
        )
    tp_df = pd.DataFrame(tp_rows, columns=TOUCHPOINT_COLUMNS)
    # Position within its stage column (0, 1, ...) for the chart rows.
    if not tp_df.empty:
        tp_df["position"] = tp_df.groupby("stage_position").cumcount()
    tp_df = tp_df.astype({"events": "int64", "seen": bool})
    unseen = tp_df.loc[~tp_df["seen"], ["stage", "touchpoint", "channel", "data_key"]]
    unmapped = volumes[~volumes["key"].isin(tp_map.keys())]
    unmapped = unmapped.sort_values(["events", "touchpoint"], ascending=[False, True])[
        ["touchpoint", "events", "customers", "usual_stage", "usual_channel"]
    ]
    return tp_df, unseen.reset_index(drop=True), unmapped.reset_index(drop=True)


def compare(
    engine: Engine,
    workspace: str,
    plan: Plan,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
) -> PlannedVsActual:
    """Compare the journey map ``plan`` (:func:`load_plan`) with the filtered events."""
    check_gap(gap_days)
    stage_names = [s.name for s in plan.stages]
    tp_map = touchpoint_stage_map(list(plan.touchpoints))
    volumes = _volumes(engine, workspace, filters)
    tp_df, unseen, unmapped = _touchpoint_frames(plan, volumes, tp_map)
    empty = _empty_result(plan.name, stage_names, tp_df, unseen, unmapped)
    if not plan.stages:
        return empty
    runs = stage_sequence(engine, workspace, filters, plan, gap_days).cache()
    try:
        return _from_runs(engine, runs, plan, tp_df, unseen, unmapped) or empty
    finally:
        runs.release()


def _from_runs(
    engine: Engine,
    runs: ir.Table,
    plan: Plan,
    tp_df: pd.DataFrame,
    unseen: pd.DataFrame,
    unmapped: pd.DataFrame,
) -> PlannedVsActual | None:
    """The order, reach and move figures from the materialised stage sequence (``None``
    when no event is placed)."""
    n = len(plan.stages)
    stage_names = [s.name for s in plan.stages]
    keys = ["customer_id", "journey"]
    per = runs.group_by(keys).aggregate(
        furthest=runs.idx.max(),
        backwards=(runs.next_idx < runs.idx).any().coalesce(False),
        skipping=(runs.next_idx > runs.idx + 1).any().coalesce(False),
        **{f"v{i}": (runs.idx == i).any() for i in range(n)},
    )
    totals = engine.to_pandas(
        per.aggregate(
            journeys=per.count(),
            backwards=per.backwards.cast("int64").sum(),
            skipping=per.skipping.cast("int64").sum(),
            in_order=(~per.backwards & ~per.skipping).cast("int64").sum(),
            **{f"r{i}": (per.furthest >= i).cast("int64").sum() for i in range(n)},
            **{f"v{i}": per[f"v{i}"].cast("int64").sum() for i in range(n)},
        )
    ).iloc[0]
    journeys = int(totals["journeys"] or 0)
    if journeys == 0:
        return None
    reached = [int(totals[f"r{i}"] or 0) for i in range(n)]
    stage_rows = []
    for s in plan.stages:
        last = s.index == n - 1
        dropped = 0 if last else reached[s.index] - reached[s.index + 1]
        stage_rows.append(
            {
                "position": s.index,
                "stage": s.name,
                "journeys": reached[s.index],
                "visited": int(totals[f"v{s.index}"] or 0),
                "dropped": dropped,
                "drop_rate": dropped / reached[s.index] if reached[s.index] else 0.0,
            }
        )
    moved = runs.filter(runs.next_idx.notnull())
    per_move = moved.group_by([*keys, "idx", "next_idx"]).aggregate(n=moved.count())
    moves = engine.to_pandas(
        per_move.group_by(["idx", "next_idx"]).aggregate(
            moves=per_move.n.sum(), journeys=per_move.count()
        )
    )
    move_rows = []
    for r in moves.itertuples():
        a, b = int(r.idx), int(r.next_idx)
        kind = "backwards" if b < a else ("skip" if b > a + 1 else "next stage")
        move_rows.append(
            {
                "from_stage": stage_names[a],
                "to_stage": stage_names[b],
                "kind": kind,
                "moves": int(r.moves),
                "journeys": int(r.journeys),
            }
        )
    move_df = pd.DataFrame(move_rows, columns=MOVE_COLUMNS).sort_values(
        ["journeys", "from_stage", "to_stage"], ascending=[False, True, True]
    )
    examples = _examples(engine, runs, per, stage_names)
    return PlannedVsActual(
        plan.name,
        pd.DataFrame(stage_rows),
        tp_df,
        unseen,
        unmapped,
        move_df.reset_index(drop=True),
        examples,
        journeys,
        int(totals["backwards"] or 0),
        int(totals["skipping"] or 0),
        int(totals["in_order"] or 0),
    )


def _examples(
    engine: Engine, runs: ir.Table, per: ir.Table, stage_names: list[str]
) -> pd.DataFrame:
    """Up to :data:`MAX_EXAMPLES` journeys that go backwards and that skip (first by
    customer id), with the stages they visited."""
    picked = []
    for kind, flag in (("backwards", per.backwards), ("skip", per.skipping)):
        sample = per.filter(flag).order_by(["customer_id", "journey"]).limit(MAX_EXAMPLES)
        picked.append(sample.select("customer_id", "journey", kind=ibis.literal(kind)))
    chosen = picked[0].union(picked[1])
    j = runs.join(chosen, ["customer_id", "journey"])
    seqs = j.group_by(["kind", "customer_id", "journey"]).aggregate(
        seq=ordered_list(engine, j.idx, [j.occurred_at, j.event_id])
    )
    df = engine.to_pandas(seqs)
    rows = [
        {
            "kind": r.kind,
            "customer_id": str(r.customer_id),
            "sequence": PATH_SEPARATOR.join(stage_names[int(i)] for i in r.seq),
            "_order": (0 if r.kind == "backwards" else 1, str(r.customer_id), int(r.journey)),
        }
        for r in df.itertuples()
    ]
    rows.sort(key=lambda r: r["_order"])
    return pd.DataFrame(
        [{k: v for k, v in r.items() if k != "_order"} for r in rows],
        columns=["kind", "customer_id", "sequence"],
    )


def _empty_result(
    name: str,
    stage_names: list[str],
    tp_df: pd.DataFrame,
    unseen: pd.DataFrame,
    unmapped: pd.DataFrame,
) -> PlannedVsActual:
    stage_df = pd.DataFrame(
        {
            "position": range(len(stage_names)),
            "stage": stage_names,
            "journeys": 0,
            "visited": 0,
            "dropped": 0,
            "drop_rate": 0.0,
        }
    )
    return PlannedVsActual(
        name,
        stage_df,
        tp_df,
        unseen.reset_index(drop=True),
        unmapped.reset_index(drop=True),
        pd.DataFrame(columns=["from_stage", "to_stage", "kind", "moves", "journeys"]),
        pd.DataFrame(columns=["kind", "customer_id", "sequence"]),
        0,
        0,
        0,
        0,
    )


def list_journeys(db: Database, workspace: str) -> list[tuple[int, str]]:
    """(journey_id, name) of the workspace's journey maps, by name."""
    rows = db.execute(
        "SELECT journey_id, name FROM journeys WHERE workspace = ? "
        "ORDER BY lower(name), journey_id",
        [workspace],
    ).fetchall()
    return [(int(j), str(n)) for j, n in rows]


def planned_stage_names(db: Database, workspace: str, journey_id: int) -> list[str]:
    """The journey map's stage names in the planned order."""
    stages, _ = planned_journey(db, workspace, journey_id)
    return [s.name for s in stages]
