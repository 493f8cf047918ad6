"""Data-derived emotion: what the customers' own answers say at each touchpoint.

A touchpoint is matched to survey responses by its ``data_key`` when set, else by its
name; the match is on the ``touchpoint`` column of ``responses``, case-insensitive and
ignoring surrounding spaces. The shared :class:`~cem.analytics.filters.Filters` apply (so a
persona or date filter changes the curve). Computed with Ibis, so it runs on any Ibis
backend.

Rescaling to the team's −2..+2 emotion scale (each clipped to −2..+2):

* NPS answer mean ``x`` on 0..10: ``(x − 5) / 2.5``  (0 → −2, 5 → 0, 10 → +2)
* CSAT mean on 1..5:               ``x − 3``          (1 → −2, 3 → 0, 5 → +2)
* CES mean on 1..7 (7 = easy):     ``(x − 4) / 1.5``  (1 → −2, 4 → 0, 7 → +2)

The touchpoint's data emotion is the **n-weighted mean** of the rescaled scores it has
(a score with 300 answers counts three times one with 100); ``n`` is the number of
responses matched (any score).

**Comment sentiment is the third signal** (where the comments were analysed,
:mod:`cem.voc`): ``2 × mean sentiment`` of the matched, scored comments (−2..+2), weighted
``0.5 × its number of comments`` (:data:`cem.voc.analytics.SENTIMENT_WEIGHT`: a comment
counts half a score answer) against the score emotion's weight ``n``. Example: NPS mean 10
(+2) over n = 2 responses and two comments of sentiment −0.5 (−1): ``(2·2 + (−1)·1) / (2 + 1)
= 1.0``. A touchpoint with comments but no scores gets the sentiment emotion alone. Adds
``sentiment_emotion`` and ``sentiment_n``; ``sentiment=False`` leaves it out.

>>> rescale_nps(10.0), rescale_csat(4.0), rescale_ces(5.5)
(2.0, 1.0, 1.0)
>>> combine([(1.0, 100), (-1.0, 300), (None, 0)])
-0.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.filters import Filters, filtered_table
from cem.analytics.kpis import csat_table, nps_table
from cem.journeys.model import Journey

EMOTION_COLUMNS: tuple[str, ...] = (
    "key",
    "n",
    "nps_mean",
    "nps_n",
    "csat_mean",
    "csat_n",
    "ces_mean",
    "ces_n",
    "data_emotion",
)


def _clip(value: float) -> float:
    return max(-2.0, min(2.0, value))


def rescale_nps(mean: float) -> float:
    """NPS answer mean (0..10) on −2..+2."""
    return _clip((mean - 5.0) / 2.5)


def rescale_csat(mean: float) -> float:
    """CSAT mean (1..5) on −2..+2."""
    return _clip(mean - 3.0)


def rescale_ces(mean: float) -> float:
    """CES mean (1..7, higher = easier) on −2..+2."""
    return _clip((mean - 4.0) / 1.5)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def combine(scores: Iterable[tuple[float | None, int]]) -> float | None:
    """The n-weighted mean of the available rescaled scores (None when there are none)."""
    total = weight = 0.0
    for score, n in scores:
        if _missing(score) or not n:
            continue
        total += float(score) * n  # type: ignore[arg-type]
        weight += n
    return total / weight if weight else None


def match_key(text: str | None) -> str:
    """The normalised key a touchpoint is matched on.

    >>> match_key("  Phone Support ")
    'phone support'
    """
    return (text or "").strip().lower()


def touchpoint_keys(journey: Journey) -> tuple[str, ...]:
    """The distinct match keys of a journey's touchpoints (data_key, else name)."""
    return tuple(sorted({match_key(tp.data_key or tp.name) for tp in journey.touchpoints}))


