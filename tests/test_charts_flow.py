"""The journey-flow chart builders are pure: a frame in, a Vega-Lite spec out."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cem.charts import flow
from cem.ui.journeys.network import EXIT_ID, transition_network

XSS = "<img src=x onerror=alert(1)>"


def layer_values(spec: dict, index: int = 0) -> list[dict]:
    data = spec.get("data") or spec["layer"][index].get("data")
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def funnel_frame(label: str = "stage") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [1, 2, 3],
            label: ["Visit", XSS, "Buy"],
            "journeys": [1000, 400, 100],
            "conversion": [1.0, 0.4, 0.25],
            "share_of_start": [1.0, 0.4, 0.1],
            "dropped": [600, 300, 0],
            "drop_rate": [0.6, 0.75, 0.0],
        }
    )


def test_funnel_chart_keeps_step_order_and_labels() -> None:
    spec = flow.funnel_chart(funnel_frame()).to_dict()
    bars, text = spec["layer"]
    assert bars["mark"]["type"] == "bar" and text["mark"]["type"] == "text"
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["1. Visit", f"2. {XSS}", "3. Buy"]
    values = layer_values(spec)
    assert [v["text"] for v in values] == ["1,000 (100%)", "400 (40%)", "100 (10%)"]
    # User text is data only: never part of a format string.
    assert XSS not in str(bars["encoding"]["tooltip"])


def test_dropoff_chart_leaves_out_the_last_step() -> None:
    spec = flow.dropoff_chart(funnel_frame("touchpoint"), "touchpoint").to_dict()
    values = layer_values(spec)
    assert [v["label"] for v in values] == ["1. Visit", f"2. {XSS}"]
    assert [v["text"] for v in values] == ["600 (60%)", "300 (75%)"]
    assert spec["layer"][0]["mark"]["color"] == flow.DROP_COLOUR


def timing_frame(p90_hours: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "from_stage": ["A", "B", "C"],
            "to_stage": ["B", "C", "D"],
            "journeys": [10, 5, 0],
            "median_hours": [12.0, 48.0, math.nan],
            "p90_hours": [30.0, p90_hours, math.nan],
            "median_days": [0.5, 2.0, math.nan],
            "p90_days": [1.25, p90_hours / 24, math.nan],
        }
    )


def test_time_between_chart_units_and_rows() -> None:
    hours = flow.time_between_chart(timing_frame(60.0)).to_dict()
    values = layer_values(hours)
    assert [v["label"] for v in values] == ["A → B", "B → C"]  # no journeys: no row
    assert [v["median"] for v in values] == [12.0, 48.0]
    assert "hours" in hours["layer"][0]["encoding"]["x"]["title"]
    days = flow.time_between_chart(timing_frame(96.0)).to_dict()  # p90 > 72 h -> days
    assert [v["median"] for v in layer_values(days)] == [0.5, 2.0]
    assert [v["p90"] for v in layer_values(days)] == [1.25, 4.0]
    assert "days" in days["layer"][0]["encoding"]["x"]["title"]
    with pytest.raises(ValueError):
        flow.time_between_chart(timing_frame(1.0), unit="weeks")


def test_channel_heatmap() -> None:
    matrix = pd.DataFrame(
        {
            "from_channel": ["web", "web", "phone"],
            "to_channel": ["web", "phone", "web"],
            "transitions": [6, 2, 4],
            "share": [0.75, 0.25, 1.0],
            "switch": [False, True, True],
        }
    )
    spec = flow.channel_heatmap(matrix).to_dict()
    rect = spec["layer"][0]
    assert rect["mark"]["type"] == "rect"
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["phone", "web"]
    assert [v["text"] for v in layer_values(spec)] == ["75%", "25%", "100%"]


def test_path_chart() -> None:
    paths = pd.DataFrame(
        {
            "rank": [1, 2],
            "path": ["A → B → …", XSS],
            "length": [2, 1],
            "ended": [False, True],
            "journeys": [30, 10],
            "share": [0.75, 0.25],
        }
    )
    spec = flow.path_chart(paths).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["1. A → B → …", f"2. {XSS}"]
    assert [v["text"] for v in layer_values(spec)] == ["30 (75%)", "10 (25%)"]


def test_outcome_chart_marks_low_confidence() -> None:
    outcomes = pd.DataFrame(
        {
            "group": ["Never", "1 time", "2+ times"],
            "customers": [500, 40, 0],
            "nps": [30.0, -12.4, math.nan],
            "nps_moe": [5.2, 20.0, math.nan],
            "nps_n": [400, 12, 0],
            "csat": [80.0, 50.0, math.nan],
            "csat_n": [300, 10, 0],
        }
    )
    spec = flow.outcome_chart(outcomes).to_dict()
    values = layer_values(spec)
    assert [v["label"] for v in values] == ["Never", "1 time (low n)"]  # n = 0 left out
    assert [v["tone"] for v in values] == ["up", "low"]
    assert [v["text"] for v in values] == ["+30 ±5 (n=400)", "-12 ±20 (n=12)"]
    assert values[0]["ci_low"] == pytest.approx(24.8)
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["range"][colour["domain"].index("low")] == flow.LOW_CONFIDENCE_COLOUR


def test_transition_network_top_edges_exit_and_escaping() -> None:
    transitions = pd.DataFrame(
        {
            "source": ["A", XSS, "A", "B"],
            "target": [XSS, "B", None, None],
            "is_exit": [False, False, True, True],
            "transitions": [10, 8, 5, 1],
            "share": [2 / 3, 1.0, 1 / 3, 1.0],
        }
    )
    stats = pd.DataFrame(
        {
            "touchpoint": ["A", XSS, "B"],
            "events": [15, 8, 9],
            "journeys": [15, 8, 9],
            "starts": [15, 0, 0],
            "exits": [5, 0, 1],
            "mean_step": [1.0, 2.0, 3.0],
            "usual_stage": ["One", "Two", None],
        }
    )
    nodes, edges = transition_network(transitions, stats, top_n=3, stage_order=["One", "Two"])
    # Top 3 edges: A->XSS, XSS->B, A->exit; B is reached, so it is a node too.
    assert [(e.source, e.target) for e in edges] == [
        ("tp:1", "tp:0"),
        ("tp:0", "tp:2"),
        ("tp:1", EXIT_ID),
    ]
    assert {n.label for n in nodes} == {"A", XSS, "B", "Exit"}
    assert [e.label for e in edges] == ["67%", "100%", "33%"]
    widths = [e.width for e in edges]
    assert widths[0] == 12.0 and widths[0] > widths[1] > widths[2]
    sizes = {n.label: n.size for n in nodes}
    assert sizes["A"] > sizes["B"] > sizes[XSS]  # by events
    # B has no stage, so columns come from the average step: A, XSS, B left to right.
    xs = {n.label: n.x for n in nodes}
    assert xs["A"] < xs[XSS] < xs["B"] < xs["Exit"]
    from cem.ui.graph import graph_payload

    payload = graph_payload(nodes, edges)
    titles = " ".join(n["title"] for n in payload["nodes"]) + " ".join(
        e["title"] for e in payload["edges"]
    )
    assert "<img" not in titles and "&lt;img src=x onerror=alert(1)&gt;" in titles
    assert transition_network(transitions.iloc[0:0], stats) == ([], [])


def test_a_log_without_stages_fills_a_few_columns_not_one_row() -> None:
    """12 touchpoints, each with its own average step and no stage: before, each had a
    column of its own, all on one row with their labels running into each other."""
    from cem.ui.journeys.network import STEP_COLUMNS

    names = [f"Device {i:02d}" for i in range(12)]
    transitions = pd.DataFrame(
        {
            "source": names,
            "target": [*names[1:], None],
            "is_exit": [False] * 11 + [True],
            "transitions": list(range(12, 0, -1)),
            "share": [1.0] * 12,
        }
    )
    stats = pd.DataFrame(
        {
            "touchpoint": names,
            "events": [10] * 12,
            "journeys": [10] * 12,
            "starts": [0] * 12,
            "exits": [0] * 12,
            "mean_step": [float(i + 1) for i in range(12)],
            "usual_stage": [None] * 12,
        }
    )
    nodes, _ = transition_network(transitions, stats, top_n=25)
    xs = {n.label: n.x for n in nodes if n.id != EXIT_ID}
    assert len(set(xs.values())) == STEP_COLUMNS == 6
    assert [xs[n] for n in names] == sorted(xs[n] for n in names)  # by average step
    assert {n.label: n.x for n in nodes}["Exit"] > max(xs.values())  # type: ignore[operator]
    assert all(n.extra.get("widthConstraint") for n in nodes if n.id != EXIT_ID)  # labels wrap
