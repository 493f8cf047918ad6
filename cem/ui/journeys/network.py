"""The transition network of the Journey analytics page, as graph-adapter nodes and edges.

:func:`transition_network` is pure (frames in, :class:`~cem.ui.graph.GraphNode` /
:class:`~cem.ui.graph.GraphEdge` out); the adapter :mod:`cem.ui.graph` escapes every
label and tooltip. Only the ``top_n`` busiest moves are drawn so the picture stays
readable; exits go to one grey "Exit" node. Nodes are laid out left to right by their
usual stage (in ``stage_order``) or, without stages, by their average step.

>>> import pandas as pd
>>> tr = pd.DataFrame({"source": ["A", "B"], "target": ["B", None], "is_exit": [False, True],
...                    "transitions": [3, 3], "share": [1.0, 1.0]})
>>> st_ = pd.DataFrame({"touchpoint": ["A", "B"], "events": [3, 3], "journeys": [3, 3],
...                     "exits": [0, 3], "mean_step": [1.0, 2.0], "usual_stage": [None, None]})
>>> nodes, edges = transition_network(tr, st_, top_n=5)
>>> [n.label for n in nodes], [(e.source, e.target) for e in edges]
(['A', 'B', 'Exit'], [('tp:0', 'tp:1'), ('tp:1', 'exit')])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from cem.ui.graph import GraphEdge, GraphNode

EXIT_ID = "exit"
EXIT_LABEL = "Exit"
NODE_COLOUR = "#0072B2"
START_COLOUR = "#009E73"
EXIT_COLOUR = "#7f7f7f"
EDGE_COLOUR = "#8aa6c1"
EXIT_EDGE_COLOUR = "#c7c7c7"
X_STEP = 125.0
Y_STEP = 150.0
STEP_COLUMNS = 6  # columns of a graph laid out by average step (no stages)


def _size(value: float, top: float, low: float = 10.0, high: float = 32.0) -> float:
    if top <= 0:
        return low
    return low + (high - low) * math.sqrt(max(value, 0) / top)


def _width(value: float, top: float, low: float = 1.0, high: float = 12.0) -> float:
    if top <= 0:
        return low
    return low + (high - low) * max(value, 0) / top


def _levels(stats: pd.DataFrame, names: list[str], stage_order: Sequence[str]) -> dict[str, int]:
    """Column of each node: its usual stage's place in ``stage_order`` when every node has
    one, else the rank of its average step in a journey."""
    rows = stats.set_index("touchpoint") if not stats.empty else stats
    order = {s.strip().lower(): i for i, s in enumerate(stage_order)}
    by_stage: dict[str, int] = {}
    for name in names:
        stage = rows.loc[name, "usual_stage"] if name in rows.index else None
        if isinstance(stage, str) and stage.strip().lower() in order:
            by_stage[name] = order[stage.strip().lower()]
    if order and len(by_stage) == len(names):
        return by_stage
    step = {n: round(float(rows.loc[n, "mean_step"])) if n in rows.index else 0 for n in names}
    steps = sorted(set(step.values()))
    # At most STEP_COLUMNS columns (nodes share one, stacked): one column per distinct
    # average step put every node of a log without stages on a single row, labels overlapping.
    columns = min(len(steps), STEP_COLUMNS)
    rank = {s: i * columns // len(steps) for i, s in enumerate(steps)}
    return {n: rank[step[n]] for n in names}


def transition_network(
    transitions: pd.DataFrame,
    stats: pd.DataFrame,
    *,
    top_n: int = 25,
    stage_order: Sequence[str] = (),
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Nodes (touchpoints sized by events, plus "Exit") and the ``top_n`` busiest edges
    (width by transitions, label = share of departures from the source)."""
    if transitions.empty:
        return [], []
    top = transitions.sort_values(["transitions", "source"], ascending=[False, True]).head(
        max(1, int(top_n))
    )
    names = sorted(
        {str(s) for s in top["source"]}
        | {str(t) for t, ex in zip(top["target"], top["is_exit"], strict=True) if not ex}
    )
    ids = {name: f"tp:{i}" for i, name in enumerate(names)}
    stats_rows = stats.set_index("touchpoint") if not stats.empty else stats
    levels = _levels(stats, names, stage_order)
    max_events = float(stats["events"].max()) if not stats.empty else 0.0
    per_level: dict[int, int] = {}
    nodes: list[GraphNode] = []
    ordered = sorted(names, key=lambda n: (levels.get(n, 0), -_events(stats_rows, n), n))
    for name in ordered:
        level = levels.get(name, 0)
        slot = per_level.get(level, 0)
        per_level[level] = slot + 1
        events = _events(stats_rows, name)
        journeys = _value(stats_rows, name, "journeys")
        exits = _value(stats_rows, name, "exits")
        starts = _value(stats_rows, name, "starts")
        title = (
            f"{name}\n{events:,} events · {journeys:,} journeys\n"
            f"{starts:,} start here · {exits:,} end here"
        )
        nodes.append(
            GraphNode(
                ids[name],
                name,
                title,
                size=_size(events, max_events),
                colour=NODE_COLOUR,
                x=level * X_STEP,
                y=_y(slot),
                # Long names wrap within their column instead of running into the next.
                extra={"widthConstraint": {"maximum": X_STEP - 15}},
            )
        )
    has_exit = bool(top["is_exit"].any())
    if has_exit:
        exits_total = int(transitions.loc[transitions["is_exit"], "transitions"].sum())
        last = max(levels.values(), default=0) + 1
        nodes.append(
            GraphNode(
                EXIT_ID,
                EXIT_LABEL,
                f"Journeys end: {exits_total:,}",
                size=_size(exits_total, max(max_events, exits_total)),
                colour=EXIT_COLOUR,
                shape="box",
                x=last * X_STEP,
                y=0.0,
            )
        )
    max_tr = float(top["transitions"].max())
    edges: list[GraphEdge] = []
    for r in top.itertuples():
        source = ids[str(r.source)]
        target = EXIT_ID if r.is_exit else ids[str(r.target)]
        target_name = EXIT_LABEL if r.is_exit else str(r.target)
        share = float(r.share)
        title = (
            f"{r.source} → {target_name}\n{int(r.transitions):,} moves "
            f"({share:.0%} of departures from {r.source})"
        )
        edges.append(
            GraphEdge(
                source,
                target,
                label=f"{share:.0%}",
                title=title,
                width=_width(float(r.transitions), max_tr),
                colour=EXIT_EDGE_COLOUR if r.is_exit else EDGE_COLOUR,
                dashes=bool(r.is_exit),
            )
        )
    return nodes, edges


def _y(slot: int) -> float:
    # 0, +1, -1, +2, -2 ... rows around the middle line.
    half = (slot + 1) // 2
    return (half if slot % 2 else -half) * Y_STEP


def _value(rows: pd.DataFrame, name: str, column: str) -> int:
    if rows.empty or name not in rows.index or column not in rows.columns:
        return 0
    value = rows.loc[name, column]
    return int(value) if value == value else 0


def _events(rows: pd.DataFrame, name: str) -> int:
    return _value(rows, name, "events")