def emotion_by_key(
    engine: Engine,
    workspace: str,
    keys: tuple[str, ...],
    filters: Filters | None = None,
    *,
    sentiment: bool = True,
) -> pd.DataFrame:
    """Per match key: n, mean NPS/CSAT/CES with their n, and the combined data emotion
    (with comment sentiment as the third signal unless ``sentiment`` is False).

    Keys without any response are left out.
    """
    if not keys:
        return pd.DataFrame(columns=list(EMOTION_COLUMNS))
    table = filtered_table(engine, workspace, "responses", filters)
    table = table.mutate(key=table.touchpoint.strip().lower())
    table = table.filter(table.key.isin(list(keys)))
    agg = table.group_by("key").aggregate(
        n=table.count(),
        nps_mean=table.nps.mean(),
        nps_n=table.nps.count(),
        csat_mean=table.csat.mean(),
        csat_n=table.csat.count(),
        ces_mean=table.ces.mean(),
        ces_n=table.ces.count(),
    )
    frame = engine.to_pandas(agg)
    if frame.empty:
        return pd.DataFrame(columns=list(EMOTION_COLUMNS))
    emotions = []
    for rec in frame.to_dict("records"):
        parts = []
        if rec["nps_n"]:
            parts.append((rescale_nps(float(rec["nps_mean"])), int(rec["nps_n"])))
        if rec["csat_n"]:
            parts.append((rescale_csat(float(rec["csat_mean"])), int(rec["csat_n"])))
        if rec["ces_n"]:
            parts.append((rescale_ces(float(rec["ces_mean"])), int(rec["ces_n"])))
        emotions.append(combine(parts))
    frame["data_emotion"] = emotions
    for col in ("n", "nps_n", "csat_n", "ces_n"):
        frame[col] = frame[col].astype("int64")
    frame = frame[list(EMOTION_COLUMNS)].sort_values("key").reset_index(drop=True)
    if sentiment:
        from cem.voc.analytics import sentiment_by_key, with_sentiment_signal

        comments = sentiment_by_key(engine, workspace, keys, filters)
        frame = with_sentiment_signal(frame, comments)
    return frame


def journey_data_emotion(
    engine: Engine, workspace: str, journey: Journey, filters: Filters | None = None
) -> pd.DataFrame:
    """One row per touchpoint (journey order): touchpoint_id and the emotion columns
    (NaN / 0 where no response matched)."""
    by_key = emotion_by_key(engine, workspace, touchpoint_keys(journey), filters)
    return attach_to_touchpoints(journey, by_key)


def attach_to_touchpoints(journey: Journey, by_key: pd.DataFrame) -> pd.DataFrame:
    """Join :func:`emotion_by_key` output onto the journey's touchpoints (journey order)."""
    rows = [
        {"touchpoint_id": tp.touchpoint_id, "key": match_key(tp.data_key or tp.name)}
        for tp in journey.touchpoints
    ]
    base = pd.DataFrame(rows, columns=["touchpoint_id", "key"])
    out = base.merge(by_key, on="key", how="left")
    for col in ("n", "nps_n", "csat_n", "ces_n"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("nps_mean", "csat_mean", "ces_mean", "data_emotion"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


KPI_COLUMNS: tuple[str, ...] = ("key", "nps", "nps_moe", "nps_n", "csat", "csat_n")


def touchpoint_kpis(
    engine: Engine, workspace: str, keys: tuple[str, ...], filters: Filters | None = None
) -> pd.DataFrame:
    """The KPI lane: per match key, NPS (−100..+100, its margin, n) and CSAT (% of 4-5
    answers, n), with the exact DESIGN.md formulas of :mod:`cem.analytics.kpis`.

    Keys without any NPS or CSAT answer are left out.
    """
    if not keys:
        return pd.DataFrame(columns=list(KPI_COLUMNS))
    table = filtered_table(engine, workspace, "responses", filters)
    table = table.mutate(key=table.touchpoint.strip().lower())
    table = table.filter(table.key.isin(list(keys)))
    nps = engine.to_pandas(nps_table(table, ["key"]))
    csat = engine.to_pandas(csat_table(table, ["key"]))
    nps = nps.rename(columns={"value": "nps", "moe": "nps_moe", "n": "nps_n"})
    csat = csat.rename(columns={"value": "csat", "n": "csat_n"})
    out = nps[["key", "nps", "nps_moe", "nps_n"]].merge(
        csat[["key", "csat", "csat_n"]], on="key", how="outer"
    )
    out = out[(out["nps_n"].fillna(0) > 0) | (out["csat_n"].fillna(0) > 0)].copy()
    for col in ("nps_n", "csat_n"):
        out[col] = out[col].fillna(0).astype("int64")
    out.loc[out["nps_n"] == 0, ["nps", "nps_moe"]] = float("nan")
    out.loc[out["csat_n"] == 0, "csat"] = float("nan")
    return out[list(KPI_COLUMNS)].sort_values("key").reset_index(drop=True)
