"""A journey drafted from real data: stages and touchpoints in the order customers meet them.

"Don't start at a whiteboard": from the event log (customer, time, touchpoint, channel,
stage), each touchpoint gets

* ``position``: the **median relative position** of a customer's *first* visit in that
  customer's path (0 = first event, 1 = last event; a one-event path is 0),
* ``channel``: the channel most of its events use,
* ``customers`` (volume), ``events``, and ``drop_off``: the share of its customers whose
  path ends there,
* the customers' own emotion (:mod:`cem.journeys.data_emotion`: NPS/CSAT/CES rescaled to
  −2..+2, n-weighted) when responses name the touchpoint.

Stages: when the log has a stage column, each touchpoint goes to the stage most of its
events carry, and stages are ordered by the median position of their touchpoints; without
one, touchpoints are cut into up to :data:`UNSTAGED_STAGES` stages of equal count in
position order ("Step 1", …) for the team to rename. Within a stage, touchpoints are in
position order (ties: more customers first, then name).

Computed with Ibis on the engine (portable operations only); the draft is then created
as an ordinary journey the facilitator edits from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from cem.access.principal import Principal
from cem.analytics.engine import Engine
from cem.analytics.filters import Filters, filtered_table
from cem.errors import InputError
from cem.journeys.data_emotion import emotion_by_key, match_key
from cem.journeys.writes import create_journey

UNSTAGED_STAGES = 5
MAX_TOUCHPOINTS = 60


@dataclass(frozen=True)
class DraftTouchpoint:
    """One touchpoint of a draft, with what the data says about it."""

    name: str
    channel: str | None
    stage: str | None
    position: float
    customers: int
    events: int
    drop_off: float
    data_emotion: float | None = None
    n_responses: int = 0


@dataclass(frozen=True)
class Draft:
    """Stages in order, each with its touchpoints in order."""

    stages: list[tuple[str, list[DraftTouchpoint]]] = field(default_factory=list)
    customers: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"stages": [{"name": …, "touchpoints": [{"name": …, "channel": …, …}]}]}``."""
        return {
            "customers": self.customers,
            "stages": [
                {
                    "name": name,
                    "touchpoints": [
                        {
                            "name": tp.name,
                            "channel": tp.channel,
                            "customers": tp.customers,
                            "events": tp.events,
                            "drop_off": round(tp.drop_off, 4),
                            "median_position": round(tp.position, 4),
                            "data_emotion": None
                            if tp.data_emotion is None
                            else round(tp.data_emotion, 2),
                            "responses": tp.n_responses,
                        }
                        for tp in tps
                    ],
                }
                for name, tps in self.stages
            ],
        }


def touchpoint_positions(
    engine: Engine, workspace: str, filters: Filters | None = None
) -> pd.DataFrame:
    """Per touchpoint: position, channel, stage, customers, events, drop_off (see module)."""
    ev = filtered_table(engine, workspace, "events", filters)
    path = ibis.window(group_by="customer_id", order_by=[ev.occurred_at, ev.event_id])
    ev = ev.mutate(
        pos=ibis.row_number().over(path),
        length=ev.count().over(ibis.window(group_by="customer_id")),
    )
    ev = ev.mutate(
        rel=ibis.ifelse(
            ev.length > 1, ev.pos.cast("float64") / (ev.length - 1).cast("float64"), 0.0
        ),
        last=ev.pos == ev.length - 1,
    )
    firsts = ev.group_by(["customer_id", "touchpoint"]).aggregate(
        rel=ev.rel.min(), ended=ev.last.any()
    )
    per_tp = firsts.group_by("touchpoint").aggregate(
        position=firsts.rel.median(),
        customers=firsts.count(),
        ended=firsts.ended.sum().cast("int64"),
    )
    channels = (
        ev.filter(ev.channel.notnull())
        .group_by(["touchpoint", "channel"])
        .aggregate(n=ibis._.count())
    )
    stages = (
        ev.filter(ev.stage.notnull() & (ev.stage.strip() != ""))
        .group_by(["touchpoint", "stage"])
        .aggregate(n=ibis._.count())
    )
    volume = ev.group_by("touchpoint").aggregate(events=ev.count())
    frame = engine.to_pandas(per_tp.join(volume, "touchpoint"))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "touchpoint",
                "position",
                "customers",
                "events",
                "drop_off",
                "channel",
                "stage",
            ]
        )
    frame["drop_off"] = frame["ended"] / frame["customers"]
    for extra, column in ((channels, "channel"), (stages, "stage")):
        counts = engine.to_pandas(extra)
        best = counts.sort_values(
            ["touchpoint", "n", column], ascending=[True, False, True]
        ).drop_duplicates("touchpoint")[["touchpoint", column]]
        frame = frame.merge(best, on="touchpoint", how="left")
    frame = frame.astype({"customers": "int64", "events": "int64"})
    return frame[
        ["touchpoint", "position", "customers", "events", "drop_off", "channel", "stage"]
    ].reset_index(drop=True)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(
        ["position", "customers", "touchpoint"], ascending=[True, False, True]
    ).reset_index(drop=True)


