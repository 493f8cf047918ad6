"""Key-driver analysis: which ratings move the outcome, and how well each performs.

Given numeric rating attributes (e.g. an airline survey's 14 service ratings scored
0-5, or "Speed rating" 1-5) and an outcome (the NPS score 0-10, CSAT 1-5, or a
satisfied / not-satisfied text flag mapped to 1/0), each driver gets:

- ``correlation``: Pearson r with the outcome (pairwise complete answers);
- ``beta``: its standardized regression coefficient (numpy least squares on the
  correlation matrix's normal equations — on complete data this is exactly least
  squares on the z-scored complete cases; with survey gaps it uses every pair of
  answers, see :func:`driver_correlations`);
- ``importance``: its **relative weight** (Johnson 2000) as a share of the model R², in
  percent — unlike betas, relative weights split the explained variance fairly between
  correlated drivers and always sum to 100;
- ``performance``: its mean rating, ``scale`` (its lowest-highest answer), ``performance_pct``
  (the mean as % of that scale) and ``top2_share`` (answers at or above max - 1);
- ``lower_is_better``: its header speaks of a cost (difficulty, effort, problems, waiting:
  "How difficult was it?", "Minutes waited") and its answers fall as the outcome rises
  (r below -0.1); its ``performance_pct`` and ``top2_share`` then count from its low end
  (its best answers), so a hard step is weak, not a strength. A rating that merely moves
  against the outcome (recommending a rival product) keeps its scale;
- ``quadrant``: importance above/below the mean importance x performance (% of its scale)
  above/below the mean of those: "Fix first" (important, weak), "Maintain" (important, strong),
  "Nice to have" (less important, strong), "Low priority" (less important, weak).

Ratings whose column says 0 means "not applicable" (``zero_means_na``) treat 0 as
missing. The filtering and the pivot (one column per driver) are Ibis expressions; the
pivoted sample (one row per response with an outcome, one column per driver, at most
``max_rows`` rows) is pulled into pandas/numpy for the correlations and the regression.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> x = rng.normal(size=(500, 2))
>>> y = 2 * x[:, 0] + 0.1 * rng.normal(size=500)
>>> w = relative_weights(np.column_stack([x, y]))
>>> bool(w[0] > 0.9 and w[1] < 0.05)
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from cem.analytics.attributes import attribute_values, numeric_attribute_matrix
from cem.analytics.catalogue import (
    attribute_columns,
    available_metrics,
    rating_attributes,
    rating_info,
    yes_no_attributes,
)
from cem.analytics.engine import Engine
from cem.analytics.filters import ATTRIBUTE_PREFIX, Filters, filtered_table
from cem.analytics.flags import (
    flag_attributes,
    flag_metric,
    flag_values,
    parse_flag_metric,
)
from cem.errors import InputError

QUADRANTS: dict[str, str] = {
    "Fix first": "Important and below-average: improving these moves the outcome most.",
    "Maintain": "Important and already strong: protect them, they carry the score.",
    "Nice to have": "Strong but matter less to the outcome: keep, don't over-invest.",
    "Low priority": "Weak but matter little: fix when cheap, after the 'Fix first' list.",
}
OUTCOME_LABELS = {"nps": "NPS score (0-10)", "csat": "CSAT (1-5)", "ces": "CES (1-7)"}
MIN_COMPLETE = 30


def outcome_options(engine: Engine, workspace: str) -> dict[str, str]:
    """Outcome key -> label: nps/csat/ces when answered, and ``attr:<flag>=<value>`` for
    every two-valued text attribute (e.g. airline ``satisfaction``)."""
    available = available_metrics(engine, workspace)
    out = {k: v for k, v in OUTCOME_LABELS.items() if k in available}
    flag_options = {
        flag_metric(name, positive): f"{name} = “{positive}” (yes/no)"
        for name, positive in flag_attributes(engine, workspace).items()
    }
    for name in yes_no_attributes(engine, workspace):  # 0/1 answers: "% yes"
        flag_options[f"{ATTRIBUTE_PREFIX}{name}"] = f"{name} (% yes)"
    # An explicit satisfied/not flag is the outcome the file was made for: offer it first.
    return flag_options | out


def driver_candidates(engine: Engine, workspace: str) -> list[str]:
    """Numeric attributes that look like rating scales (at most 0-10, few distinct values):
    the default drivers. Ages, distances and delays are left out."""
    cols = attribute_columns(engine, workspace).set_index("name")
    out = []
    for name in rating_attributes(engine, workspace):
        high = cols.loc[name, "max_value"]
        distinct = cols.loc[name, "distinct_values"]
        if (pd.isna(high) or high <= 10) and (pd.isna(distinct) or distinct <= 11):
            out.append(name)
    return out


def _outcome_expr(engine: Engine, workspace: str, table: ibis.Table, outcome: str) -> ibis.Table:
    """Responses with an ``outcome`` column (float; flags as 1/0)."""
    if outcome in OUTCOME_LABELS:
        return table.mutate(outcome=table[outcome].cast("float64"))
    if (flag_key := parse_flag_metric(outcome)) is not None:
        flag = flag_values(engine, workspace, *flag_key, value="outcome")
        joined = table.inner_join(flag, table.response_id == flag._row_id)
        return joined.drop("_row_id")
    if outcome.startswith(ATTRIBUTE_PREFIX):  # a 0/1 (yes/no) attribute
        name = outcome.removeprefix(ATTRIBUTE_PREFIX)
        if not rating_info(engine, workspace, name)["yes_no"]:
            raise InputError(f"'{name}' is not a yes/no column: choose another outcome")
        flag = attribute_values(engine, workspace, "responses", name)
        flag = flag.filter(flag.num_value.notnull()).select(
            _row_id=flag.row_id, outcome=flag.num_value.cast("float64")
        )
        joined = table.inner_join(flag, table.response_id == flag._row_id)
        return joined.drop("_row_id")
    raise InputError(f"Unknown outcome '{outcome}'")


def driver_matrix(
    engine: Engine,
    workspace: str,
    outcome: str,
    drivers: Sequence[str],
    filters: Filters | None = None,
    max_rows: int = 200_000,
) -> pd.DataFrame:
    """One row per filtered response with an outcome: ``outcome`` and one column per
    driver (NaN where unanswered, or 0 in a zero-means-n/a column): a join of the
    responses with their ratings side by side (:func:`numeric_attribute_matrix`)."""
    table = filtered_table(engine, workspace, "responses", filters or Filters())
    table = _outcome_expr(engine, workspace, table, outcome)
    table = table.filter(table.outcome.notnull()).select(
        _rid=table.response_id, outcome=table.outcome
    )
    # Side by side straight from the imports' wide tables: no pivot of the long form.
    ratings = numeric_attribute_matrix(engine, workspace, "responses", drivers)
    joined = table.inner_join(ratings, table._rid == ratings.row_id).limit(max_rows)
    frame = engine.to_pandas(joined)
    frame = frame.rename(columns={f"v{i}": name for i, name in enumerate(drivers)})
    return frame[["outcome", *drivers]].astype("float64")


def relative_weights_from_corr(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights from a correlation matrix whose last row/column is the
    outcome: one weight per predictor, as fractions of R² (they sum to R²)."""
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    evals = np.clip(evals, 1e-12, None)  # pairwise matrices can be slightly non-PSD
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def relative_weights(data: np.ndarray) -> np.ndarray:
    """Relative weights of the predictor columns (all but the last) for the last column
    of a complete data matrix."""
    return relative_weights_from_corr(np.corrcoef(data, rowvar=False))


