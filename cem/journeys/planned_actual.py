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
and touchpoints tables), so it does not depend on the journey editor's API; the event
side is Ibis over :func:`cem.analytics.filters.filtered_table`.

>>> match_key("  Phone Support ")
'phone support'
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics.events.flows import PATH_SEPARATOR, journey_events
from cem.analytics.filters import Filters, filtered_table
from cem.errors import NotFoundError
from cem.store.db import Database

MAX_EXAMPLES = 5


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


def _volumes(db: Database, workspace: str, filters: Filters | None) -> pd.DataFrame:
    t = filtered_table(db.ibis(), workspace, "events", filters)
    agg = t.group_by("touchpoint").aggregate(
        events=t.count(),
        customers=t.customer_id.nunique(),
        usual_stage=t.stage.mode(),
        usual_channel=t.channel.mode(),
    )
    df = agg.to_pandas()
    df["key"] = [match_key(x) for x in df["touchpoint"]]
    return df.astype({"events": "int64", "customers": "int64"})


def _placed_events(
    db: Database,
    workspace: str,
    filters: Filters | None,
    tp_map: dict[str, int],
    stage_map: dict[str, int],
    gap_days: float | None,
) -> ir.Table:
    """Events with their planned stage index ``idx``, consecutive repeats of the same
    stage collapsed, with ``next_idx`` (the next placed stage of the journey)."""
    ev = journey_events(db, workspace, filters, gap_days=gap_days, with_next=False)
    null = ibis.null().cast("int64")
    by_tp = _key(ev.touchpoint).substitute(tp_map, else_=null) if tp_map else null
    by_stage = _key(ev.stage).substitute(stage_map, else_=null) if stage_map else null
    ev = ev.mutate(idx=by_tp.coalesce(by_stage)).filter(ibis._.idx.notnull())
    w = ibis.window(group_by=[ev.customer_id, ev.journey], order_by=ev.step)
    ev = ev.mutate(_prev=ev.idx.lag().over(w))
    ev = ev.filter(ev._prev.isnull() | (ev._prev != ev.idx)).drop("_prev")
    w = ibis.window(group_by=[ev.customer_id, ev.journey], order_by=ev.step)
    return ev.mutate(next_idx=ev.idx.lead().over(w))


def compare(
    db: Database,
    workspace: str,
    journey_id: int,
    filters: Filters | None = None,
    *,
    gap_days: float | None = None,
) -> PlannedVsActual:
    """Compare the journey map ``journey_id`` with the workspace's filtered events."""
    name = journey_name(db, workspace, journey_id)
    stages, touchpoints = planned_journey(db, workspace, journey_id)
    stage_names = [s.name for s in stages]
    tp_map = touchpoint_stage_map(touchpoints)
    stage_map: dict[str, int] = {}
    for s in stages:
        stage_map.setdefault(match_key(s.name), s.index)

    volumes = _volumes(db, workspace, filters)
    events_by_key = volumes.groupby("key")["events"].sum().to_dict()
    tp_rows = []
    for tp in touchpoints:
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
    tp_df = pd.DataFrame(
        tp_rows,
        columns=[
            "stage_position",
            "stage",
            "position",
            "touchpoint",
            "events",
            "seen",
            "channel",
            "data_key",
        ],
    )
    # Position within its stage column (0, 1, ...) for the chart rows.
    if not tp_df.empty:
        tp_df["position"] = tp_df.groupby("stage_position").cumcount()
    tp_df = tp_df.astype({"events": "int64", "seen": bool})
    unseen = tp_df.loc[~tp_df["seen"], ["stage", "touchpoint", "channel", "data_key"]]
    unmapped = volumes[~volumes["key"].isin(tp_map.keys())]
    unmapped = unmapped.sort_values(["events", "touchpoint"], ascending=[False, True])[
        ["touchpoint", "events", "customers", "usual_stage", "usual_channel"]
    ]

    empty = _empty_result(name, stage_names, tp_df, unseen, unmapped)
    if not stages:
        return empty
    placed = _placed_events(db, workspace, filters, tp_map, stage_map, gap_days)
    per = placed.group_by(["customer_id", "journey"]).aggregate(
        furthest=placed.idx.max(),
        backwards=(placed.next_idx < placed.idx).any().coalesce(False),
        skipping=(placed.next_idx > placed.idx + 1).any().coalesce(False),
        seq=placed.idx.collect(order_by=placed.step),
    )
    totals = (
        per.aggregate(
            journeys=per.count(),
            backwards=per.backwards.sum(),
            skipping=per.skipping.sum(),
            in_order=(~per.backwards & ~per.skipping).sum(),
        )
        .to_pandas()
        .iloc[0]
    )
    if int(totals["journeys"] or 0) == 0:
        return empty
    furthest = per.group_by("furthest").aggregate(n=per.count()).to_pandas()
    visits = placed.select("customer_id", "journey", "idx").distinct()
    visited = visits.group_by("idx").aggregate(n=visits.count()).to_pandas()
    at = dict(zip(furthest["furthest"].astype(int), furthest["n"].astype(int), strict=True))
    vis = dict(zip(visited["idx"].astype(int), visited["n"].astype(int), strict=True))
    stage_rows = []
    for s in stages:
        reached = sum(n for f, n in at.items() if f >= s.index)
        nxt = sum(n for f, n in at.items() if f >= s.index + 1)
        last = s.index == len(stages) - 1
        dropped = 0 if last else reached - nxt
        stage_rows.append(
            {
                "position": s.index,
                "stage": s.name,
                "journeys": reached,
                "visited": vis.get(s.index, 0),
                "dropped": dropped,
                "drop_rate": dropped / reached if reached else 0.0,
            }
        )
    stage_df = pd.DataFrame(stage_rows)

    moved = placed.filter(placed.next_idx.notnull())
    per_move = moved.group_by(["customer_id", "journey", "idx", "next_idx"]).aggregate(
        n=moved.count()
    )
    moves = (
        per_move.group_by(["idx", "next_idx"])
        .aggregate(moves=per_move.n.sum(), journeys=per_move.count())
        .to_pandas()
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
    move_df = pd.DataFrame(
        move_rows, columns=["from_stage", "to_stage", "kind", "moves", "journeys"]
    )
    move_df = move_df.sort_values(
        ["journeys", "from_stage", "to_stage"], ascending=[False, True, True]
    ).reset_index(drop=True)

    example_rows = []
    for kind, flag in (("backwards", per.backwards), ("skip", per.skipping)):
        sample = per.filter(flag).order_by(["customer_id", "journey"]).limit(MAX_EXAMPLES)
        for r in sample.select("customer_id", "seq").to_pandas().itertuples():
            example_rows.append(
                {
                    "kind": kind,
                    "customer_id": str(r.customer_id),
                    "sequence": PATH_SEPARATOR.join(stage_names[int(i)] for i in r.seq),
                }
            )
    examples = pd.DataFrame(example_rows, columns=["kind", "customer_id", "sequence"])
    return PlannedVsActual(
        name,
        stage_df,
        tp_df,
        unseen.reset_index(drop=True),
        unmapped.reset_index(drop=True),
        move_df,
        examples,
        int(totals["journeys"]),
        int(totals["backwards"] or 0),
        int(totals["skipping"] or 0),
        int(totals["in_order"] or 0),
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