def draft_from_events(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    max_touchpoints: int = MAX_TOUCHPOINTS,
) -> Draft:
    """The draft journey of a workspace's event log (InputError when there are no events)."""
    frame = touchpoint_positions(engine, workspace, filters)
    if frame.empty:
        raise InputError(
            f"Workspace '{workspace}' has no touchpoint events to draft a journey from: "
            "import an event log (customer, time, touchpoint) first."
        )
    frame = frame.sort_values(["customers", "touchpoint"], ascending=[False, True])
    frame = _order(frame.head(max_touchpoints))
    emotion: dict[str, tuple[float | None, int]] = {}
    if engine.database is not None:
        keys = tuple(sorted({match_key(t) for t in frame["touchpoint"]}))
        by_key = emotion_by_key(engine, workspace, keys, filters)
        for rec in by_key.to_dict("records"):
            value = rec["data_emotion"]
            emotion[rec["key"]] = (
                None if value is None or value != value else float(value),
                int(rec["n"]),
            )
    has_stages = frame["stage"].notna().any()
    if has_stages:
        frame["stage"] = frame["stage"].fillna("Other")
        order = frame.groupby("stage")["position"].median().sort_values(kind="stable")
        groups = [(name, _order(frame[frame["stage"] == name])) for name in order.index]
    else:
        size = max(1, math.ceil(len(frame) / UNSTAGED_STAGES))
        groups = [
            (f"Step {i // size + 1}", frame.iloc[i : i + size]) for i in range(0, len(frame), size)
        ]
    stages: list[tuple[str, list[DraftTouchpoint]]] = []
    for name, group in groups:
        tps = []
        for rec in group.to_dict("records"):
            data, n = emotion.get(match_key(rec["touchpoint"]), (None, 0))
            channel = rec["channel"] if isinstance(rec["channel"], str) else None
            tps.append(
                DraftTouchpoint(
                    name=str(rec["touchpoint"]),
                    channel=channel.lower() if channel else None,
                    stage=str(name),
                    position=float(rec["position"]),
                    customers=int(rec["customers"]),
                    events=int(rec["events"]),
                    drop_off=float(rec["drop_off"]),
                    data_emotion=data,
                    n_responses=n,
                )
            )
        stages.append((str(name), tps))
    customers = int(
        engine.to_pandas(
            filtered_table(engine, workspace, "events", filters)
            .customer_id.nunique()
            .name("n")
            .as_table()
        )["n"].iloc[0]
    )
    return Draft(stages, customers)


def _describe(tp: DraftTouchpoint) -> str:
    text = f"{tp.customers:,} customers · {tp.drop_off:.0%} of them end here"
    if tp.data_emotion is not None:
        text += f" · customers' emotion {tp.data_emotion:+.1f} (n={tp.n_responses:,})"
    return text


def create_draft_journey(
    engine: Engine,
    workspace: str,
    name: str,
    *,
    actor: Principal,
    filters: Filters | None = None,
    persona: str | None = None,
    author: str | None = None,
) -> int:
    """Create a journey from :func:`draft_from_events`; returns its id.

    Each card gets its channel, the data key of its name (so the customers' curve and KPIs
    follow it), the volume and drop-off as its note, and — as a starting point the team
    can change — the customers' emotion rounded to a face.
    """
    if engine.database is None:
        raise InputError("A draft journey is saved in Touchpoint's own database.")
    draft = draft_from_events(engine, workspace, filters)
    outline = [
        (
            stage,
            [
                {
                    "name": tp.name,
                    "channel": tp.channel,
                    "data_key": tp.name,
                    "description": _describe(tp),
                    "emotion": None
                    if tp.data_emotion is None
                    else max(-2, min(2, round(tp.data_emotion))),
                    "pain_point": tp.drop_off >= 0.25 and tp.customers >= 30,
                    "pain_note": f"{tp.drop_off:.0%} of customers stop here"
                    if tp.drop_off >= 0.25 and tp.customers >= 30
                    else None,
                }
                for tp in tps
            ],
        )
        for stage, tps in draft.stages
    ]
    return create_journey(
        engine.database,
        workspace,
        name,
        actor=actor,
        persona=persona,
        description=f"Drafted from the event log of {draft.customers:,} customers.",
        outline=outline,
        author=author,
        action=f"Drafted journey '{name}' from the event log",
    )
