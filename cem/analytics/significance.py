"""Is a difference real? Significance tests for KPI values, said in words.

The KPIs themselves are Ibis expressions (:mod:`cem.analytics.kpis`); these tests work on the
small aggregated frames they return (counts are additive, so "the rest" of a group is
the total minus the group). Formulas (DESIGN.md):

- NPS: ``var = (pP + pD - (pP - pD)^2) / n``; two NPS differ significantly when
  ``|a - b| > 1.96 * sqrt(var_a + var_b) * 100``.
- CSAT (and other shares): a two-proportion z-test with the pooled proportion.
- CES / rating means: Welch-style ``|a - b| > 1.96 * sqrt(sd_a^2/n_a + sd_b^2/n_b)``.

>>> nps_difference_significant(0.5, 0.1, 400, 0.3, 0.2, 400)
True
>>> change_words(6.2, True)
'▲ 6 pts, significant'
>>> change_words(-2, False)
'▼ 2 pts, within noise'
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cem.analytics.kpis import LOW_CONFIDENCE_N, Z95


def nps_variance(p_promoters: float, p_detractors: float, n: float) -> float:
    """The variance of an NPS (as a fraction) from its shares and n; NaN when n is 0."""
    if not n:
        return math.nan
    return (p_promoters + p_detractors - (p_promoters - p_detractors) ** 2) / n


def nps_difference_significant(
    pp_a: float, pd_a: float, n_a: float, pp_b: float, pd_b: float, n_b: float
) -> bool:
    """True when NPS a and b differ at 95% (DESIGN.md's variance)."""
    var = nps_variance(pp_a, pd_a, n_a) + nps_variance(pp_b, pd_b, n_b)
    if not (var == var) or var <= 0:  # NaN or no spread: only a real difference counts
        return bool(n_a and n_b and (pp_a - pd_a) != (pp_b - pd_b) and var == 0)
    diff = 100.0 * ((pp_a - pd_a) - (pp_b - pd_b))
    return abs(diff) > Z95 * math.sqrt(var) * 100.0


def two_proportion_significant(hits_a: float, n_a: float, hits_b: float, n_b: float) -> bool:
    """Two-proportion z-test at 95% (pooled); False when either side has no answers.

    >>> two_proportion_significant(90, 100, 70, 100)
    True
    >>> two_proportion_significant(52, 100, 48, 100)
    False
    """
    if not n_a or not n_b:
        return False
    pooled = (hits_a + hits_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return False
    return abs(hits_a / n_a - hits_b / n_b) / se > Z95


def too_few_to_compare(n_a: float, n_b: float) -> bool:
    """Whether either side has fewer answers than a KPI needs to be more than
    low-confidence (DESIGN.md: 30): such a difference is never called significant (two
    comments that both give 10 would otherwise "significantly" beat the rest).

    >>> too_few_to_compare(2, 900), too_few_to_compare(30, 30)
    (True, False)
    """
    return min(n_a, n_b) < LOW_CONFIDENCE_N


def change_words(
    diff: float | None,
    significant: bool | None,
    unit: str = "pts",
    decimals: int = 0,
    *,
    too_few: bool = False,
) -> str:
    """An arrow, the size of the change and whether it is significant, in words (or that
    there are ``too_few`` answers to tell).

    >>> change_words(135, False, too_few=True)
    '▲ 135 pts, too few answers to tell'
    """
    if diff is None or diff != diff:
        return "no comparison"
    size = round(abs(diff), decimals)
    if size == 0:
        return "no change"
    arrow = "▲" if diff > 0 else "▼"
    number = f"{size:.{decimals}f}" if decimals else f"{int(size)}"
    unit_text = f" {unit}" if unit else ""
    if too_few:
        return f"{arrow} {number}{unit_text}, too few answers to tell"
    if significant is None:
        return f"{arrow} {number}{unit_text}"
    return f"{arrow} {number}{unit_text}, {'significant' if significant else 'within noise'}"


def _compared(
    metric: str, a: pd.Series, b: pd.Series, diff: float, unit: str, decimals: int
) -> tuple[bool | None, str]:
    """(significant, words) of a vs b: no claim either way when a side has too few
    answers (:func:`too_few_to_compare`)."""
    if too_few_to_compare(a.n, b.n):
        return None, change_words(diff, None, unit, decimals, too_few=True)
    sig = _pair_significant(metric, a, b)
    return sig, change_words(diff, sig, unit, decimals)


def _pair_significant(metric: str, a: pd.Series, b: pd.Series) -> bool | None:
    """Significance of a vs b, two rows of a KPI frame (None: not testable)."""
    if not a.get("n") or not b.get("n"):
        return None
    if metric == "nps":
        return nps_difference_significant(
            a.share_promoters, a.share_detractors, a.n, b.share_promoters, b.share_detractors, b.n
        )
    if metric == "csat":
        return two_proportion_significant(a.satisfied, a.n, b.satisfied, b.n)
    if metric == "comment_share":
        return two_proportion_significant(a.commented, a.n, b.commented, b.n)
    if "sd" in a.index:
        var = (a.sd**2) / a.n + (b.sd**2) / b.n
        if not (var == var) or var <= 0:
            return None
        return bool(abs(a.value - b.value) > Z95 * math.sqrt(var))
    return None


def metric_unit(metric: str) -> tuple[str, int]:
    """(unit, decimals) used to describe a change of this metric."""
    if metric == "nps" or metric in ("csat", "comment_share"):
        return "pts", 0
    if metric == "responses":
        return "", 0
    return "", 1


_ADDITIVE = ("n", "promoters", "passives", "detractors", "satisfied", "commented")


def _rest_row(total: pd.Series, row: pd.Series, metric: str) -> pd.Series | None:
    """The KPI of everyone outside a group, from total counts minus the group's."""
    rest = {c: total[c] - row[c] for c in _ADDITIVE if c in row.index}
    n = rest.get("n", 0)
    if not n:
        return None
    out = pd.Series(rest, dtype="float64")
    if metric == "nps":
        out["share_promoters"] = rest["promoters"] / n
        out["share_detractors"] = rest["detractors"] / n
        out["value"] = 100 * (out.share_promoters - out.share_detractors)
    elif metric == "csat":
        out["value"] = 100 * rest["satisfied"] / n
    elif metric == "comment_share":
        out["value"] = 100 * rest["commented"] / n
    else:
        return None
    return out


def versus_rest(
    frame: pd.DataFrame, group: str, metric: str, totals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Add ``vs_rest`` (difference to everyone else), ``vs_rest_significant`` and
    ``vs_rest_words`` to a one-dimension KPI frame (NPS, CSAT, comment share).

    ``totals`` holds the totals per remaining key (e.g. per period) when the frame is
    also split by period; without it the frame's own sums are the total.
    """
    out = frame.copy()
    out["vs_rest"] = np.nan
    out["vs_rest_significant"] = pd.Series([None] * len(out), dtype="object", index=out.index)
    out["vs_rest_words"] = ""
    additive = [c for c in _ADDITIVE if c in out.columns]
    if metric not in ("nps", "csat", "comment_share") or not additive:
        return out
    keys = [c for c in ("period",) if c in out.columns]
    if keys:
        sums = out.groupby(keys)[additive].sum()
    unit, decimals = metric_unit(metric)
    for idx, row in out.iterrows():
        total = sums.loc[row[keys[0]]] if keys else out[additive].sum()
        rest = _rest_row(total, row, metric)
        if rest is None or not row.n:
            continue
        diff = row.value - rest.value
        sig, words = _compared(metric, row, rest, diff, unit, decimals)
        out.at[idx, "vs_rest"] = diff
        out.at[idx, "vs_rest_significant"] = sig
        out.at[idx, "vs_rest_words"] = words
    return out


def change_vs_previous(frame: pd.DataFrame, metric: str, group: str | None = None) -> pd.DataFrame:
    """Add ``change`` (vs the previous period of the same group), ``change_significant``
    and ``change_words`` to a KPI frame with a ``period`` column."""
    out = frame.sort_values(([group] if group else []) + ["period"]).copy()
    out["change"] = np.nan
    out["change_significant"] = pd.Series([None] * len(out), dtype="object", index=out.index)
    out["change_words"] = ""
    unit, decimals = metric_unit(metric)
    groups = out.groupby(group, dropna=False) if group else [(None, out)]
    for _, part in groups:
        previous: pd.Series | None = None
        for idx, row in part.iterrows():
            if previous is not None and row.n and previous.n:
                diff = row.value - previous.value
                sig, words = _compared(metric, row, previous, diff, unit, decimals)
                out.at[idx, "change"] = diff
                out.at[idx, "change_significant"] = sig
                out.at[idx, "change_words"] = words
            previous = row
    return out


def compare_rows(
    metric: str, current: pd.Series, previous: pd.Series
) -> tuple[float, bool | None, str]:
    """(difference, significant, words) for two rows of a KPI frame."""
    unit, decimals = metric_unit(metric)
    if not current.get("n") or not previous.get("n"):
        return math.nan, None, "no comparison"
    diff = float(current.value - previous.value)
    return diff, *_compared(metric, current, previous, diff, unit, decimals)