def standardized_betas_from_corr(corr: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardized regression coefficients (numpy least squares on the normal equations
    ``Rxx b = rxy``) and R² = b . rxy."""
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    beta, *_ = np.linalg.lstsq(rxx, rxy, rcond=None)
    return beta, float(beta @ rxy)


def standardized_betas(data: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardized regression coefficients and R² of a complete data matrix."""
    return standardized_betas_from_corr(np.corrcoef(data, rowvar=False))


R2_TOLERANCE = 1e-6
SEPARABLE_R = 0.99  # two drivers correlated beyond this cannot be told apart
TOO_SIMILAR = (
    "These ratings are too similar to separate: {detail}, so no share of the variation "
    "can be given to each. Pick fewer drivers, or ones that measure different things."
)


def check_separable(corr: np.ndarray, drivers: Sequence[str]) -> None:
    """:class:`InputError` when two drivers move together (|r| > 0.99): their betas would
    be huge and opposite (a near-singular regression) and their shares arbitrary.

    >>> check_separable(np.array([[1, 0.5, 0.3], [0.5, 1, 0.2], [0.3, 0.2, 1]]), ["a", "b"])
    >>> check_separable(np.array([[1, 0.995, 0.3], [0.995, 1, 0.3], [0.3, 0.3, 1]]), ["a", "b"])
    Traceback (most recent call last):
    ...
    cem.errors.InputError: These ratings are too similar to separate: “a” and “b” correlate at r = 0.99, so ...
    """
    k = len(drivers)
    for i in range(k):
        for j in range(i + 1, k):
            r = float(corr[i, j])
            if abs(r) > SEPARABLE_R:
                detail = f"“{drivers[i]}” and “{drivers[j]}” correlate at r = {r:.2f}"
                raise InputError(TOO_SIMILAR.format(detail=detail))


def checked_r2(r2: float) -> float:
    """The model R² when it is a share (0..1, rounding noise clipped); otherwise an
    :class:`InputError`: a pairwise correlation matrix of near-duplicate ratings can give
    a least-squares "R²" below 0 or above 1, which is no share of anything.

    >>> checked_r2(0.42), checked_r2(1.0000000001), checked_r2(-1e-9)
    (0.42, 1.0, 0.0)
    """
    if not np.isfinite(r2) or r2 < -R2_TOLERANCE or r2 > 1 + R2_TOLERANCE:
        raise InputError(
            TOO_SIMILAR.format(
                detail="they move together so closely that the model's R² would be outside 0-100%"
            )
        )
    return float(min(max(r2, 0.0), 1.0))


def driver_correlations(frame: pd.DataFrame, drivers: Sequence[str]) -> np.ndarray:
    """The pairwise-complete correlation matrix of the drivers and the outcome (last).

    Surveys ask each rating of only some respondents (the touchpoints they used), so
    few rows answer every driver; each correlation uses every row that answered both of
    its columns. Pairs never answered together count as uncorrelated.
    """
    corr = frame[[*drivers, "outcome"]].corr(min_periods=MIN_COMPLETE).to_numpy()
    corr = np.nan_to_num(corr, nan=0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


LOWER_IS_BETTER_R = -0.1  # a cost-worded driver this negatively related reads low-is-good
COST_WORDING = re.compile(
    r"\b(difficult\w*|hard|harder|hardest|effort\w*|problem\w*|issues?|frustrat\w*|annoy\w*|"
    r"wait\w*|delay\w*|complain\w*|complicated|confus\w*|slow\w*|minutes|hours|"
    r"schwierig\w*|aufwand|difícil|dificultad|esfuerzo|difficile|moeilijk|svær)\b",
    re.IGNORECASE,
)


def key_drivers(
    engine: Engine,
    workspace: str,
    outcome: str,
    drivers: Sequence[str] | None = None,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """The driver ranking (one row per driver, most important first) with ``driver``,
    ``importance`` (relative weight, % of R²), ``correlation``, ``beta``,
    ``performance`` (mean), ``top2_share``, ``n`` (answers with an outcome), ``r2`` and
    ``quadrant``. Correlations, weights and betas use the pairwise-complete correlation
    matrix (:func:`driver_correlations`); on complete data that equals least squares on
    the z-scored complete cases. Raises :class:`InputError` when there is too little data.
    """
    drivers = list(drivers) if drivers else driver_candidates(engine, workspace)
    if len(drivers) < 1:
        raise InputError(
            "Key drivers need numeric rating columns (e.g. 'Speed rating' "
            "1-5) in the uploaded responses; this workspace has none."
        )
    drivers = [d for d in drivers if f"{ATTRIBUTE_PREFIX}{d}" != outcome]  # not itself
    frame = driver_matrix(engine, workspace, outcome, drivers, filters)
    # A driver with too few answers (in this filter) or no spread cannot be ranked.
    usable = [
        d
        for d in drivers
        if frame[[d, "outcome"]].dropna().shape[0] >= MIN_COMPLETE and frame[d].std() > 0
    ]
    if not usable or frame.outcome.std() == 0 or not frame.outcome.std() == frame.outcome.std():
        raise InputError(
            f"Too few answers to rank drivers: each driver needs at least "
            f"{MIN_COMPLETE} responses that also answered the outcome, and the "
            "outcome needs some spread. Widen the filters."
        )
    corr = driver_correlations(frame, usable)
    check_separable(corr, usable)
    weights = relative_weights_from_corr(corr)
    betas, r2 = standardized_betas_from_corr(corr)
    r2 = checked_r2(r2)
    rows = []
    for i, name in enumerate(usable):
        info = rating_info(engine, workspace, name)
        col = frame[name].dropna()
        low = info["lowest"] if info["lowest"] is not None else 0.0
        span = info["max"] - low
        reversed_scale = float(corr[i, -1]) < LOWER_IS_BETTER_R and bool(COST_WORDING.search(name))
        # Where the mean sits on its own scale (lowest answer 0, highest 100; the other way
        # round when lower is better): a 1-5 rating, a 0-10 question and a yes/no flag
        # compare on one axis.
        pct = 100.0 * (float(col.mean()) - low) / span if span > 0 else 50.0
        best_two = (
            col <= low + (info["max"] - info["top_from"])
            if reversed_scale
            else col >= info["top_from"]
        )
        rows.append(
            {
                "driver": name,
                "importance": 100.0 * weights[i] / weights.sum() if weights.sum() > 0 else 0.0,
                "correlation": float(corr[i, -1]),
                "beta": float(betas[i]),
                "performance": float(col.mean()),
                "scale": f"{low:g}–{info['max']:g}",
                "lower_is_better": reversed_scale,
                "performance_pct": 100.0 - pct if reversed_scale else pct,
                "top2_share": float(100.0 * best_two.mean()),
                "n": int(len(col)),
            }
        )
    result = pd.DataFrame(rows)
    result["r2"] = r2
    result["quadrant"] = quadrants(result.importance, result.performance_pct)
    return result.sort_values("importance", ascending=False).reset_index(drop=True)


def unranked_note(candidates: Sequence[str], ranking: pd.DataFrame, outcome: str) -> str | None:
    """The sentence naming the rating columns that were asked for but not ranked (too few
    answers beside the outcome in this filter, or one answer only); None when all were.

    >>> ranked = pd.DataFrame({"driver": ["Speed"]})
    >>> unranked_note(["Speed", "Wifi", "Food"], ranked, "nps")
    'Not ranked (fewer than 30 answers beside the outcome in this filter, or all the same): “Wifi”, “Food”.'
    """
    left = [
        c
        for c in candidates
        if c not in set(ranking.driver) and f"{ATTRIBUTE_PREFIX}{c}" != outcome
    ]
    if not left:
        return None
    return (
        f"Not ranked (fewer than {MIN_COMPLETE} answers beside the outcome in this filter, or "
        "all the same): " + ", ".join(f"“{c}”" for c in left) + "."
    )


def lower_is_better_note(ranking: pd.DataFrame) -> str | None:
    """The sentence naming the drivers read low-is-good (None when there is none).

    >>> print(lower_is_better_note(pd.DataFrame({"driver": ["Effort", "Speed"],
    ...                                          "lower_is_better": [True, False]})))
    Lower is better for “Effort”: its answers fall as the outcome rises, so its performance and top-2-box count its lowest answers as the best.
    """
    names = ranking[ranking.lower_is_better].driver.tolist()
    if not names:
        return None
    its = "its" if len(names) == 1 else "their"
    return (
        "Lower is better for "
        + ", ".join(f"“{n}”" for n in names)
        + f": {its} answers fall as the outcome rises, so {its} performance and top-2-box "
        f"count {its} lowest answers as the best."
    )


def quadrants(importance: pd.Series, performance: pd.Series) -> list[str]:
    """The quadrant of each driver against the mean importance and mean performance.

    >>> quadrants(pd.Series([40, 40, 10, 10]), pd.Series([3.0, 4.0, 4.0, 3.0]))
    ['Fix first', 'Maintain', 'Nice to have', 'Low priority']
    """
    imp_mid, perf_mid = importance.mean(), performance.mean()
    out = []
    for imp, perf in zip(importance, performance, strict=True):
        if imp >= imp_mid:
            out.append("Fix first" if perf < perf_mid else "Maintain")
        else:
            out.append("Nice to have" if perf >= perf_mid else "Low priority")
    return out
