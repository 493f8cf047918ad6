"""One small adapter around ``streamlit-agraph`` (vis-network), so the graph component
can be swapped or mocked in one place.

Safety: vis-network renders a node's or edge's ``title`` (the hover tooltip) as HTML
in the browser, so every title is HTML-escaped here. ``label`` is drawn on a canvas
as plain text (``font.multi`` stays off), so it is passed as text; control characters
are removed from both. Callers give plain user text and never escape it themselves.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_LABEL = 40


@dataclass(frozen=True)
class GraphNode:
    """A node: ``label`` is drawn inside/under it, ``title`` shows on hover (plain text)."""

    id: str
    label: str
    title: str = ""
    size: float = 20
    colour: str = "#0072B2"
    shape: str = "dot"
    level: int | None = None
    x: float | None = None
    y: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GraphEdge:
    """A directed edge between two node ids; ``title`` shows on hover (plain text)."""

    source: str
    target: str
    label: str = ""
    title: str = ""
    width: float = 1
    colour: str = "#9e9e9e"
    dashes: bool = False


def safe_label(text: object, limit: int = MAX_LABEL) -> str:
    """Plain text for a canvas label: no control characters, shortened with an ellipsis."""
    clean = _CONTROL.sub("", str(text)).strip()
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def safe_title(text: object) -> str:
    """A tooltip that the browser shows as text, never as markup.

    >>> safe_title('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(_CONTROL.sub("", str(text)), quote=True).replace("\n", "<br>")


def graph_payload(
    nodes: list[GraphNode], edges: list[GraphEdge]
) -> dict[str, list[dict[str, Any]]]:
    """The JSON-ready data the component receives (escaping applied).

    >>> p = graph_payload([GraphNode("1", "<b>x</b>", "<b>x</b>")], [])
    >>> p["nodes"][0]["title"], p["nodes"][0]["label"]
    ('&lt;b&gt;x&lt;/b&gt;', '<b>x</b>')
    """
    node_dicts = []
    for node in nodes:
        item: dict[str, Any] = {
            "id": node.id,
            "label": safe_label(node.label),
            "title": safe_title(node.title or node.label),
            "size": node.size,
            "color": node.colour,
            "shape": node.shape,
            "font": {"multi": False, "size": 16, "face": "sans-serif"},
        }
        if node.level is not None:
            item["level"] = node.level
        if node.x is not None and node.y is not None:
            item.update(x=node.x, y=node.y, fixed=True)
        item.update(node.extra)
        node_dicts.append(item)
    edge_dicts = [
        {
            "source": e.source,
            "from": e.source,
            "to": e.target,
            "label": safe_label(e.label),
            "title": safe_title(e.title or e.label),
            "width": e.width,
            "color": e.colour,
            "dashes": e.dashes,
            "font": {"multi": False, "size": 12},
        }
        for e in edges
    ]
    return {"nodes": node_dicts, "edges": edge_dicts}


def graph_config(
    *,
    height: int = 520,
    hierarchical: bool = False,
    direction: str = "LR",
    physics: bool = False,
    level_separation: int = 190,
    node_spacing: int = 110,
) -> dict[str, Any]:
    """The vis-network options used by :func:`render_graph`.

    Only options vis-network knows (it logs "Unknown option detected" for others, e.g.
    agraph's ``directed``); direction is drawn by ``edges.arrows``.
    """
    return {
        "height": f"{height}px",
        "width": "100%",
        "physics": {"enabled": physics, "stabilization": {"enabled": True, "fit": True}},
        "layout": {
            "hierarchical": {
                "enabled": hierarchical,
                "direction": direction,
                "sortMethod": "directed",
                "levelSeparation": level_separation,
                "nodeSpacing": node_spacing,
            }
        },
        "interaction": {"hover": True, "tooltipDelay": 120},
        "edges": {"arrows": "to", "smooth": {"enabled": True, "type": "cubicBezier"}},
    }


def render_graph(
    nodes: list[GraphNode],
    edges: list[GraphEdge],
    *,
    key: str,
    height: int = 520,
    hierarchical: bool = False,
    direction: str = "LR",
    physics: bool = False,
    level_separation: int = 190,
    node_spacing: int = 110,
) -> str | None:
    """Draw the graph with streamlit-agraph; returns the id of the clicked node, if any."""
    from streamlit_agraph import _agraph  # the component itself, so we can give it a key

    payload = graph_payload(nodes, edges)
    config = graph_config(
        height=height,
        hierarchical=hierarchical,
        direction=direction,
        physics=physics,
        level_separation=level_separation,
        node_spacing=node_spacing,
    )
    value = _agraph(data=json.dumps(payload), config=json.dumps(config), key=key, default=None)
    return str(value) if value not in (None, "") else None
