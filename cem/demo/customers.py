"""The demo's customers: segment, persona, region and plan, when they joined, how happy
they are underneath (the latent drivers of their answers), when they churn and the
revenue they brought.

>>> import numpy as np
>>> c = customer_profiles(np.random.default_rng(7), 500)
>>> bool((c["revenue"] > 0).all()) and bool((c["end"] >= c["first_seen"]).all())
True
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cem.demo.story import (
    DAY,
    DEMO_SEGMENTS,
    FIRST_CUSTOMER_AT,
    MINUTE,
    PLANS,
    PRICE_RISE_GBP,
    PRICE_RISE_S,
    REGIONS,
    WINDOW_END_S,
    WINDOW_START_S,
    epoch_seconds,
)

_REGION_WEIGHTS = (0.2, 0.16, 0.15, 0.13, 0.09, 0.1, 0.07, 0.1)
_SEGMENT_SHARE = (0.45, 0.25, 0.2, 0.1)
_SEGMENT_EFFECT = np.array([-0.1, 0.05, 0.0, 0.55])
_PERSONA_EFFECT = np.array([-0.1, 0.1, -0.4, 0.0])
# P(persona | segment), rows in DEMO_SEGMENTS order, columns in DEMO_PERSONAS order.
_PERSONA_GIVEN_SEGMENT = np.array(
    [[0.2, 0.4, 0.4, 0.0], [0.7, 0.2, 0.1, 0.0], [0.0, 0.25, 0.0, 0.75], [0.0, 0.6, 0.0, 0.4]]
)
_CHURN_PER_MONTH = np.array([0.016, 0.011, 0.013, 0.005])  # by segment


def customer_profiles(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` customers as columns (positions are customer indices): segment, persona,
    region, plan and price, first seen, latent drivers, churn and revenue."""
    seg = rng.choice(4, size=n, p=_SEGMENT_SHARE)
    cum = np.cumsum(_PERSONA_GIVEN_SEGMENT, axis=1)[seg]
    persona = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 3)
    region = rng.choice(len(REGIONS), size=n, p=_REGION_WEIGHTS)
    plan_pick = rng.random(n)
    plan_name = np.empty(n, dtype=object)
    price = np.zeros(n)
    speed_mbps = np.zeros(n, dtype=int)
    for s, segment in enumerate(DEMO_SEGMENTS):
        (n1, p1, m1, share1), (n2, p2, m2, _) = PLANS[segment]
        first = plan_pick < share1
        mask1, mask2 = (seg == s) & first, (seg == s) & ~first
        plan_name[mask1], price[mask1], speed_mbps[mask1] = n1, p1, m1
        plan_name[mask2], price[mask2], speed_mbps[mask2] = n2, p2, m2
    # A quarter joined before the survey window; the rest during it.
    early = rng.random(n) < 0.25
    start_early, start_late = epoch_seconds(FIRST_CUSTOMER_AT), WINDOW_START_S
    late_end = epoch_seconds(dt.datetime(2026, 9, 20))
    first_seen = np.where(
        early, rng.uniform(start_early, start_late, n), rng.uniform(start_late, late_end, n)
    )
    first_seen = (first_seen // MINUTE * MINUTE).astype(np.int64)
    # Latent drivers of satisfaction.
    speed_c = rng.standard_normal(n)
    value_c = rng.standard_normal(n)
    base = _SEGMENT_EFFECT[seg] + _PERSONA_EFFECT[persona] + rng.normal(0, 0.55, n)
    happiness = base + 0.55 * speed_c + 0.3 * value_c
    # Churn: a steady hazard (higher when unhappy) plus a chance to leave at each renewal,
    # much higher after the price rise.
    hazard = _CHURN_PER_MONTH[seg] * np.where(persona == 2, 1.5, 1.0) * np.exp(-0.6 * happiness)
    churn_t = first_seen + rng.exponential(1.0, n) / hazard * 30.44 * DAY
    for year in (1, 2, 3, 4):
        anniversary = first_seen + year * 365 * DAY
        p_leave = np.where(anniversary >= PRICE_RISE_S, 0.16, 0.05) * np.exp(-0.5 * happiness)
        leave = (anniversary < churn_t) & (rng.random(n) < p_leave)
        churn_t = np.where(leave, anniversary + rng.uniform(0, 14, n) * DAY, churn_t)
    churned = churn_t < WINDOW_END_S
    end = np.minimum(churn_t, WINDOW_END_S).astype(np.int64)
    months = (end - first_seen) / (30.44 * DAY)
    rise_months = np.clip((end - np.maximum(first_seen, PRICE_RISE_S)) / (30.44 * DAY), 0, None)
    rise = np.where(seg <= 1, PRICE_RISE_GBP, 0.0)
    revenue = np.round(price * np.maximum(months, 1.0) + rise * rise_months, 2)
    return {
        "seg": seg,
        "persona": persona,
        "region": region,
        "plan": plan_name,
        "price": price,
        "mbps": speed_mbps,
        "first_seen": first_seen,
        "speed_c": speed_c,
        "value_c": value_c,
        "base": base,
        "happiness": happiness,
        "churned": churned,
        "churned_at": np.where(churned, churn_t, 0).astype(np.int64),
        "end": end,
        "revenue": revenue,
    }
