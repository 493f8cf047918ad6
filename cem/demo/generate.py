"""Assembling the demo: customers, their events, their survey answers and comments, and
the long-form attributes, as frames ready to insert (no database involved).

>>> data = generate_demo(seed=7, n_customers=200, n_prospects=50)
>>> len(data.customers), bool(data.events.customer_id.str.startswith("BW-P").any())
(200, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem.demo.comments import SENTIMENTS, compose_comment
from cem.demo.customers import customer_profiles
from cem.demo.draws import Draws
from cem.demo.events import customer_events, prospect_events
from cem.demo.responses import survey_responses
from cem.demo.story import (
    DEFAULT_SEED,
    DEMO_SEGMENTS,
    N_CUSTOMERS,
    N_PROSPECTS,
    PERSONAS,
    PHONE_FIX_S,
    RATING_ATTRIBUTES,
    REGIONS,
    TOUCHPOINT_CHANNEL,
    TOUCHPOINT_STAGE,
    TOUCHPOINTS,
)


@dataclass
class DemoData:
    """The generated demo, as frames ready to insert (ids are 0-based positions)."""

    customers: pd.DataFrame
    responses: pd.DataFrame
    events: pd.DataFrame
    response_attributes: pd.DataFrame  # response_idx, name, num_value, text_value
    customer_attributes: pd.DataFrame  # customer_id, name, num_value, text_value
    seed: int


def generate_demo(
    seed: int = DEFAULT_SEED, n_customers: int = N_CUSTOMERS, n_prospects: int = N_PROSPECTS
) -> DemoData:
    """Generate the demo data (no database involved), deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    draws = Draws(np.random.default_rng([seed, 1]))
    c = customer_profiles(rng, n_customers)
    customer_ids = np.array(
        [f"BW-{i + 1:05d}" for i in range(n_customers)]
        + [f"BW-P{i + 1:05d}" for i in range(n_prospects)],
        dtype=object,
    )
    rows: list[tuple[int, int, int, int]] = []
    for i in range(n_customers):
        customer_events(draws, c, i, rows)
    for j in range(n_prospects):
        prospect_events(draws, n_customers + j, rows)
    ev = np.array(rows, dtype=np.int64).reshape(-1, 4)
    ev = ev[np.lexsort((ev[:, 0], ev[:, 1]))]  # chronological
    r = survey_responses(rng, c, ev, n_customers)

    seg_names = np.array(DEMO_SEGMENTS, dtype=object)
    persona_names = np.array(PERSONAS, dtype=object)
    tp_names = np.array(TOUCHPOINTS, dtype=object)
    channels = np.array([TOUCHPOINT_CHANNEL[x] for x in TOUCHPOINTS], dtype=object)
    stages = np.array([TOUCHPOINT_STAGE[x] for x in TOUCHPOINTS], dtype=object)

    customers = pd.DataFrame(
        {
            "customer_id": customer_ids[:n_customers],
            "segment": seg_names[c["seg"]],
            "persona": persona_names[c["persona"]],
            "first_seen": _datetimes(c["first_seen"]),
            "churned": c["churned"],
            "churned_at": pd.Series(_datetimes(c["churned_at"])).where(c["churned"]),
            "revenue": c["revenue"],
        }
    )
    events = pd.DataFrame(
        {
            "customer_id": customer_ids[ev[:, 0]],
            "occurred_at": _datetimes(ev[:, 1]),
            "touchpoint": tp_names[ev[:, 2]],
            "channel": channels[ev[:, 2]],
            "stage": stages[ev[:, 2]],
        }
    )
    comments = np.full(len(r["c"]), None, dtype=object)
    after_fix = r["t"] >= PHONE_FIX_S
    for k in np.flatnonzero(r["has_comment"]).tolist():
        ci = int(r["c"][k])
        comments[k] = compose_comment(
            draws,
            TOUCHPOINTS[int(r["tp"][k])],
            SENTIMENTS[int(r["sentiment"][k])],
            PERSONAS[int(c["persona"][ci])],
            bool(r["relationship"][k]),
            bool(r["after_rise"][k]),
            bool(after_fix[k]),
            float(c["price"][ci]),
            int(c["mbps"][ci]),
            int(r["flag"][k]),
        )
    responses = pd.DataFrame(
        {
            "customer_id": customer_ids[r["c"]],
            "submitted_at": _datetimes(r["t"]),
            "nps": pd.array(np.where(r["has_nps"], r["nps"], 0), dtype="Int16"),
            "csat": pd.array(np.where(r["has_csat"], r["csat"], 0), dtype="Int16"),
            "ces": pd.array(np.where(r["has_ces"], r["ces"], 0), dtype="Int16"),
            "comment": comments,
            "channel": channels[r["tp"]],
            "touchpoint": tp_names[r["tp"]],
            "stage": stages[r["tp"]],
            "segment": seg_names[c["seg"][r["c"]]],
            "persona": persona_names[c["persona"][r["c"]]],
        }
    )
    for col, has in (("nps", "has_nps"), ("csat", "has_csat"), ("ces", "has_ces")):
        responses.loc[~r[has], col] = pd.NA

    # Attributes (long form): driver ratings where asked, region and plan always.
    n = len(responses)
    idx = np.arange(n)
    parts = []
    rated = np.flatnonzero(r["rated"])
    for name, key in zip(
        RATING_ATTRIBUTES,
        ("speed_rating", "value_rating", "staff_rating", "ease_rating"),
        strict=True,
    ):
        parts.append(
            pd.DataFrame(
                {
                    "response_idx": rated,
                    "name": name,
                    "num_value": r[key][rated].astype(float),
                    "text_value": None,
                }
            )
        )
    region_names = np.array(REGIONS, dtype=object)
    parts.append(
        pd.DataFrame(
            {
                "response_idx": idx,
                "name": "Region",
                "num_value": np.nan,
                "text_value": region_names[c["region"][r["c"]]],
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "response_idx": idx,
                "name": "Plan",
                "num_value": np.nan,
                "text_value": c["plan"][r["c"]],
            }
        )
    )
    response_attributes = pd.concat(parts, ignore_index=True)
    ids = customer_ids[:n_customers]
    customer_attributes = pd.concat(
        [
            pd.DataFrame(
                {
                    "customer_id": ids,
                    "name": "Region",
                    "num_value": np.nan,
                    "text_value": region_names[c["region"]],
                }
            ),
            pd.DataFrame(
                {"customer_id": ids, "name": "Plan", "num_value": np.nan, "text_value": c["plan"]}
            ),
        ],
        ignore_index=True,
    )
    return DemoData(customers, responses, events, response_attributes, customer_attributes, seed)


def _datetimes(seconds: np.ndarray) -> np.ndarray:
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[us]")
