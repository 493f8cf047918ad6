"""The demo workspace: a fictional broadband and mobile provider, "Brightwave".

:func:`generate_demo` builds, deterministically from a seed, about 5,000 customers
(4 personas, 4 segments, plans, revenue and churn), 20,000+ survey responses over a
fixed 18-month window (2025-05-01 .. 2026-10-31) with NPS/CSAT/CES, driver ratings and
English comments, and a touchpoint event log through the stages of :data:`DEMO_STAGES`
(with prospects who never buy, skipped and repeated touchpoints and going back).
:func:`build_demo_workspace` writes it into the workspace ``demo`` in one transaction;
:func:`write_demo_samples` writes small files to try the import page with.

The data tell a story that the KPI pages should find:

* Installation and Phone support are pain points; Mobile app and Delivery delight.
* Phone support improves after a fix (a callback option) in March 2026.
* A price rise in July 2026 hurts the Renewal offer, "Value for money" and churn.
* Enterprise customers are happier than Consumer ones; Student Sharers are the least happy.
* "Speed rating" drives NPS strongly, "Value for money" moderately, "Ease of setup" barely.
* Customers who call Phone support again about the same fault score lower.

>>> data = generate_demo(seed=7, n_customers=200, n_prospects=50)
>>> len(data.customers)
200
>>> sorted(data.customers.segment.unique()) == sorted(DEMO_SEGMENTS)
True
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.analytics.attributes import NUMERIC, TEXT, AttributeColumn, store_attribute_frame
from cem.demo import text as demo_text
from cem.demo.catalogue import DEMO_PERSONAS, DEMO_STAGES
from cem.demo.journey import seed_demo_journey
from cem.ingest.detect import ROLES
from cem.ingest.load import ID_STRIDE
from cem.store.db import Database, bump_revision
from cem.store.workspaces import DEMO_WORKSPACE, clear_workspace_data

DEMO_COMPANY = "Brightwave"

DEMO_SEGMENTS: tuple[str, ...] = ("Consumer", "Family", "Small Business", "Enterprise")

# The fixed calendar (not relative to today, so every build is the same).
WINDOW_START = dt.datetime(2025, 5, 1)
WINDOW_END = dt.datetime(2026, 11, 1)  # exclusive: responses run to 2026-10-31
PHONE_FIX_AT = dt.datetime(2026, 3, 1)  # a callback option fixes Phone support
PRICE_RISE_AT = dt.datetime(2026, 7, 1)  # a £4 price rise hurts renewals
FIRST_CUSTOMER_AT = dt.datetime(2023, 5, 1)
DEFAULT_SEED = 7
N_CUSTOMERS = 5_000
N_PROSPECTS = 4_000

RATING_ATTRIBUTES: tuple[str, ...] = (
    "Speed rating",
    "Value for money",
    "Staff helpfulness",
    "Ease of setup",
)
TEXT_ATTRIBUTES: tuple[str, ...] = ("Region", "Plan")
REGIONS: tuple[str, ...] = (
    "London",
    "South East",
    "Midlands",
    "North West",
    "North East",
    "Scotland",
    "Wales",
    "South West",
)
_REGION_WEIGHTS = (0.2, 0.16, 0.15, 0.13, 0.09, 0.1, 0.07, 0.1)
# Plans per segment: (name, monthly price £, download speed Mbps, share of the segment).
PLANS: dict[str, tuple[tuple[str, float, int, float], ...]] = {
    "Consumer": (("Fibre 150", 29.0, 150, 0.6), ("Fibre 500", 39.0, 500, 0.4)),
    "Family": (("Fibre 500", 39.0, 500, 0.5), ("Gigabit Family", 55.0, 900, 0.5)),
    "Small Business": (("Business 500", 49.0, 500, 0.7), ("Business Gigabit", 75.0, 900, 0.3)),
    "Enterprise": (("Enterprise Fibre", 240.0, 900, 0.7), ("Leased Line", 390.0, 1000, 0.3)),
}
PRICE_RISE_GBP = 4.0  # per month from PRICE_RISE_AT, on Consumer and Family plans

_SEGMENT_SHARE = (0.45, 0.25, 0.2, 0.1)
_SEGMENT_EFFECT = np.array([-0.1, 0.05, 0.0, 0.55])
_PERSONAS = list(DEMO_PERSONAS)
_PERSONA_EFFECT = np.array([-0.1, 0.1, -0.4, 0.0])
# P(persona | segment), rows in DEMO_SEGMENTS order, columns in DEMO_PERSONAS order.
_PERSONA_GIVEN_SEGMENT = np.array(
    [[0.2, 0.4, 0.4, 0.0], [0.7, 0.2, 0.1, 0.0], [0.0, 0.25, 0.0, 0.75], [0.0, 0.6, 0.0, 0.4]]
)
_CHURN_PER_MONTH = np.array([0.016, 0.011, 0.013, 0.005])  # by segment
_APP_USERS = np.array([0.7, 0.75, 0.92, 0.5])  # by persona

# Flat lists of the touchpoints, in journey order.
TOUCHPOINTS: tuple[str, ...] = tuple(tp for _, tps in DEMO_STAGES for tp, _ in tps)
TOUCHPOINT_CHANNEL: dict[str, str] = {tp: ch for _, tps in DEMO_STAGES for tp, ch in tps}
TOUCHPOINT_STAGE: dict[str, str] = {tp: st for st, tps in DEMO_STAGES for tp, _ in tps}
_TP = {name: i for i, name in enumerate(TOUCHPOINTS)}

# How good each touchpoint is (shifts the latent satisfaction), how easy (CES), and how
# often its customers get a transactional survey.
_QUALITY = {
    "Social media ad": 0.0,
    "Search result": 0.1,
    "Website visit": 0.2,
    "Pricing page": -0.2,
    "Live chat": 0.1,
    "Online checkout": 0.4,
    "Order confirmation email": 0.3,
    "Delivery": 0.7,
    "Installation": -0.8,
    "Welcome call": 0.2,
    "Mobile app": 0.8,
    "First bill": -0.3,
    "Help centre": -0.1,
    "Phone support": -1.0,
    "Store visit": 0.3,
    "Renewal offer": 0.2,
    "Loyalty reward": 0.5,
}
_EFFORT = {
    "Social media ad": 0.5,
    "Search result": 0.5,
    "Website visit": 0.2,
    "Pricing page": -0.3,
    "Live chat": 0.0,
    "Online checkout": 0.5,
    "Order confirmation email": 0.8,
    "Delivery": 0.8,
    "Installation": -0.7,
    "Welcome call": 0.3,
    "Mobile app": 0.9,
    "First bill": -0.4,
    "Help centre": -0.3,
    "Phone support": -1.0,
    "Store visit": 0.0,
    "Renewal offer": 0.0,
    "Loyalty reward": 0.6,
}
_SURVEY_RATE = {
    "Social media ad": 0.0,
    "Search result": 0.0,
    "Website visit": 0.05,
    "Pricing page": 0.05,
    "Live chat": 0.40,
    "Online checkout": 0.40,
    "Order confirmation email": 0.10,
    "Delivery": 0.45,
    "Installation": 0.60,
    "Welcome call": 0.40,
    "Mobile app": 0.07,
    "First bill": 0.35,
    "Help centre": 0.25,
    "Phone support": 0.55,
    "Store visit": 0.40,
    "Renewal offer": 0.40,
    "Loyalty reward": 0.30,
}
_STAFF_TOUCHPOINTS = ("Live chat", "Installation", "Welcome call", "Phone support", "Store visit")
_SETUP_STAGES = ("Purchase", "Onboarding")
_PRE_SERVICE_STAGES = ("Awareness", "Research", "Purchase")

# Event flags: what went wrong at an event (changes the scores and the comments).
FLAG_NONE, FLAG_MISSED, FLAG_REVISIT, FLAG_REPEAT = 0, 1, 2, 3

DAY = 86_400
HOUR = 3_600
MINUTE = 60

T = TypeVar("T")


def _ts(moment: dt.datetime) -> int:
    """Seconds since 1970 (naive, as stored)."""
    return int((moment - dt.datetime(1970, 1, 1)).total_seconds())


_WS, _WE = _ts(WINDOW_START), _ts(WINDOW_END)
_FIX, _RISE = _ts(PHONE_FIX_AT), _ts(PRICE_RISE_AT)


class _Draws:
    """Fast scalar random draws for the per-customer loops, served from blocks that a
    numpy ``Generator`` fills (so everything still follows from one seed)."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self._rng = rng
        self._block = block
        self._u: list[float] = []
        self._n: list[float] = []

    def uniform(self) -> float:
        if not self._u:
            self._u = self._rng.random(self._block).tolist()
        return self._u.pop()

    def normal(self) -> float:
        if not self._n:
            self._n = self._rng.standard_normal(self._block).tolist()
        return self._n.pop()

    def chance(self, p: float) -> bool:
        return self.uniform() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.uniform() * len(items))]

    def expo(self, mean: float) -> float:
        return -math.log(1.0 - self.uniform()) * mean

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.uniform()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + int(self.uniform() * (high - low + 1))


