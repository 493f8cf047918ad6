"""Theme analytics and per-touchpoint sentiment, under the shared filters.

- :func:`theme_impact`: per theme (optionally per touchpoint, segment or month): mentions,
  share of the commented responses, NPS of responses mentioning it vs not, the difference and
  whether it is significant (DESIGN.md's test, :func:`cem.analytics.significance.nps_difference_significant`),
  and the share of detractors and of promoters who mention it.
- :func:`theme_trend`: mentions and share per month.
- :func:`rising_themes`: themes whose share grew most in the last 90 days vs the 90 before,
  with a two-proportion test (the Overview's "what customers talk about").
- :func:`sentiment_by_touchpoint`: mean comment sentiment per touchpoint;
  :func:`sentiment_by_key` (Ibis, any backend) and :func:`with_sentiment_signal`, the third
  signal of the journey map's data emotion (weight :data:`SENTIMENT_WEIGHT` = 0.5: a scored
  comment counts half a score answer), used by :func:`cem.journeys.data_emotion.emotion_by_key`.

The aggregation runs in DuckDB on the filtered responses (the filter bar's Ibis expression,
compiled to SQL by Ibis) joined to the ``voc_*`` tables; only small per-theme counts come back.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.filters import Filters, filtered_table
from cem.analytics.significance import (
    change_words,
    nps_difference_significant,
    too_few_to_compare,
    two_proportion_significant,
)
from cem.errors import InputError
from cem.voc.verbatims import _filtered_sql

GROUPS: dict[str, str] = {
    "touchpoint": "r.touchpoint",
    "segment": "r.segment",
    "month": "strftime(date_trunc('month', r.submitted_at), '%Y-%m')",
}
# Weight of comment sentiment as the third signal of a touchpoint's data emotion.
SENTIMENT_WEIGHT = 0.5
IMPACT_COLUMNS = (
    "theme_id",
    "theme",
    "n",
    "share",
    "nps_with",
    "nps_without",
    "difference",
    "significant",
    "words",
    "detractors_mentioning",
    "promoters_mentioning",
    "mean_sentiment",
)


def _db(engine: Engine):  # type: ignore[no-untyped-def]
    if engine.database is None:
        raise InputError("Theme analytics need the DuckDB engine.")
    return engine.database


def _counts(
    engine: Engine, workspace: str, filters: Filters | None, by: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (group, theme) and per group: n commented, answered NPS, promoters, detractors."""
    group = GROUPS.get(by or "", "'all'")
    if by and by not in GROUPS:
        raise InputError(f"Group by touchpoint, segment or month, not '{by}'.")
    base = f"""
        WITH f AS ({_filtered_sql(engine, workspace, filters)}),
        c AS (
            SELECT r.response_id, r.nps, {group} AS grp
            FROM f r JOIN voc_docs d ON d.workspace = $ws AND d.response_id = r.response_id
        )
    """
    db = _db(engine)
    totals = db.execute(
        base
        + """
        SELECT grp, count(*) AS n, count(nps) AS answered,
               count(*) FILTER (WHERE nps >= 9) AS promoters,
               count(*) FILTER (WHERE nps <= 6) AS detractors
        FROM c GROUP BY grp
        """,
        {"ws": workspace},
    ).df()
    themes = db.execute(
        base
        + """
        SELECT c.grp, t.theme_id, any_value(t.label) AS theme, count(*) AS n,
               count(c.nps) AS answered,
               count(*) FILTER (WHERE c.nps >= 9) AS promoters,
               count(*) FILTER (WHERE c.nps <= 6) AS detractors,
               avg(s.sentiment) AS mean_sentiment
        FROM c JOIN voc_theme_members m ON m.workspace = $ws AND m.response_id = c.response_id
        JOIN voc_themes t ON t.theme_id = m.theme_id AND t.kind <> 'dismissed'
        LEFT JOIN voc_sentiment s ON s.workspace = $ws AND s.response_id = c.response_id
        GROUP BY c.grp, t.theme_id
        """,
        {"ws": workspace},
    ).df()
    return themes, totals


def _nps(promoters: float, detractors: float, answered: float) -> float:
    return 100.0 * (promoters - detractors) / answered if answered else float("nan")


