"""The demo's touchpoint event log: each customer's journey (awareness, research, purchase,
onboarding, usage, support episodes, renewals, going back) and prospects who never buy.
"""

from __future__ import annotations

import math

import numpy as np

from cem.demo.draws import Draws
from cem.demo.story import (
    DAY,
    FLAG_MISSED,
    FLAG_NONE,
    FLAG_REPEAT,
    FLAG_REVISIT,
    HOUR,
    MINUTE,
    PHONE_FIX_S,
    TOUCHPOINT_INDEX,
    WINDOW_END_S,
    WINDOW_START_S,
)

_APP_USERS = np.array([0.7, 0.75, 0.92, 0.5])  # by persona


def customer_events(
    d: Draws, c: dict[str, np.ndarray], i: int, out: list[tuple[int, int, int, int]]
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
            evs.append((int(t), TOUCHPOINT_INDEX[tp], flag))

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
            if d.chance(0.3 if t < PHONE_FIX_S else 0.15):
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


def prospect_events(d: Draws, pid: int, out: list[tuple[int, int, int, int]]) -> None:
    """A prospect: seen an ad or a search result; maybe researched; maybe abandoned checkout."""
    t = d.between(WINDOW_START_S, WINDOW_END_S - 2 * DAY)
    evs = [(int(t), TOUCHPOINT_INDEX[d.pick(("Social media ad", "Search result"))], FLAG_NONE)]
    if d.chance(0.55):
        t += d.expo(DAY) + 5 * MINUTE
        evs.append((int(t), TOUCHPOINT_INDEX["Website visit"], FLAG_NONE))
        if d.chance(0.8):
            t += d.expo(4 * MINUTE) + MINUTE
            evs.append((int(t), TOUCHPOINT_INDEX["Pricing page"], FLAG_NONE))
        if d.chance(0.25):
            evs.append(
                (int(t + d.expo(5 * MINUTE) + MINUTE), TOUCHPOINT_INDEX["Live chat"], FLAG_NONE)
            )
        if d.chance(0.22):
            t += d.expo(30 * MINUTE) + 10 * MINUTE
            evs.append((int(t), TOUCHPOINT_INDEX["Online checkout"], FLAG_NONE))
    evs.sort()
    out.extend((pid, t, tp, flag) for t, tp, flag in evs)
