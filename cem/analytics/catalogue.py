"""The catalogue of a workspace: which metrics, dimensions, values, dates and attribute
columns it has. Every question is an Ibis expression run on the :class:`Engine`, so the
catalogue answers the same on DuckDB and on Spark.

>>> from cem.analytics.engine import duckdb_engine
>>> from cem.store.db import Database
>>> engine = duckdb_engine(Database(":memory:"))
>>> available_metrics(engine, "nobody"), date_bounds(engine, "nobody")
({}, (None, None))
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from cem.analytics.attributes import attribute_values
from cem.analytics.engine import Engine
from cem.analytics.filters import ATTRIBUTE_PREFIX, STANDARD_DIMENSIONS, base_table
from cem.analytics.labels import SURVEY_METRICS
from cem.errors import InputError

MAX_VALUES = 500
_NUMERIC_DTYPES = frozenset(
    {
        "numeric",
        "number",
        "float",
        "double",
        "integer",
        "int",
        "bigint",
        "float64",
        "int64",
        "rating",
    }
)
_ATTRIBUTE_COLUMNS = (
    "name",
    "dtype",
    "min_value",
    "max_value",
    "zero_means_na",
    "distinct_values",
)


def is_numeric(dtype: str) -> bool:
    """True for the dtypes of numeric attribute columns.

    >>> is_numeric("numeric"), is_numeric("text")
    (True, False)
    """
    return str(dtype).lower() in _NUMERIC_DTYPES


def attribute_columns(engine: Engine, workspace: str, kind: str = "responses") -> pd.DataFrame:
    """The attribute columns of a workspace's uploads (name, dtype, min/max, zero_means_na,
    distinct_values), by name (case-insensitive)."""
    cols = engine.table("attribute_columns")
    expr = (
        cols.filter((cols.workspace == workspace) & (cols.kind == kind))
        .select(*_ATTRIBUTE_COLUMNS)
        .order_by([cols.name.lower(), cols.name])
    )
    return engine.to_pandas(expr).reset_index(drop=True)


def rating_attributes(engine: Engine, workspace: str) -> list[str]:
    """Names of the numeric attribute columns of responses (usable as KPIs and drivers)."""
    cols = attribute_columns(engine, workspace)
    return [str(n) for n, d in zip(cols.name, cols.dtype, strict=True) if is_numeric(d)]


def headline_rating(engine: Engine, workspace: str) -> str | None:
    """The one rating scale the responses carry (a review's 1-5 stars), named as an
    attribute; None when there are none or several (no rating is picked for the user)."""
    cols = attribute_columns(engine, workspace)
    scales = [
        str(row.name)
        for row in cols.itertuples(index=False)
        if is_numeric(row.dtype)
        and is_rating_scale(
            None if pd.isna(row.min_value) else float(row.min_value),
            5.0 if pd.isna(row.max_value) else float(row.max_value),
            None if pd.isna(row.distinct_values) else int(row.distinct_values),
        )
    ]
    return scales[0] if len(scales) == 1 else None


def dimension_attributes(
    engine: Engine, workspace: str, max_distinct: int = 60, max_numeric_distinct: int = 12
) -> list[str]:
    """Attribute columns usable as filters and splits: text ones with few distinct values
    (regions, classes, flags) and numeric ones with very few (0-10 ratings, 0/1 flags)."""
    cols = attribute_columns(engine, workspace)
    if cols.empty:
        return []
    numeric = cols.dtype.map(is_numeric).astype(bool)
    limit = numeric.map({True: max_numeric_distinct, False: max_distinct})
    keep = cols[cols.distinct_values.isna() | (cols.distinct_values <= limit)]
    return [str(n) for n in keep.name]


def available_metrics(engine: Engine, workspace: str) -> dict[str, str]:
    """Metric key -> label for the metrics this workspace has answers for."""
    t = base_table(engine, workspace, "responses")
    counts = engine.to_pandas(
        t.aggregate(
            nps=t.nps.count(),
            csat=t.csat.count(),
            ces=t.ces.count(),
            responses=t.count(),
            comment_share=t.comment.count(),
        )
    ).iloc[0]
    out = {k: label for k, label in SURVEY_METRICS.items() if int(counts[k] or 0)}
    yes_no = set(yes_no_attributes(engine, workspace))
    for name in rating_attributes(engine, workspace):
        out[ATTRIBUTE_PREFIX + name] = f"{name} (% yes)" if name in yes_no else name
    from cem.analytics.flags import flag_attributes, flag_label, flag_metric

    for name, positive in flag_attributes(engine, workspace).items():  # "satisfied" or not
        out[flag_metric(name, positive)] = flag_label(name, positive)
    return out


def is_yes_no(min_value: Any, max_value: Any, distinct: Any) -> bool:
    """A numeric attribute holding only 0 and 1 (a yes/no answer): read as "% yes".

    >>> is_yes_no(0.0, 1.0, 2), is_yes_no(0.0, 5.0, 6), is_yes_no(1.0, 1.0, 1)
    (True, False, False)
    """
    if any(v is None or pd.isna(v) for v in (min_value, max_value)):
        return False
    return (
        float(min_value) == 0.0 and float(max_value) == 1.0 and (pd.isna(distinct) or distinct <= 2)
    )


def yes_no_attributes(engine: Engine, workspace: str) -> list[str]:
    """Names of the numeric 0/1 attributes of responses (yes/no answers)."""
    cols = attribute_columns(engine, workspace)
    return [
        str(r.name)
        for r in cols.itertuples(index=False)
        if is_numeric(r.dtype) and is_yes_no(r.min_value, r.max_value, r.distinct_values)
    ]


def dimension_values(engine: Engine, workspace: str) -> dict[str, list[str]]:
    """Distinct values of every filter dimension of responses (at most 500 each): the
    standard ones, then the attributes of :func:`dimension_attributes` (numbers in
    numeric order)."""
    out: dict[str, list[str]] = {}
    t = base_table(engine, workspace, "responses")
    for dim in STANDARD_DIMENSIONS:
        values = t.filter(t[dim].notnull()).select(value=t[dim]).distinct()
        frame = engine.to_pandas(values.order_by("value").limit(MAX_VALUES))
        if not frame.empty:
            out[dim] = [str(v) for v in frame.value]
    names = dimension_attributes(engine, workspace)
    catalogued: dict[str, list[str]] = {}
    live = names
    if engine.database is not None:  # values stored at import (see attribute_catalogue)
        from cem.analytics.attribute_catalogue import catalogued_values

        catalogued, live = catalogued_values(engine.database, workspace, names)
    for name in names:
        if name in catalogued:
            out[ATTRIBUTE_PREFIX + name] = catalogued[name]
            continue
        if name not in live:
            continue
        attrs = attribute_values(engine, workspace, "responses", name)
        distinct = (
            attrs.select(value=attrs.label, number=attrs.num_value)
            .distinct()
            .order_by(["number", "value"])
            .limit(MAX_VALUES)
        )
        values = [str(v) for v in engine.to_pandas(distinct).value if v is not None]
        if values:
            out[ATTRIBUTE_PREFIX + name] = values
    return out


def date_bounds(engine: Engine, workspace: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last response dates of a workspace (None, None without dates)."""
    t = base_table(engine, workspace, "responses")
    row = engine.to_pandas(t.aggregate(first=t.submitted_at.min(), last=t.submitted_at.max())).iloc[
        0
    ]
    if pd.isna(row["first"]):
        return None, None
    return pd.Timestamp(row["first"]).date(), pd.Timestamp(row["last"]).date()


def filter_date_bounds(engine: Engine, workspace: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last dates the shared date filter can choose: of the responses and
    of the events, which it filters both (None, None when neither has a date). An event
    log without survey answers still has a date range to filter by."""
    bounds = [date_bounds(engine, workspace)]
    t = base_table(engine, workspace, "events")
    row = engine.to_pandas(t.aggregate(first=t.occurred_at.min(), last=t.occurred_at.max()))
    if not pd.isna(row.iloc[0]["first"]):
        bounds.append(
            (pd.Timestamp(row.iloc[0]["first"]).date(), pd.Timestamp(row.iloc[0]["last"]).date())
        )
    firsts = [b[0] for b in bounds if b[0] is not None]
    lasts = [b[1] for b in bounds if b[1] is not None]
    return (min(firsts), max(lasts)) if firsts else (None, None)


def rating_info(engine: Engine, workspace: str, name: str) -> dict[str, Any]:
    """min, max, zero_means_na, ``lowest`` (the lowest answer that counts: 1 when 0 means
    n/a, else min), the top-2-box threshold, and whether it is yes/no or a rating scale."""
    cols = attribute_columns(engine, workspace)
    match = cols[cols.name == name]
    if match.empty or not is_numeric(match.dtype.iloc[0]):
        raise InputError(f"'{name}' is not a numeric rating column of this workspace")
    row = match.iloc[0]
    low, high = row.min_value, row.max_value
    high = 5.0 if high is None or (isinstance(high, float) and math.isnan(high)) else float(high)
    low = None if low is None or pd.isna(low) else float(low)
    distinct = None if pd.isna(row.distinct_values) else int(row.distinct_values)
    return {
        "min": low,
        "max": high,
        "zero_means_na": bool(row.zero_means_na),
        "lowest": 1.0 if row.zero_means_na else low,
        "top_from": high - 1.0,
        "yes_no": is_yes_no(low, high, row.distinct_values),
        "rating": is_rating_scale(low, high, distinct),
    }


def is_rating_scale(low: float | None, high: float, distinct: int | None) -> bool:
    """Whether a numeric column's range reads as a rating scale (answers from 0 or 1 up to
    4-10, at least three of them, no more than the scale has): a top-2-box makes sense
    for it, not for minutes, ages or amounts.

    >>> is_rating_scale(1, 5, 5), is_rating_scale(0, 1595, 400), is_rating_scale(0, 10, 40)
    (True, False, False)
    """
    if low is None or distinct is None or low < 0 or not 4 <= high <= 10:
        return False
    return 3 <= distinct <= high - low + 1
