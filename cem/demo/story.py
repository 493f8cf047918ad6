"""The demo's world and calendar: Brightwave's segments, regions, plans, touchpoints and
the fixed 18-month window with its two events (the Phone support fix, the price rise).

Plain constants shared by the generator modules of :mod:`cem.demo`. The calendar is fixed
(not relative to today), so every build of the demo is the same.

>>> WINDOW_END_S - WINDOW_START_S == (WINDOW_END - WINDOW_START).days * DAY
True
>>> TOUCHPOINT_STAGE["Phone support"], TOUCHPOINT_CHANNEL["Phone support"]
('Support', 'phone')
"""

from __future__ import annotations

import datetime as dt

from cem.demo.catalogue import DEMO_PERSONAS, DEMO_STAGES

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
# Plans per segment: (name, monthly price £, download speed Mbps, share of the segment).
PLANS: dict[str, tuple[tuple[str, float, int, float], ...]] = {
    "Consumer": (("Fibre 150", 29.0, 150, 0.6), ("Fibre 500", 39.0, 500, 0.4)),
    "Family": (("Fibre 500", 39.0, 500, 0.5), ("Gigabit Family", 55.0, 900, 0.5)),
    "Small Business": (("Business 500", 49.0, 500, 0.7), ("Business Gigabit", 75.0, 900, 0.3)),
    "Enterprise": (("Enterprise Fibre", 240.0, 900, 0.7), ("Leased Line", 390.0, 1000, 0.3)),
}
PRICE_RISE_GBP = 4.0  # per month from PRICE_RISE_AT, on Consumer and Family plans

PERSONAS = list(DEMO_PERSONAS)

# Flat lists of the touchpoints, in journey order.
TOUCHPOINTS: tuple[str, ...] = tuple(tp for _, tps in DEMO_STAGES for tp, _ in tps)
TOUCHPOINT_CHANNEL: dict[str, str] = {tp: ch for _, tps in DEMO_STAGES for tp, ch in tps}
TOUCHPOINT_STAGE: dict[str, str] = {tp: st for st, tps in DEMO_STAGES for tp, _ in tps}
TOUCHPOINT_INDEX = {name: i for i, name in enumerate(TOUCHPOINTS)}

# Event flags: what went wrong at an event (changes the scores and the comments).
FLAG_NONE, FLAG_MISSED, FLAG_REVISIT, FLAG_REPEAT = 0, 1, 2, 3

DAY = 86_400
HOUR = 3_600
MINUTE = 60


def epoch_seconds(moment: dt.datetime) -> int:
    """Seconds since 1970 (naive, as stored)."""
    return int((moment - dt.datetime(1970, 1, 1)).total_seconds())


WINDOW_START_S, WINDOW_END_S = epoch_seconds(WINDOW_START), epoch_seconds(WINDOW_END)
PHONE_FIX_S, PRICE_RISE_S = epoch_seconds(PHONE_FIX_AT), epoch_seconds(PRICE_RISE_AT)
