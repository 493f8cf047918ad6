"""The demo's survey answers: transactional surveys after touchpoint events, relationship
surveys every few months, NPS/CSAT/CES and driver ratings from each customer's latent
satisfaction, and who writes a comment.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cem.demo.story import (
    DAY,
    FLAG_MISSED,
    FLAG_NONE,
    FLAG_REPEAT,
    FLAG_REVISIT,
    HOUR,
    MINUTE,
    PHONE_FIX_S,
    PRICE_RISE_S,
    TOUCHPOINT_INDEX,
    TOUCHPOINT_STAGE,
    TOUCHPOINTS,
    WINDOW_END_S,
    WINDOW_START_S,
    epoch_seconds,
)

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


def touchpoint_quality(tp: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Touchpoint quality at a time: the phone fix in March 2026, the July 2026 price rise."""
    q = np.array([_QUALITY[name] for name in TOUCHPOINTS])[tp]
    phone = tp == TOUCHPOINT_INDEX["Phone support"]
    ramp = np.clip((t - PHONE_FIX_S) / (30 * DAY), 0, 1)
    q = np.where(phone, q + 1.1 * ramp, q)
    after = t >= PRICE_RISE_S
    q = np.where((tp == TOUCHPOINT_INDEX["Renewal offer"]) & after, q - 1.2, q)
    return np.where((tp == TOUCHPOINT_INDEX["Pricing page"]) & after, q - 0.4, q)


def survey_responses(
    rng: np.random.Generator, c: dict[str, np.ndarray], ev: np.ndarray, n_customers: int
) -> dict[str, np.ndarray]:
    """The survey answers, as columns in time order: transactional surveys after events
    ``ev`` (customer, time, touchpoint, flag) and relationship waves of the customers
    ``c``; scores, which questions were asked, driver ratings and who comments."""
    ev_c, ev_t, ev_tp, ev_flag = ev[:, 0], ev[:, 1], ev[:, 2], ev[:, 3]
    # Transactional surveys after touchpoint events of customers in the window.
    rate = np.array([_SURVEY_RATE[name] for name in TOUCHPOINTS])[ev_tp]
    rate = np.where(ev_flag != FLAG_NONE, np.minimum(rate * 1.3, 0.9), rate)
    sent_at = ev_t + 5 * MINUTE + rng.exponential(6 * HOUR, len(ev_t)).astype(np.int64)
    take = (
        (ev_c < n_customers)
        & (ev_t >= WINDOW_START_S)
        & (sent_at < WINDOW_END_S)
        & (rng.random(len(ev_t)) < rate)
    )
    tr = {"c": ev_c[take], "t": sent_at[take], "tp": ev_tp[take], "flag": ev_flag[take]}
    # Relationship (NPS) surveys about every four months, answered by 55%, about the
    # customer's most recent touchpoint.
    waves = 12
    ci = np.repeat(np.arange(n_customers), waves)
    k = np.tile(np.arange(waves), n_customers)
    invite = (
        c["first_seen"][ci] + 60 * DAY + k * 121 * DAY + rng.uniform(-20, 20, len(ci)) * DAY
    ).astype(np.int64)
    keep = (
        (invite >= WINDOW_START_S)
        & (invite < WINDOW_END_S)
        & (invite < c["end"][ci])
        & (rng.random(len(ci)) < 0.55)
    )
    ci, invite = ci[keep], invite[keep]
    cust_events = ev_c < n_customers
    key = ev_c[cust_events].astype(np.int64) * (1 << 34) + (
        ev_t[cust_events] - epoch_seconds(dt.datetime(2020, 1, 1))
    )
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    q = ci.astype(np.int64) * (1 << 34) + (invite - epoch_seconds(dt.datetime(2020, 1, 1)))
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
    quality = touchpoint_quality(tp, t)
    staff_tp = np.isin(tp, [TOUCHPOINT_INDEX[x] for x in _STAFF_TOUCHPOINTS])
    stage_of = np.array([TOUCHPOINT_STAGE[x] for x in TOUCHPOINTS])[tp]
    setup_tp = np.isin(stage_of, _SETUP_STAGES)
    pre_service = np.isin(stage_of, _PRE_SERVICE_STAGES)
    after_rise = t >= PRICE_RISE_S
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