def theme_impact(
    engine: Engine, workspace: str, filters: Filters | None = None, by: str | None = None
) -> pd.DataFrame:
    """Per theme (and group when ``by``): n, share, NPS with vs without, significance."""
    themes, totals = _counts(engine, workspace, filters, by)
    columns = (["group"] if by else []) + list(IMPACT_COLUMNS)
    if themes.empty:
        return pd.DataFrame(columns=columns)
    total = totals.set_index("grp")
    rows = []
    for t in themes.itertuples(index=False):
        g = total.loc[t.grp]
        rest_answered = g.answered - t.answered
        rest_p, rest_d = g.promoters - t.promoters, g.detractors - t.detractors
        nps_with = _nps(t.promoters, t.detractors, t.answered)
        nps_without = _nps(rest_p, rest_d, rest_answered)
        significant = None
        difference = float("nan")
        too_few = False
        if t.answered and rest_answered:
            difference = nps_with - nps_without
            too_few = too_few_to_compare(t.answered, rest_answered)
            significant = not too_few and nps_difference_significant(
                t.promoters / t.answered,
                t.detractors / t.answered,
                t.answered,
                rest_p / rest_answered,
                rest_d / rest_answered,
                rest_answered,
            )
        row = {
            "theme_id": int(t.theme_id),
            "theme": t.theme,
            "n": int(t.n),
            "share": 100.0 * t.n / g.n if g.n else float("nan"),
            "nps_with": nps_with,
            "nps_without": nps_without,
            "difference": difference,
            "significant": significant,
            "words": change_words(difference, significant, too_few=too_few)
            if significant is not None
            else "no NPS answers to compare",
            "detractors_mentioning": 100.0 * t.detractors / g.detractors
            if g.detractors
            else float("nan"),
            "promoters_mentioning": 100.0 * t.promoters / g.promoters
            if g.promoters
            else float("nan"),
            "mean_sentiment": t.mean_sentiment,
        }
        if by:
            row = {"group": t.grp, **row}
        rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    sort = (["group"] if by else []) + ["n"]
    return out.sort_values(sort, ascending=[True] * (len(sort) - 1) + [False]).reset_index(
        drop=True
    )


def theme_trend(engine: Engine, workspace: str, filters: Filters | None = None) -> pd.DataFrame:
    """Per month and theme: mentions and share of that month's commented responses."""
    impact = theme_impact(engine, workspace, filters, by="month")
    if impact.empty:
        return pd.DataFrame(columns=["month", "theme", "n", "share"])
    out = impact.rename(columns={"group": "month"})[["month", "theme", "theme_id", "n", "share"]]
    return out.dropna(subset=["month"]).sort_values(["month", "theme"]).reset_index(drop=True)


def rising_themes(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    top: int = 3,
    window_days: int = 90,
) -> pd.DataFrame:
    """The themes whose share of comments rose most: last ``window_days`` vs the window
    before (ending at the latest comment), with direction and a two-proportion test."""
    db = _db(engine)
    latest = db.execute(
        f"WITH f AS ({_filtered_sql(engine, workspace, filters)}) SELECT max(r.submitted_at) "
        "FROM f r JOIN voc_docs d ON d.workspace = ? AND d.response_id = r.response_id",
        [workspace],
    ).fetchall()[0][0]
    columns = [
        "theme_id",
        "theme",
        "share_now",
        "share_before",
        "change",
        "significant",
        "words",
        "n_now",
    ]
    if latest is None:
        return pd.DataFrame(columns=columns)
    end = pd.Timestamp(latest).date() + dt.timedelta(days=1)
    base = filters or Filters()
    now = base.with_dates(end - dt.timedelta(days=window_days), end - dt.timedelta(days=1))
    before = base.with_dates(
        end - dt.timedelta(days=2 * window_days), end - dt.timedelta(days=window_days + 1)
    )
    t_now, tot_now = _counts(engine, workspace, now, None)
    t_before, tot_before = _counts(engine, workspace, before, None)
    n_now = int(tot_now.n.sum()) if len(tot_now) else 0
    n_before = int(tot_before.n.sum()) if len(tot_before) else 0
    if not n_now or not n_before:
        return pd.DataFrame(columns=columns)
    merged = t_now[["theme_id", "theme", "n"]].merge(
        t_before[["theme_id", "n"]], on="theme_id", how="outer", suffixes=("_now", "_before")
    )
    merged["n_now"] = merged.n_now.fillna(0)
    merged["n_before"] = merged.n_before.fillna(0)
    merged["share_now"] = 100.0 * merged.n_now / n_now
    merged["share_before"] = 100.0 * merged.n_before / n_before
    merged["change"] = merged.share_now - merged.share_before
    merged["significant"] = [
        two_proportion_significant(a, n_now, b, n_before)
        for a, b in zip(merged.n_now, merged.n_before, strict=False)
    ]
    merged["words"] = [
        change_words(c, s) for c, s in zip(merged.change, merged.significant, strict=False)
    ]
    merged = merged.dropna(subset=["theme"])
    merged = merged.sort_values(["significant", "change"], ascending=[False, False])
    rising = merged[merged.change > 0].head(top)
    return rising[columns].reset_index(drop=True)