@dataclass
class DemoData:
    """The generated demo, as frames ready to insert (ids are 0-based positions)."""

    customers: pd.DataFrame
    responses: pd.DataFrame
    events: pd.DataFrame
    response_attributes: pd.DataFrame  # response_idx, name, num_value, text_value
    customer_attributes: pd.DataFrame  # customer_id, name, num_value, text_value
    seed: int


# -- customers ------------------------------------------------------------------------------
def _customers(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
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
    start_early, start_late = _ts(FIRST_CUSTOMER_AT), _WS
    late_end = _ts(dt.datetime(2026, 9, 20))
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
        p_leave = np.where(anniversary >= _RISE, 0.16, 0.05) * np.exp(-0.5 * happiness)
        leave = (anniversary < churn_t) & (rng.random(n) < p_leave)
        churn_t = np.where(leave, anniversary + rng.uniform(0, 14, n) * DAY, churn_t)
    churned = churn_t < _WE
    end = np.minimum(churn_t, _WE).astype(np.int64)
    months = (end - first_seen) / (30.44 * DAY)
    rise_months = np.clip((end - np.maximum(first_seen, _RISE)) / (30.44 * DAY), 0, None)
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


# -- events ---------------------------------------------------------------------------------
def _customer_events(
    d: _Draws, c: dict[str, np.ndarray], i: int, out: list[tuple[int, int, int, int]]
) -> None:
    """Append (customer, time, touchpoint, flag) for one customer's whole journey."""
    t0 = int(c["first_seen"][i])
    end = int(c["end"][i])
    seg = int(c["seg"][i])
    persona = int(c["persona"][i])
    happy = float(c["happiness"][i])
    evs: list[tuple[int, int, int]] = []

    def add(t: float, tp: str, flag: int = FLAG_NONE) -> None:
        if t < end:
            evs.append((int(t), _TP[tp], flag))

    # Awareness, then research sessions, then the purchase at first_seen.
    ta = t0 - 2 * HOUR - d.expo(12 * DAY)
    add(ta, "Social media ad" if d.chance(0.55 if persona == 2 else 0.4) else "Search result")
    if d.chance(0.2):
        add(ta + d.between(0.1, 0.9) * (t0 - ta), d.pick(("Social media ad", "Search result")))
    sessions = 1 + d.chance(0.35) + d.chance(0.12)
    for s in range(sessions):
        ts = ta + (s + d.uniform()) / (sessions + 0.2) * (t0 - ta - 30 * MINUTE)
        ts = max(ts, ta + 2 * MINUTE)
        add(ts, "Website visit")
        if d.chance(0.85):
            ts += d.expo(4 * MINUTE) + MINUTE
            add(min(ts, t0 - 2 * MINUTE), "Pricing page")
        if d.chance(0.3 if seg < 2 else 0.45):
            add(min(ts + d.expo(6 * MINUTE) + MINUTE, t0 - MINUTE), "Live chat")
    add(t0, "Online checkout")
    add(t0 + d.between(30, 600), "Order confirmation email")
    # Onboarding: days to weeks after the purchase.
    if d.chance(0.9):
        add(t0 + d.between(1, 5) * DAY, "Delivery")
    missed = False
    if d.chance(0.65 if seg < 2 else 0.9):
        ti = t0 + d.between(3, 18) * DAY
        if d.chance(0.15):
            missed = True
            add(ti, "Installation", FLAG_MISSED)
            add(ti + d.between(2, 7) * DAY, "Installation", FLAG_REVISIT)
        else:
            add(ti, "Installation")
    if d.chance(0.55):
        add(t0 + d.between(2, 10) * DAY, "Welcome call")
    # Usage: the first bill, and the app every month or two.
    add(t0 + d.between(28, 33) * DAY, "First bill")
    if d.chance(float(_APP_USERS[persona])):
        ta_ = t0 + DAY + d.expo(5 * DAY)
        while ta_ < end:
            add(ta_, "Mobile app")
            ta_ += 5 * DAY + d.expo(28 * DAY)
    # Support episodes: help centre, phone (sometimes again and again), store.
    rate = 0.06 * math.exp(-0.5 * happy) * (1.4 if missed else 1.0) / (30.44 * DAY)
    ts = t0 + 7 * DAY + d.expo(1 / rate)
    while ts < end:
        route = d.uniform()
        t = ts
        if route < 0.55:
            add(t, "Help centre")
            if d.chance(0.5):
                t += d.expo(2 * HOUR) + 5 * MINUTE
                route = 0.6  # escalated to the phone
        if 0.55 <= route < 0.9:
            add(t, "Phone support")
            if d.chance(0.3 if t < _FIX else 0.15):
                t += d.between(1, 10) * DAY
                add(t, "Phone support", FLAG_REPEAT)
                if d.chance(0.35):
                    t += d.between(1, 10) * DAY
                    add(t, "Phone support", FLAG_REPEAT)
        elif route >= 0.9:
            add(t, "Store visit")
        # Going back: an unhappy customer compares deals after a support contact.
        if d.chance(0.06 + 0.1 * (happy < -0.5)):
            add(t + d.expo(DAY) + HOUR, d.pick(("Pricing page", "Website visit")))
        ts = t + DAY + d.expo(1 / rate)
    # Renewal: an offer a month before each anniversary; a loyalty reward for some.
    year = 1
    while True:
        anniversary = t0 + year * 365 * DAY
        if anniversary - 30 * DAY >= end:
            break
        add(anniversary - d.between(25, 35) * DAY, "Renewal offer")
        if d.chance(0.35):
            add(anniversary + d.expo(10 * DAY) + DAY, "Loyalty reward")
        year += 1
    if bool(c["churned"][i]) and d.chance(0.5):
        add(end - d.between(1, 10) * DAY, "Pricing page")
    evs.sort()
    out.extend((i, t, tp, flag) for t, tp, flag in evs)


def _prospect_events(d: _Draws, pid: int, out: list[tuple[int, int, int, int]]) -> None:
    """A prospect: seen an ad or a search result; maybe researched; maybe abandoned checkout."""
    t = d.between(_WS, _WE - 2 * DAY)
    evs = [(int(t), _TP[d.pick(("Social media ad", "Search result"))], FLAG_NONE)]
    if d.chance(0.55):
        t += d.expo(DAY) + 5 * MINUTE
        evs.append((int(t), _TP["Website visit"], FLAG_NONE))
        if d.chance(0.8):
            t += d.expo(4 * MINUTE) + MINUTE
            evs.append((int(t), _TP["Pricing page"], FLAG_NONE))
        if d.chance(0.25):
            evs.append((int(t + d.expo(5 * MINUTE) + MINUTE), _TP["Live chat"], FLAG_NONE))
        if d.chance(0.22):
            t += d.expo(30 * MINUTE) + 10 * MINUTE
            evs.append((int(t), _TP["Online checkout"], FLAG_NONE))
    evs.sort()
    out.extend((pid, t, tp, flag) for t, tp, flag in evs)


# -- responses ------------------------------------------------------------------------------
def _quality(tp: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Touchpoint quality at a time: the phone fix in March 2026, the July 2026 price rise."""
    q = np.array([_QUALITY[name] for name in TOUCHPOINTS])[tp]
    phone = tp == _TP["Phone support"]
    ramp = np.clip((t - _FIX) / (30 * DAY), 0, 1)
    q = np.where(phone, q + 1.1 * ramp, q)
    after = t >= _RISE
    q = np.where((tp == _TP["Renewal offer"]) & after, q - 1.2, q)
    return np.where((tp == _TP["Pricing page"]) & after, q - 0.4, q)


def _responses(
    rng: np.random.Generator, c: dict[str, np.ndarray], ev: np.ndarray, n_customers: int
) -> dict[str, np.ndarray]:
    ev_c, ev_t, ev_tp, ev_flag = ev[:, 0], ev[:, 1], ev[:, 2], ev[:, 3]
    # Transactional surveys after touchpoint events of customers in the window.
    rate = np.array([_SURVEY_RATE[name] for name in TOUCHPOINTS])[ev_tp]
    rate = np.where(ev_flag != FLAG_NONE, np.minimum(rate * 1.3, 0.9), rate)
    sent_at = ev_t + 5 * MINUTE + rng.exponential(6 * HOUR, len(ev_t)).astype(np.int64)
    take = (ev_c < n_customers) & (ev_t >= _WS) & (sent_at < _WE) & (rng.random(len(ev_t)) < rate)
    tr = {"c": ev_c[take], "t": sent_at[take], "tp": ev_tp[take], "flag": ev_flag[take]}
    # Relationship (NPS) surveys about every four months, answered by 55%, about the
    # customer's most recent touchpoint.
    waves = 12
    ci = np.repeat(np.arange(n_customers), waves)
    k = np.tile(np.arange(waves), n_customers)
    invite = (
        c["first_seen"][ci] + 60 * DAY + k * 121 * DAY + rng.uniform(-20, 20, len(ci)) * DAY
    ).astype(np.int64)
    keep = (invite >= _WS) & (invite < _WE) & (invite < c["end"][ci]) & (rng.random(len(ci)) < 0.55)
    ci, invite = ci[keep], invite[keep]
    cust_events = ev_c < n_customers
    key = ev_c[cust_events].astype(np.int64) * (1 << 34) + (
        ev_t[cust_events] - _ts(dt.datetime(2020, 1, 1))
    )
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    q = ci.astype(np.int64) * (1 << 34) + (invite - _ts(dt.datetime(2020, 1, 1)))
    pos = np.searchsorted(key_sorted, q, side="right") - 1
    valid = pos >= 0
    valid[valid] = (key_sorted[pos[valid]] >> 34) == ci[valid]
    last = order[pos[valid]]
    ev_tp_c = ev_tp[cust_events]
    rel = {
        "c": ci[valid],
        "t": invite[valid],
        "tp": ev_tp_c[last],
        "flag": np.zeros(int(valid.sum()), dtype=np.int64),
    }
    r = {key_: np.concatenate([tr[key_], rel[key_]]) for key_ in tr}
    r["relationship"] = np.concatenate([np.zeros(len(tr["c"]), bool), np.ones(len(rel["c"]), bool)])
    order = np.lexsort((r["c"], r["t"]))
    r = {key_: v[order] for key_, v in r.items()}
    n = len(r["c"])
    cc, t, tp, flag, relationship = r["c"], r["t"], r["tp"], r["flag"], r["relationship"]

    # Latent satisfaction of each answer.
    quality = _quality(tp, t)
    staff_tp = np.isin(tp, [_TP[x] for x in _STAFF_TOUCHPOINTS])
    stage_of = np.array([TOUCHPOINT_STAGE[x] for x in TOUCHPOINTS])[tp]
    setup_tp = np.isin(stage_of, _SETUP_STAGES)
    pre_service = np.isin(stage_of, _PRE_SERVICE_STAGES)
    after_rise = t >= _RISE
    staff_r = rng.standard_normal(n)
    setup_r = rng.standard_normal(n)
    value_t = c["value_c"][cc] - 0.7 * after_rise
    penalty = np.select(
        [flag == FLAG_MISSED, flag == FLAG_REVISIT, flag == FLAG_REPEAT], [-1.6, -0.7, -0.8], 0.0
    )
    weight = np.where(relationship, 0.35, 1.0)
    u = (
        c["base"][cc]
        + 0.55 * c["speed_c"][cc]
        + 0.3 * value_t
        + weight * (quality + penalty)
        + 0.35 * staff_r * staff_tp
        + 0.05 * setup_r * setup_tp
        + rng.normal(0, 0.6, n)
    )
    nps = np.clip(np.rint(8.0 + 1.55 * u), 0, 10).astype(np.int16)
    csat = (np.digitize(u + rng.normal(0, 0.5, n), [-2.2, -1.5, -0.6, 0.4]) + 1).astype(np.int16)
    effort = np.array([_EFFORT[x] for x in TOUCHPOINTS])[tp]
    ces = (
        np.digitize(
            effort + 0.6 * u + 0.6 * penalty + rng.normal(0, 0.7, n),
            [-1.8, -1.1, -0.4, 0.3, 1.0, 1.7],
        )
        + 1
    ).astype(np.int16)
    # Which questions each survey asked.
    form = rng.random(n)
    has_nps = relationship | (form < 0.65) | ((form >= 0.90) & (form < 0.99))
    has_csat = ~relationship & (form < 0.90)
    has_ces = ~relationship & ((form < 0.45) | ((form >= 0.65) & (form < 0.80)))
    comment_only = ~relationship & (form >= 0.99)
    # Driver ratings: always in relationship surveys, in 40% of transactional ones.
    rated = relationship | (rng.random(n) < 0.4)
    speed_rating = np.clip(np.rint(3.3 + 0.9 * c["speed_c"][cc] + rng.normal(0, 0.6, n)), 1, 5)
    speed_rating = np.where(pre_service & ~relationship, 0, speed_rating)
    speed_rating = np.where(rng.random(n) < 0.02, 0, speed_rating)
    value_rating = np.clip(np.rint(3.1 + 0.9 * value_t + rng.normal(0, 0.7, n)), 1, 5)
    staff_rating = np.clip(
        np.rint(3.4 + staff_r + 0.4 * quality + 0.3 * penalty + rng.normal(0, 0.4, n)), 1, 5
    )
    staff_rating = np.where(staff_tp, staff_rating, 0)
    ease_rating = np.clip(
        np.rint(3.6 + 0.9 * setup_r + 0.4 * penalty + rng.normal(0, 0.5, n)), 1, 5
    )
    ease_rating = np.where(setup_tp, ease_rating, 0)
    # Comments: detractors write more often.
    sentiment_score = np.where(
        has_nps,
        np.select([nps <= 6, nps <= 8], [0, 1], 2),
        np.where(
            has_csat,
            np.select([csat <= 2, csat == 3], [0, 1], 2),
            np.where(
                has_ces,
                np.select([ces <= 3, ces == 4], [0, 1], 2),
                np.select([u < -0.8, u < 0.4], [0, 1], 2),
            ),
        ),
    )
    p_comment = np.array([0.62, 0.38, 0.40])[sentiment_score]
    has_comment = comment_only | (rng.random(n) < p_comment)
    return {
        "c": cc,
        "t": t,
        "tp": tp,
        "flag": flag,
        "relationship": relationship,
        "nps": nps,
        "csat": csat,
        "ces": ces,
        "has_nps": has_nps,
        "has_csat": has_csat,
        "has_ces": has_ces,
        "rated": rated,
        "speed_rating": speed_rating,
        "value_rating": value_rating,
        "staff_rating": staff_rating,
        "ease_rating": ease_rating,
        "sentiment": sentiment_score,
        "has_comment": has_comment,
        "after_rise": after_rise,
    }


_SENTIMENTS = ("neg", "neu", "pos")


def _comment(
    d: _Draws,
    tp_name: str,
    sentiment: str,
    persona: str,
    relationship: bool,
    after_rise: bool,
    after_fix: bool,
    price: float,
    mbps: int,
    flag: int,
) -> str:
    """Compose one comment: [opening] [context,] remark [second remark] [closing] [emoji]."""
    if relationship and sentiment == "neg" and after_rise and d.chance(0.5):
        bank = demo_text.PRICE_RISE
    elif relationship and d.chance(0.6):
        bank = demo_text.GENERAL[sentiment]
    else:
        bank = demo_text.SPECIFIC[tp_name][sentiment]
    remark = d.pick(bank)
    if "callback" in remark.lower() and sentiment == "pos" and not after_fix:
        remark = d.pick([x for x in bank if "callback" not in x.lower()] or [remark])
    if tp_name == "Installation" and flag == FLAG_MISSED and sentiment != "pos" and d.chance(0.7):
        remark = d.pick(
            (
                "Engineer didn't turn up in the slot.",
                "Took a day off work and nobody came.",
                "Waited in all day for the install, no call, no show.",
            )
        )
    parts: list[str] = []
    if d.chance(0.2):
        remark = f"{d.pick(demo_text.PERSONA_CONTEXT[persona])}, {_lower_first(remark)}"
    if d.chance(0.45):
        opening = d.pick(demo_text.OPENINGS[sentiment])
        parts.append(opening)
        if opening.endswith((",", " but")):
            remark = _lower_first(remark)
    parts.append(remark)
    if d.chance(0.2):
        second = d.pick(demo_text.SPECIFIC[tp_name][sentiment])
        if second != parts[-1]:
            parts.append(second)
    if d.chance(0.4):
        parts.append(d.pick(demo_text.CLOSINGS[sentiment]))
    text = " ".join(parts)
    if d.chance(0.15):
        text += " " + d.pick(demo_text.EMOJI[sentiment])
    if "{" not in text:
        return text
    rise = PRICE_RISE_GBP if price < 100 else round(price * 0.06)
    values = {
        "minutes": d.integer(25, 95) if sentiment != "pos" else d.integer(2, 15),
        "days": d.integer(2, 9),
        "times": d.integer(2, 4),
        "name": d.pick(demo_text.STAFF_NAMES),
        "speed": d.integer(8, 60) if sentiment == "neg" else int(mbps * d.between(0.9, 1.0)),
        "price": _money(price),
        "old": _money(price),
        "new": _money(price + rise),
        "rise": _money(rise),
        "fee": d.pick(("49", "60", "29.99")),
        "amount": _money(price + d.integer(12, 40)),
    }
    return demo_text.fill(text, values)


def _lower_first(text: str) -> str:
    """Lower-case a remark's first letter when it follows a comma ("I" and names stay)."""
    if text.startswith(("{name}", "I ", "I'm", "I've")):
        return text
    return text[:1].lower() + text[1:]


def _money(value: float) -> str:
    """'39' or '39.50'."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


# -- assembling -----------------------------------------------------------------------------
def generate_demo(
    seed: int = DEFAULT_SEED, n_customers: int = N_CUSTOMERS, n_prospects: int = N_PROSPECTS
) -> DemoData:
    """Generate the demo data (no database involved), deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    draws = _Draws(np.random.default_rng([seed, 1]))
    c = _customers(rng, n_customers)
    customer_ids = np.array(
        [f"BW-{i + 1:05d}" for i in range(n_customers)]
        + [f"BW-P{i + 1:05d}" for i in range(n_prospects)],
        dtype=object,
    )
    rows: list[tuple[int, int, int, int]] = []
    for i in range(n_customers):
        _customer_events(draws, c, i, rows)
    for j in range(n_prospects):
        _prospect_events(draws, n_customers + j, rows)
    ev = np.array(rows, dtype=np.int64).reshape(-1, 4)
    ev = ev[np.lexsort((ev[:, 0], ev[:, 1]))]  # chronological
    r = _responses(rng, c, ev, n_customers)

    seg_names = np.array(DEMO_SEGMENTS, dtype=object)
    persona_names = np.array(_PERSONAS, dtype=object)
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
    after_fix = r["t"] >= _FIX
    for k in np.flatnonzero(r["has_comment"]).tolist():
        ci = int(r["c"][k])
        comments[k] = _comment(
            draws,
            TOUCHPOINTS[int(r["tp"][k])],
            _SENTIMENTS[int(r["sentiment"][k])],
            _PERSONAS[int(c["persona"][ci])],
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


# -- writing into the database --------------------------------------------------------------
def _new_import(cur: object, kind: str, seed: int, count: int) -> int:
    execute = cur.execute  # type: ignore[attr-defined]
    import_id = int(execute("SELECT nextval('import_id_seq')").fetchall()[0][0])
    execute(
        "INSERT INTO imports(import_id, workspace, kind, file_name, content_hash, rows_read,"
        " rows_loaded, rows_rejected, mapping) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)",
        [
            import_id,
            DEMO_WORKSPACE,
            kind,
            f"demo: {kind} (generated, seed {seed})",
            f"demo-seed-{seed}-{kind}",
            count,
            count,
        ],
    )
    return import_id


def _insert(cur: object, name: str, table: pa.Table, sql: str, params: list[object]) -> None:
    con = cur  # a DuckDB cursor
    con.register(name, table)  # type: ignore[attr-defined]
    try:
        con.execute(sql, params)  # type: ignore[attr-defined]
    finally:
        con.unregister(name)  # type: ignore[attr-defined]


def _load_demo_rows(
    cur: object,
    kind: str,
    seed: int,
    frame: pd.DataFrame,
    id_column: str | None = None,
) -> tuple[int, int]:
    """Record an import of ``kind`` and insert ``frame``'s role columns into that table,
    numbering rows like the import does (``source_row`` from 1; ids ``import_id *
    ID_STRIDE + position``). Returns (import_id, first id). Table and column names are
    this module's constants, never user input."""
    import_id = _new_import(cur, kind, seed, len(frame))
    first_id = import_id * ID_STRIDE
    extra = {"source_row": np.arange(1, len(frame) + 1)}
    if id_column is not None:
        extra[id_column] = np.arange(len(frame)) + first_id
    columns = list(ROLES[kind])
    keys = ([id_column] if id_column else []) + ["workspace", "import_id", "source_row"]
    values = ([id_column] if id_column else []) + ["?", "?", "source_row"]
    _insert(
        cur,
        f"demo_{kind}",
        pa.Table.from_pandas(frame.assign(**extra), preserve_index=False),
        f"INSERT INTO {kind}({', '.join(keys + columns)}) "
        f"SELECT {', '.join(values + columns)} FROM demo_{kind}",
        [DEMO_WORKSPACE, import_id],
    )
    return import_id, first_id


def build_demo_workspace(
    db: Database,
    progress: Callable[[str], None] | None = None,
    seed: int = DEFAULT_SEED,
    *,
    actor: Principal,
) -> str:
    """Create or refresh the workspace ``demo`` (clears it, then rebuilds it, in one
    transaction) and return a one-line summary of what it holds. ``actor`` needs
    ``workspace.delete`` on ``demo`` (it replaces all of its data)."""
    require(actor, "workspace.delete", DEMO_WORKSPACE)
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    say("Generating customers, journeys and survey answers…")
    data = generate_demo(seed)
    say(f"Generated in {time.perf_counter() - started:.1f} s; writing to the database…")
    ws = DEMO_WORKSPACE
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [ws])
        clear_workspace_data(cur, ws)
        for persona, description in DEMO_PERSONAS.items():
            cur.execute(
                "INSERT INTO personas(workspace, name, description) VALUES (?, ?, ?)",
                [ws, persona, description],
            )
        imp, _ = _load_demo_rows(cur, "customers", seed, data.customers)
        _insert_attributes(
            cur,
            "customers",
            imp,
            data.customer_attributes.rename(columns={"customer_id": "row_id"}),
        )
        say(f"Wrote {len(data.customers):,} customers.")
        imp, first_id = _load_demo_rows(
            cur, "responses", seed, data.responses, id_column="response_id"
        )
        attrs = data.response_attributes
        attrs = pd.DataFrame(
            {
                "row_id": attrs.response_idx.to_numpy() + first_id,
                "name": attrs.name,
                "num_value": attrs.num_value,
                "text_value": attrs.text_value,
            }
        )
        _insert_attributes(cur, "responses", imp, attrs)
        say(f"Wrote {len(data.responses):,} survey responses.")
        _load_demo_rows(cur, "events", seed, data.events, id_column="event_id")
        say(f"Wrote {len(data.events):,} touchpoint events.")
        bump_revision(cur, ws)
    say("Drawing the demo journey map…")
    seed_demo_journey(db, ws, actor=actor)
    say("Analysing the comments (sentiment, themes)…")
    from cem.voc.jobs import analyse_workspace

    analyse_workspace(db, ws)
    journeys = int(
        db.execute("SELECT count(*) FROM journeys WHERE workspace = ?", [ws]).fetchall()[0][0]
    )
    say(f"Done in {time.perf_counter() - started:.1f} s.")
    record(db, actor, "workspace.demo", ws, ws, "demo data loaded")
    return (
        f"Demo workspace '{ws}': {len(data.customers):,} customers, "
        f"{len(data.responses):,} responses, {len(data.events):,} events, "
        f"{journeys:,} journey{'s' if journeys != 1 else ''}"
    )


def _insert_attributes(cur: object, kind: str, import_id: int, attrs: pd.DataFrame) -> None:
    """Store long-form demo attributes (row_id, name, num_value, text_value) as an import
    stores its own (:func:`cem.analytics.attributes.store_attributes`: one wide table, each column
    described). Numeric demo columns are 0-10/1-5 ratings where 0 means not applicable."""
    wide = pd.DataFrame({"row_id": pd.unique(attrs.row_id)})
    columns = []
    for k, (name, group) in enumerate(attrs.groupby("name", sort=True)):
        numeric = bool(group.num_value.notna().any())
        values = group.set_index("row_id")["num_value" if numeric else "text_value"]
        wide[f"v{k}"] = wide.row_id.map(values)
        columns.append(
            AttributeColumn(
                str(name),
                f"v{k}",
                NUMERIC if numeric else TEXT,
                float(values.min()) if numeric else None,
                float(values.max()) if numeric else None,
                numeric,
                int(values.nunique()),
            )
        )
    store_attribute_frame(
        cur,
        DEMO_WORKSPACE,
        kind,
        import_id,
        pa.Table.from_pandas(wide, preserve_index=False),
        columns,
    )


# -- sample files for the import page -------------------------------------------------------
STORES: dict[str, str] = {
    "London": "London Oxford Street",
    "South East": "Brighton Churchill Square",
    "Midlands": "Birmingham Bullring",
    "North West": "Manchester Arndale",
    "North East": "Newcastle Eldon Square",
    "Scotland": "Glasgow Buchanan Street",
    "Wales": "Cardiff Queen Street",
    "South West": "Bristol Cabot Circus",
}
SAMPLE_FILES = ("survey_export.csv", "touchpoint_events.csv", "customers.xlsx")
NPS_QUESTION = "How likely are you to recommend us to a friend?"


def write_demo_samples(
    folder: Path,
    seed: int = DEFAULT_SEED,
    n_customers: int = 300,
    n_survey: int = 500,
    n_events: int = 2_000,
) -> list[Path]:
    """Write small files a user can try the import page with, cut from the demo data:
    a semicolon-delimited survey export with day-first dates, a touchpoint event log
    (CSV) and a customer list (XLSX). Returns their paths."""
    import openpyxl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = generate_demo(seed)
    rng = np.random.default_rng([seed, 2])
    chosen = np.sort(rng.choice(len(data.customers), size=n_customers, replace=False))
    cust = data.customers.iloc[chosen]
    ids = set(cust.customer_id)
    attrs = data.customer_attributes.pivot(index="customer_id", columns="name", values="text_value")
    # Survey export: what a shop's survey tool gives you.
    answered = data.responses[
        data.responses.customer_id.isin(ids)
        & (data.responses.nps.notna() | data.responses.csat.notna())
    ]
    pick = np.sort(rng.choice(len(answered), size=min(n_survey, len(answered)), replace=False))
    survey = answered.iloc[pick]
    paths = [folder / name for name in SAMPLE_FILES]
    with open(paths[0], "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Date", NPS_QUESTION, "Customer satisfaction (1-5)", "Comment", "Store"])
        for row in survey.itertuples(index=False):
            writer.writerow(
                [
                    row.submitted_at.strftime("%d/%m/%Y"),
                    "" if pd.isna(row.nps) else int(row.nps),
                    "" if pd.isna(row.csat) else int(row.csat),
                    "" if pd.isna(row.comment) else row.comment,
                    STORES[attrs.at[row.customer_id, "Region"]],
                ]
            )
    # Event log: the latest events of the same customers.
    events = data.events[data.events.customer_id.isin(ids)]
    events = events.sort_values("occurred_at", kind="stable").tail(n_events)
    pd.DataFrame(
        {
            "Customer": events.customer_id,
            "Timestamp": events.occurred_at.dt.strftime("%Y-%m-%d %H:%M"),
            "Touchpoint": events.touchpoint,
            "Channel": events.channel,
        }
    ).to_csv(paths[1], index=False, lineterminator="\n")
    # Customer list: a CRM export.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Customers"
    sheet.append(
        [
            "Customer ID",
            "Segment",
            "Persona",
            "Signup date",
            "Churned",
            "Churn date",
            "Revenue (£)",
            "Region",
            "Plan",
        ]
    )
    for row in cust.itertuples(index=False):
        sheet.append(
            [
                row.customer_id,
                row.segment,
                row.persona,
                row.first_seen.date(),
                "Yes" if row.churned else "No",
                None if pd.isna(row.churned_at) else row.churned_at.date(),
                float(row.revenue),
                attrs.at[row.customer_id, "Region"],
                attrs.at[row.customer_id, "Plan"],
            ]
        )
    for column, width in zip("ABCDEFGHI", (12, 15, 21, 12, 9, 12, 12, 12, 17), strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_cols(min_col=4, max_col=6, min_row=2):
        for cell in cells:
            if cell.column in (4, 6):
                cell.number_format = "DD/MM/YYYY"
    fixed = dt.datetime(2026, 11, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(paths[2])
    return paths


def demo_is_loaded(db: Database) -> bool:
    """True when the workspace ``demo`` exists and has survey responses."""
    row = db.execute(
        "SELECT count(*) FROM responses WHERE workspace = ?", [DEMO_WORKSPACE]
    ).fetchall()
    return bool(row and row[0][0] > 0)
