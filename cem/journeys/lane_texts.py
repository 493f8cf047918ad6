"""What each lane says per stage, as plain text: the page's read-only lanes, the poster
export and the CSV of lanes all use :func:`lane_texts`.

>>> from cem.journeys.model import Journey, Lane, Stage, Touchpoint
>>> tp = Touchpoint(1, 10, 0, "Till", channel="store", pain_point=True, pain_note="Queue")
>>> j = Journey(1, "w", "Shop", None, None, 1, None, None,
...             (Stage(10, 0, "Buy", 1, (tp,), (("goals", "Pay fast", 1),)),),
...             lanes=(Lane("goals", "Goals", "text"), Lane("pain_points", "Pain", "pain_points")))
>>> lane_texts(j)
[('goals', 'text', 'Goals', ['Pay fast']), ('pain_points', 'pain_points', 'Pain', ['⚠ Till: Queue'])]
"""

from __future__ import annotations

import pandas as pd

from cem.format import format_nps, format_percent
from cem.journeys.data_emotion import match_key
from cem.journeys.lanes import TEXT, visible_lanes
from cem.journeys.model import Journey, Stage
from cem.journeys.presentation import channel_icon

LOW_N = 30  # DESIGN.md: a KPI from fewer answers is low-confidence


def _kpi_line(name: str, row: dict | None) -> str:
    if row is None:
        return f"{name}: no answers"
    parts = []
    if row.get("nps_n"):
        parts.append(f"NPS {format_nps(row['nps'], row['nps_moe'], int(row['nps_n']))}")
    if row.get("csat_n"):
        parts.append(f"CSAT {format_percent(row['csat'], int(row['csat_n']))}")
    low = min(int(row.get("nps_n") or 10**9), int(row.get("csat_n") or 10**9)) < LOW_N
    return f"{name}: " + " · ".join(parts) + (" (low n)" if low else "")


def stage_text(kind: str, key: str, stage: Stage, kpis: dict[str, dict] | None = None) -> str:
    """The text of one built-in or text lane in one stage (one line per item)."""
    tps = stage.touchpoints
    if kind == TEXT:
        return stage.cell(key)
    if kind == "touchpoints":
        return "\n".join(tp.name for tp in tps)
    if kind == "channels":
        seen: list[str] = []
        for tp in tps:
            if tp.channel and tp.channel not in seen:
                seen.append(tp.channel)
        return " · ".join(f"{channel_icon(c)} {c}" for c in seen)
    if kind == "pain_points":
        return "\n".join(
            f"⚠ {tp.name}" + (f": {tp.pain_note}" if tp.pain_note else "")
            for tp in tps
            if tp.pain_point
        )
    if kind == "opportunities":
        return "\n".join(f"💡 {tp.name}: {tp.opportunity}" for tp in tps if tp.opportunity)
    if kind == "owner":
        owners: list[str] = []
        for tp in tps:
            if tp.owner and tp.owner not in owners:
                owners.append(tp.owner)
        return ", ".join(owners)
    if kind == "kpis":
        table = kpis or {}
        return "\n".join(
            _kpi_line(tp.name, table.get(match_key(tp.data_key or tp.name))) for tp in tps
        )
    return ""


def kpi_lookup(kpis: pd.DataFrame | None) -> dict[str, dict]:
    """:func:`cem.journeys.data_emotion.touchpoint_kpis` output keyed by match key."""
    if kpis is None or kpis.empty:
        return {}
    return {str(r["key"]): r for r in kpis.to_dict("records")}


def lane_texts(
    journey: Journey, kpis: pd.DataFrame | None = None, *, with_hidden: bool = False
) -> list[tuple[str, str, str, list[str]]]:
    """``[(lane key, kind, label, [text per stage]), ...]`` for the shown lanes, in order."""
    table = kpi_lookup(kpis)
    lanes = journey.lanes if with_hidden else visible_lanes(journey.lanes)
    return [
        (
            lane.key,
            lane.kind,
            lane.label,
            [stage_text(lane.kind, lane.key, s, table) for s in journey.stages],
        )
        for lane in lanes
    ]
