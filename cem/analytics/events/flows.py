"""Journey analytics from event logs, in one namespace: transitions, paths, funnels,
timing, channels and outcomes.

The code lives in the modules of :mod:`cem.analytics.events` (``stream``,
``transitions``, ``paths``, ``funnels``, ``outcomes``); this module re-exports their
public functions so callers can write ``from cem.analytics.events import flows as ja``.
Every function takes an :class:`~cem.analytics.engine.Engine` first.
"""

from __future__ import annotations

from cem.analytics.events.funnels import (
    FunnelMode,
    clean_steps,
    distinct_steps,
    funnel_frame,
    observed_stage_order,
    stage_funnel,
    stage_reach,
    time_between_stages,
    touchpoint_funnel,
)
from cem.analytics.events.outcomes import (
    OTHER_PATHS,
    frequency_label,
    outcomes_by_path,
    outcomes_by_touchpoint_count,
)
from cem.analytics.events.paths import journey_paths, top_paths
from cem.analytics.events.stream import (
    CONTINUES,
    JOURNEY_KEYS,
    MAX_FUNNEL_STEPS,
    NO_CHANNEL,
    PATH_SEPARATOR,
    event_summary,
    filtered_events,
    has_events,
    journey_events,
    touchpoint_names,
)
from cem.analytics.events.transitions import (
    channel_switches,
    flow_figures,
    switch_summary,
    touchpoint_stats,
    transition_totals,
    transitions,
)

__all__ = [
    "CONTINUES",
    "JOURNEY_KEYS",
    "MAX_FUNNEL_STEPS",
    "NO_CHANNEL",
    "OTHER_PATHS",
    "PATH_SEPARATOR",
    "FunnelMode",
    "channel_switches",
    "clean_steps",
    "distinct_steps",
    "event_summary",
    "flow_figures",
    "filtered_events",
    "frequency_label",
    "funnel_frame",
    "has_events",
    "journey_events",
    "journey_paths",
    "observed_stage_order",
    "outcomes_by_path",
    "outcomes_by_touchpoint_count",
    "stage_funnel",
    "stage_reach",
    "switch_summary",
    "time_between_stages",
    "top_paths",
    "touchpoint_funnel",
    "touchpoint_names",
    "touchpoint_stats",
    "transition_totals",
    "transitions",
]