def sentiment_by_touchpoint(
    engine: Engine, workspace: str, filters: Filters | None = None
) -> pd.DataFrame:
    """(touchpoint, key, n, mean_sentiment, sentiment_emotion) of the scored comments; ``key``
    matches :func:`cem.journeys.data_emotion.match_key` (lower case, trimmed), and
    ``sentiment_emotion`` is the mean on the −2..+2 emotion scale (``2 × mean``)."""
    db = _db(engine)
    frame = db.execute(
        f"WITH f AS ({_filtered_sql(engine, workspace, filters)}) "
        "SELECT any_value(r.touchpoint) AS touchpoint, lower(trim(r.touchpoint)) AS key, "
        "count(s.sentiment) AS n, avg(s.sentiment) AS mean_sentiment FROM f r "
        "JOIN voc_sentiment s ON s.workspace = ? AND s.response_id = r.response_id "
        "WHERE r.touchpoint IS NOT NULL AND s.sentiment IS NOT NULL GROUP BY key ORDER BY key",
        [workspace],
    ).df()
    frame["sentiment_emotion"] = np.clip(2.0 * frame.mean_sentiment, -2.0, 2.0)
    return frame


def sentiment_by_key(
    engine: Engine, workspace: str, keys: tuple[str, ...], filters: Filters | None = None
) -> pd.DataFrame:
    """(key, n, sentiment_emotion) of the scored comments at the given touchpoint match
    keys (:func:`cem.journeys.data_emotion.match_key`), under the shared filters: an Ibis
    expression, so it runs on any backend that holds ``voc_sentiment`` (DuckDB, and Spark
    through the Parquet export). ``sentiment_emotion`` is ``2 × mean sentiment`` (−2..+2)."""
    columns = ["key", "n", "sentiment_emotion"]
    if not keys or not engine.has_table("voc_sentiment"):
        return pd.DataFrame(columns=columns)
    responses = filtered_table(engine, workspace, "responses", filters)
    responses = responses.mutate(key=responses.touchpoint.strip().lower())
    responses = responses.filter(responses.key.isin(list(keys)))
    scored = engine.table("voc_sentiment")
    scored = scored.filter((scored.workspace == workspace) & scored.sentiment.notnull())
    joined = responses.join(scored, responses.response_id == scored.response_id)
    agg = joined.group_by("key").aggregate(n=joined.sentiment.count(), mean=joined.sentiment.mean())
    frame = engine.to_pandas(agg)
    frame["n"] = frame["n"].astype("int64")
    frame["sentiment_emotion"] = np.clip(2.0 * frame["mean"].astype(float), -2.0, 2.0)
    return frame[columns].sort_values("key").reset_index(drop=True)


def with_sentiment_signal(
    by_key: pd.DataFrame, sentiment: pd.DataFrame, weight: float = SENTIMENT_WEIGHT
) -> pd.DataFrame:
    """The journey hook: add comment sentiment to a data-emotion frame as a third signal.

    ``by_key`` is :func:`cem.journeys.data_emotion.emotion_by_key`'s frame (``key``, ``n``,
    ``data_emotion``); ``sentiment`` is :func:`sentiment_by_touchpoint`'s. The new
    ``data_emotion`` is the weighted mean of the score-based emotion (weight: its ``n``) and
    the sentiment emotion (weight: ``weight`` × its number of scored comments), so comments
    count half as much as score answers by default; a touchpoint with comments but no scores
    gets the sentiment emotion alone. Also adds ``sentiment_emotion`` and ``sentiment_n``.

    >>> scores = pd.DataFrame({"key": ["a"], "n": [100], "data_emotion": [1.0]})
    >>> comments = pd.DataFrame({"key": ["a"], "n": [100], "sentiment_emotion": [-1.0]})
    >>> round(float(with_sentiment_signal(scores, comments).data_emotion[0]), 3)
    0.333
    """
    out = by_key.merge(
        sentiment[["key", "n", "sentiment_emotion"]].rename(columns={"n": "sentiment_n"}),
        on="key",
        how="left",
    )
    score_w = out["n"].fillna(0).astype(float).where(out.data_emotion.notna(), 0.0)
    sent_w = weight * out.sentiment_n.fillna(0).astype(float)
    sent_w = sent_w.where(out.sentiment_emotion.notna(), 0.0)
    total = score_w + sent_w
    combined = out.data_emotion.fillna(0) * score_w + out.sentiment_emotion.fillna(0) * sent_w
    out["data_emotion"] = (combined / total.replace(0, np.nan)).where(total > 0, out.data_emotion)
    return out
