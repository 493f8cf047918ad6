"""The KPI engine: one function, :func:`kpi_frame`, serves every page, the CLI and exports.

The definitions live once, as pure Ibis expressions, in :mod:`cem.analytics.kpis` (survey KPIs)
and :mod:`cem.analytics.retention` (customer KPIs); this module builds them over the DuckDB
backend of :class:`cem.store.db.Database`, scoped to a workspace and filtered by
:class:`cem.analytics.filters.Filters` (also Ibis), groups them by period and dimensions
(``segment``, ``persona``, ``channel``, ``touchpoint``, ``stage`` or ``attr:<column>``)
and returns a pandas DataFrame. Pages never recompute a metric their own way.

Metric keys: ``nps``, ``csat``, ``ces``, ``responses``, ``comment_share``, ``churn``,
``retention``, ``clv`` and ``attr:<numeric attribute>`` (a rating charted like a KPI:
mean, top-2-box share and n, with 0 as "not applicable" where the column says so).

>>> from cem.store.db import Database
>>> db = Database(":memory:")
>>> kpi_frame(db, "nobody", "nps")[["n", "value"]].to_dict("records")
[{'n': 0, 'value': nan}]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics import kpis, retention
from cem.analytics.attributes import attribute_values
from cem.analytics.filters import ATTRIBUTE_PREFIX, STANDARD_DIMENSIONS, Filters, filtered_table
from cem.analytics.significance import change_vs_previous, compare_rows, versus_rest
from cem.errors import InputError
from cem.store.db import Database

NOT_SET = "(not set)"
SURVEY_METRICS: dict[str, str] = {
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "responses": "Responses",
    "comment_share": "Comment share",
}
CUSTOMER_METRICS: dict[str, str] = {"churn": "Churn rate", "retention": "Retention", "clv": "CLV"}
SCORE_COLUMN: dict[str, str] = {"nps": "nps", "csat": "csat", "ces": "ces"}


def _one(result: Any) -> Any:
    """The first row of a result, fetching all of it (DuckDB 2 refuses new work on a cursor
    with an unfinished result, and the Ibis backend shares this thread's cursor)."""
    rows = result.fetchall()
    return rows[0] if rows else None


# -- catalogue ----------------------------------------------------------------------------
def attribute_columns(db: Database, workspace: str, kind: str = "responses") -> pd.DataFrame:
    """The attribute columns of a workspace's uploads (name, dtype, min/max, zero_means_na,
    distinct_values), by name."""
    return db.execute(
        "SELECT name, dtype, min_value, max_value, zero_means_na, distinct_values "
        "FROM attribute_columns WHERE workspace = ? AND kind = ? ORDER BY lower(name)",
        [workspace, kind],
    ).df()


def _is_numeric(dtype: str) -> bool:
    return str(dtype).lower() in {
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


def rating_attributes(db: Database, workspace: str) -> list[str]:
    """Names of the numeric attribute columns of responses (usable as KPIs and drivers)."""
    cols = attribute_columns(db, workspace)
    return [str(n) for n, d in zip(cols.name, cols.dtype, strict=True) if _is_numeric(d)]


def dimension_attributes(
    db: Database, workspace: str, max_distinct: int = 60, max_numeric_distinct: int = 12
) -> list[str]:
    """Attribute columns usable as filters and splits: text ones with few distinct values
    (regions, classes, flags) and numeric ones with very few (0-10 ratings, 0/1 flags)."""
    cols = attribute_columns(db, workspace)
    if cols.empty:
        return []
    numeric = cols.dtype.map(_is_numeric).astype(bool)
    limit = numeric.map({True: max_numeric_distinct, False: max_distinct})
    keep = cols[cols.distinct_values.isna() | (cols.distinct_values <= limit)]
    return [str(n) for n in keep.name]


def available_metrics(db: Database, workspace: str) -> dict[str, str]:
    """Metric key -> label for the metrics this workspace has answers for."""
    row = _one(
        db.execute(
            "SELECT count(nps), count(csat), count(ces), count(*), count(comment) "
            "FROM responses WHERE workspace = ?",
            [workspace],
        )
    )
    counts = dict(zip(["nps", "csat", "ces", "responses", "comment_share"], row, strict=True))
    out = {k: label for k, label in SURVEY_METRICS.items() if counts[k]}
    for name in rating_attributes(db, workspace):
        out[ATTRIBUTE_PREFIX + name] = name
    return out


def dimension_values(db: Database, workspace: str) -> dict[str, list[str]]:
    """Distinct values of every filter dimension of responses: the standard ones, then the
    attributes of :func:`dimension_attributes` (numbers in numeric order)."""
    out: dict[str, list[str]] = {}
    for dim in STANDARD_DIMENSIONS:
        rows = db.execute(
            f"SELECT DISTINCT {dim} FROM responses WHERE workspace = ? AND {dim} IS NOT NULL "
            f"ORDER BY 1 LIMIT 500",
            [workspace],
        ).fetchall()
        if rows:
            out[dim] = [str(r[0]) for r in rows]
    from cem.analytics.catalogue import catalogued_values

    names = dimension_attributes(db, workspace)
    catalogued, uncatalogued = catalogued_values(db, workspace, names)
    for name in names:
        if name in catalogued:
            out[ATTRIBUTE_PREFIX + name] = catalogued[name]
            continue
        if name not in uncatalogued:
            continue
        attrs = attribute_values(db.ibis(), workspace, "responses", name)
        distinct = (
            attrs.select(value=attrs.label, number=attrs.num_value)
            .distinct()
            .order_by(["number", "value"])
            .limit(500)
            .to_pandas()
        )
        values = [str(v) for v in distinct.value if v is not None]
        if values:
            out[ATTRIBUTE_PREFIX + name] = values
    return out


def date_bounds(db: Database, workspace: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last response dates of a workspace (None, None without dates)."""
    row = _one(
        db.execute(
            "SELECT min(submitted_at), max(submitted_at) FROM responses WHERE workspace = ?",
            [workspace],
        )
    )
    if row is None or row[0] is None:
        return None, None
    return row[0].date(), row[1].date()


def dimension_label(dim: str) -> str:
    """How a dimension is called on screen: ``attr:Class`` -> ``Class``."""
    return (
        dim.removeprefix(ATTRIBUTE_PREFIX)
        if dim.startswith(ATTRIBUTE_PREFIX)
        else (dim.replace("_", " ").capitalize())
    )


def metric_label(metric: str) -> str:
    """How a metric is called on screen."""
    if metric.startswith(ATTRIBUTE_PREFIX):
        return metric.removeprefix(ATTRIBUTE_PREFIX)
    return SURVEY_METRICS.get(metric) or CUSTOMER_METRICS.get(metric) or metric


# -- expressions --------------------------------------------------------------------------
def _attribute(
    backend: ibis.BaseBackend, workspace: str, name: str, kind: str = "responses"
) -> ir.Table:
    return attribute_values(backend, workspace, kind, name)


def with_dimensions(
    backend: ibis.BaseBackend, workspace: str, table: ir.Table, by: Sequence[str]
) -> ir.Table:
    """Add each ``attr:<name>`` of ``by`` as a text column of that name (left join)."""
    for dim in by:
        if dim.startswith(ATTRIBUTE_PREFIX):
            attr = _attribute(backend, workspace, dim.removeprefix(ATTRIBUTE_PREFIX))
            attr = attr.select(_row_id=attr.row_id, _dim=attr.label)
            joined = table.left_join(attr, table.response_id == attr._row_id)
            table = joined.mutate(**{dim: joined._dim}).drop("_row_id", "_dim")
        elif dim not in STANDARD_DIMENSIONS and dim != "period":
            raise InputError(
                f"Cannot split by '{dim}': use one of "
                f"{', '.join(STANDARD_DIMENSIONS)} or attr:<column>"
            )
    return table


def rating_info(db: Database, workspace: str, name: str) -> dict[str, Any]:
    """min, max, zero_means_na and the top-2-box threshold of a numeric attribute."""
    row = _one(
        db.execute(
            "SELECT min_value, max_value, zero_means_na, dtype FROM attribute_columns "
            "WHERE workspace = ? AND kind = 'responses' AND name = ?",
            [workspace, name],
        )
    )
    if row is None or not _is_numeric(row[3]):
        raise InputError(f"'{name}' is not a numeric rating column of this workspace")
    low, high, zero_na = row[0], row[1], bool(row[2])
    high = 5.0 if high is None or (isinstance(high, float) and math.isnan(high)) else float(high)
    return {"min": low, "max": high, "zero_means_na": zero_na, "top_from": high - 1.0}


def kpi_expr(
    db: Database,
    workspace: str,
    metric: str,
    *,
    by: Sequence[str] = (),
    period: str | None = None,
    filters: Filters | None = None,
) -> ir.Table:
    """The Ibis expression behind :func:`kpi_frame` (survey and rating metrics)."""
    backend = db.ibis()
    by = list(by)
    table = filtered_table(backend, workspace, "responses", filters or Filters())
    table = with_dimensions(backend, workspace, table, by)
    keys = (["period"] if period else []) + by
    table = kpis.with_period(table, period)
    if metric in kpis.KPI_TABLES:
        return kpis.KPI_TABLES[metric](table, keys)
    if metric.startswith(ATTRIBUTE_PREFIX):
        name = metric.removeprefix(ATTRIBUTE_PREFIX)
        info = rating_info(db, workspace, name)
        attr = _attribute(backend, workspace, name).select(_row_id="row_id", rating="num_value")
        joined = table.inner_join(attr, table.response_id == attr._row_id)
        return kpis.rating_table(
            joined, keys, top_from=info["top_from"], zero_means_na=info["zero_means_na"]
        )
    raise InputError(f"Unknown metric '{metric}'")


_SQL_CACHE: dict[tuple[Any, ...], str] = {}
_SQL_CACHE_MAX = 512


def compiled_kpi_sql(
    db: Database,
    workspace: str,
    metric: str,
    by: tuple[str, ...],
    period: str | None,
    filters: Filters,
) -> str:
    """The DuckDB SQL that Ibis compiles :func:`kpi_expr` to, memoised per (database,
    workspace revision, metric, grouping, filters).

    Building and compiling an Ibis expression costs ~0.1 s of Python; the memo makes a
    repeated KPI cost only its query. Values are inlined by Ibis/sqlglot as quoted
    literals (never by us), and the revision in the key drops the memo after an import
    (attribute columns and their scales can change).
    """
    key = (db.path, id(db), workspace, db.data_version(workspace), metric, by, period, filters)
    sql = _SQL_CACHE.get(key)
    if sql is None:
        expr = kpi_expr(db, workspace, metric, by=by, period=period, filters=filters)
        sql = str(ibis.to_sql(expr, dialect="duckdb"))
        if len(_SQL_CACHE) >= _SQL_CACHE_MAX:
            _SQL_CACHE.clear()
        _SQL_CACHE[key] = sql
    return sql


def _tidy(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Sort by the keys, label missing group values, give counts integer types."""
    for key in keys:
        if key in ("period", "cohort"):
            frame[key] = pd.to_datetime(frame[key])
        elif key in frame.columns:
            frame[key] = frame[key].astype("object").where(frame[key].notna(), NOT_SET)
    for col in (
        "n",
        "promoters",
        "passives",
        "detractors",
        "satisfied",
        "commented",
        "easy",
        "top2",
        "lost",
        "retained",
        "churned",
        "periods_since",
    ):
        if col in frame.columns:
            frame[col] = frame[col].fillna(0).astype("int64")
    for col in ("value", "moe", "ci_low", "ci_high"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    if "low_confidence" in frame.columns:
        frame["low_confidence"] = frame["low_confidence"].fillna(True).astype(bool)
    if keys:
        frame = frame.sort_values(list(keys), kind="stable").reset_index(drop=True)
    return frame


def kpi_frame(
    db: Database,
    workspace: str,
    metric: str,
    *,
    by: Sequence[str] = (),
    period: str | None = None,
    filters: Filters | None = None,
    margin: float = 1.0,
) -> pd.DataFrame:
    """One metric for a workspace, filtered and grouped: one row per group.

    Columns: ``period`` (when given), the ``by`` keys, ``n``, ``value``, ``moe``,
    ``ci_low``, ``ci_high``, ``low_confidence`` and the metric's own counts (NPS:
    ``promoters``, ``passives``, ``detractors`` and their ``share_*``; CSAT:
    ``satisfied``; CES: ``easy_share``, ``sd``; ratings: ``top2_share``).
    Without ``by``/``period`` there is exactly one row; no answers give ``n = 0`` and
    ``value`` NaN.
    """
    by = [b for b in by if b]
    filters = filters or Filters()
    if metric in CUSTOMER_METRICS:
        return customer_kpi_frame(
            db, workspace, metric, by=by, period=period or "month", filters=filters, margin=margin
        )
    sql = compiled_kpi_sql(db, workspace, metric, tuple(by), period, filters)
    frame = db.execute(sql).df()
    keys = (["period"] if period else []) + by
    order = keys + [c for c in frame.columns if c not in keys]
    return _tidy(frame[order], keys)


# -- customers ----------------------------------------------------------------------------
def _customer_bounds(db: Database, workspace: str) -> tuple[Any, Any, bool]:
    row = _one(
        db.execute(
            "SELECT min(first_seen), greatest(max(first_seen), max(churned_at)), "
            "count(churned_at) FROM customers WHERE workspace = ?",
            [workspace],
        )
    )
    return row[0], row[1], bool(row[2])


def customer_kpi_frame(
    db: Database,
    workspace: str,
    metric: str,
    *,
    by: Sequence[str] = (),
    period: str = "month",
    filters: Filters | None = None,
    margin: float = 1.0,
) -> pd.DataFrame:
    """Churn rate, cohort retention or CLV of a workspace's customers (see
    :mod:`cem.analytics.retention`). Dimension filters apply; the date range limits the periods
    shown (churn) or the cohorts (retention)."""
    filters = filters or Filters()
    backend = db.ibis()
    dims_only = Filters(dimensions=filters.dimensions)
    customers = filtered_table(backend, workspace, "customers", dims_only)
    for dim in by:
        if dim not in ("segment", "persona"):
            raise InputError(f"Customers can be split by segment or persona, not '{dim}'")
    first, last, has_dates = _customer_bounds(db, workspace)
    if metric == "churn" and (not has_dates or first is None):
        frame = snapshot_churn(customers, by)
        return _tidy(frame, by)
    if first is None:
        raise InputError(
            "The customers of this workspace have no first-seen dates, so "
            f"{metric_label(metric).lower()} per period cannot be computed."
        )
    last_index = _period_number(last, period)
    if metric == "churn":
        periods = retention.period_starts(first.date(), last.date(), period)
        periods = periods[1:]  # nobody is active at the start of the first period
        if filters.date_from:
            periods = periods[periods.end > pd.Timestamp(filters.date_from)]
        if filters.date_to:
            periods = periods[periods.start <= pd.Timestamp(filters.date_to)]
        expr = retention.churn_table(customers, ibis.memtable(periods), by)
        keys = ["period", *by]
    elif metric == "retention":
        if filters.date_from:
            customers = customers.filter(
                customers.first_seen
                >= ibis.timestamp(dt.datetime.combine(filters.date_from, dt.time.min))
            )
        if filters.date_to:
            customers = customers.filter(
                customers.first_seen
                < ibis.timestamp(
                    dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
                )
            )
        expr = retention.retention_table(customers, period, last_index, by)
        keys = ["cohort", *by, "periods_since"]
    else:
        expr = retention.clv_table(customers, period, last_index, by, margin=margin)
        keys = list(by)
    frame = expr.to_pandas()
    if "cohort" in frame.columns:
        frame["cohort"] = pd.to_datetime(frame["cohort"])
    order = keys + [c for c in frame.columns if c not in keys]
    return _tidy(frame[order], keys)


def snapshot_churn(customers: ir.Table, by: Sequence[str]) -> pd.DataFrame:
    """Churned / all customers per group (tables without churn dates)."""
    frame = retention.snapshot_churn_table(customers, by).to_pandas()
    return frame[list(by) + [c for c in frame.columns if c not in by]]


def _period_number(ts: Any, period: str) -> int:
    stamp = pd.Timestamp(ts)
    if period == "month":
        return stamp.year * 12 + stamp.month - 1
    if period == "quarter":
        return stamp.year * 4 + (stamp.month - 1) // 3
    return int((stamp.normalize().value // 10**9 + 3 * 86400) // (7 * 86400))


def revenue_at_risk(
    db: Database, workspace: str, filters: Filters | None = None
) -> dict[str, float]:
    """Revenue of customers whose latest NPS answer (within the filters) is a detractor.

    Returns ``revenue_at_risk``, ``customers_at_risk``, ``total_revenue`` and
    ``customers`` (with revenue); ``total_revenue`` is NaN when no customer has revenue.
    """
    backend = db.ibis()
    responses = filtered_table(backend, workspace, "responses", filters or Filters())
    customers = filtered_table(
        backend,
        workspace,
        "customers",
        Filters(
            dimensions=tuple(
                (d, v) for d, v in (filters or Filters()).dimensions if d in ("segment", "persona")
            )
        ),
    )
    row = retention.revenue_at_risk_table(responses, customers).to_pandas().iloc[0]
    return {k: float(row[k]) if row[k] is not None else math.nan for k in row.index}


# -- page helpers (still one definition per metric) ---------------------------------------
def kpi_trend(
    db: Database,
    workspace: str,
    metric: str,
    *,
    period: str = "month",
    by: Sequence[str] = (),
    filters: Filters | None = None,
) -> pd.DataFrame:
    """:func:`kpi_frame` by period (and ``by``), with change vs the previous period and,
    for one dimension, significance vs the rest of the same period."""
    frame = kpi_frame(db, workspace, metric, by=by, period=period, filters=filters)
    group = by[0] if by else None
    frame = change_vs_previous(frame, metric, group)
    if group:
        frame = versus_rest(frame, group, metric)
    return frame.sort_values(["period", *by]).reset_index(drop=True)


def kpi_split(
    db: Database, workspace: str, metric: str, dim: str, filters: Filters | None = None
) -> pd.DataFrame:
    """:func:`kpi_frame` by one dimension over the whole filtered range, vs the rest."""
    frame = kpi_frame(db, workspace, metric, by=[dim], filters=filters)
    return versus_rest(frame, dim, metric)


def kpi_snapshot(
    db: Database, workspace: str, metric: str, filters: Filters | None = None, window_days: int = 90
) -> dict[str, Any]:
    """A KPI tile: the last ``window_days`` of data vs the ``window_days`` before.

    Without dates the tile shows all data and no change. Returns ``value``, ``n``,
    ``moe``, ``low_confidence``, ``change``, ``significant``, ``words``, ``window``
    (a description) and the rows themselves (``current``/``previous``).
    """
    filters = filters or Filters()
    _, last = date_bounds(db, workspace)
    if filters.date_to and last:
        last = min(last, filters.date_to)
    if last is None:
        row = kpi_frame(db, workspace, metric, filters=filters).iloc[0]
        return {
            "value": row.value,
            "n": int(row.n),
            "moe": row.moe,
            "low_confidence": bool(row.low_confidence),
            "change": math.nan,
            "significant": None,
            "words": "no dates, no trend",
            "window": "all responses",
            "current": row,
            "previous": None,
        }
    start = last - dt.timedelta(days=window_days - 1)
    if filters.date_from and filters.date_from > start:
        start = filters.date_from
    cur_filters = filters.with_dates(start, last)
    prev_end = start - dt.timedelta(days=1)
    prev_start = prev_end - dt.timedelta(days=window_days - 1)
    if filters.date_from and filters.date_from > prev_start:
        prev_start = filters.date_from
    current = kpi_frame(db, workspace, metric, filters=cur_filters).iloc[0]
    previous = None
    if prev_start <= prev_end:
        previous = kpi_frame(
            db, workspace, metric, filters=filters.with_dates(prev_start, prev_end)
        ).iloc[0]
    if previous is not None:
        change, sig, words = compare_rows(metric, current, previous)
        if metric == "responses":
            words = words.replace(", within noise", "").replace(", significant", "")
            sig = None
    else:
        change, sig, words = math.nan, None, "no earlier period to compare"
    return {
        "value": current.value,
        "n": int(current.n),
        "moe": current.moe,
        "low_confidence": bool(current.low_confidence),
        "change": change,
        "significant": sig,
        "words": words,
        "window": f"{start:%d %b %Y} – {last:%d %b %Y}",
        "previous_window": f"{prev_start:%d %b %Y} – {prev_end:%d %b %Y}",
        "current": current,
        "previous": previous,
    }


def touchpoint_ranking(
    db: Database,
    workspace: str,
    filters: Filters | None = None,
    count: int = 3,
    metric: str = "nps",
) -> dict[str, pd.DataFrame]:
    """The ``count`` worst and best touchpoints by a KPI (with n). Touchpoints with fewer
    than 30 answers are left out when enough others have 30 or more. ``both`` holds the
    best then the worst with a ``rank_group`` column (for the chart)."""
    frame = kpi_frame(db, workspace, metric, by=["touchpoint"], filters=filters)
    frame = frame[(frame.n > 0) & (frame.touchpoint != NOT_SET)]
    confident = frame[~frame.low_confidence]
    if len(confident) >= 2 * count:
        frame = confident
    ordered = frame.sort_values(["value", "n"], ascending=[True, False])
    worst = ordered.head(count)
    best = ordered.drop(worst.index).tail(count).iloc[::-1]
    both = pd.concat(
        [best.assign(rank_group="Best"), worst.assign(rank_group="Worst")], ignore_index=True
    )
    return {
        "worst": worst.reset_index(drop=True),
        "best": best.reset_index(drop=True),
        "both": both,
    }


def open_detractors(
    db: Database, workspace: str, filters: Filters | None = None, days: int = 30
) -> dict[str, Any]:
    """Detractors (NPS 0-6) in the last ``days`` days of data that have no closed case.

    Without dates, every detractor without a closed case counts. Returns ``count``,
    ``since`` (a date or None) and ``days``.
    """
    filters = filters or Filters()
    backend = db.ibis()
    _, last = date_bounds(db, workspace)
    if filters.date_to and last:
        last = min(last, filters.date_to)
    since = None
    if last is not None:
        since = last - dt.timedelta(days=days - 1)
        if filters.date_from and filters.date_from > since:
            since = filters.date_from
        filters = filters.with_dates(since, last)
    table = filtered_table(backend, workspace, "responses", filters)
    table = table.filter(table.nps <= 6)
    cases = backend.table("cases")
    closed = cases.filter(
        (cases.workspace == workspace)
        & cases.status.lower().isin(["closed", "resolved", "done"])
        & cases.response_id.notnull()
    )
    table = table.filter(~table.response_id.isin(closed.response_id))
    return {"count": int(table.count().to_pyarrow().as_py()), "since": since, "days": days}


def verbatims(
    db: Database,
    workspace: str,
    metric: str = "nps",
    *,
    filters: Filters | None = None,
    period: str | None = None,
    period_start: Any = None,
    dim: str | None = None,
    dim_value: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """The comments behind one number: the responses of one period and/or group that
    answered ``metric``, newest first (comment, score, date, segment, touchpoint, channel).
    """
    backend = db.ibis()
    table = filtered_table(backend, workspace, "responses", filters or Filters())
    table = table.filter(table.comment.notnull() & (table.comment.strip().length() > 0))
    dims = [dim] if dim else []
    table = with_dimensions(backend, workspace, table, dims)
    score = SCORE_COLUMN.get(metric)
    if metric.startswith(ATTRIBUTE_PREFIX):
        attr = _attribute(backend, workspace, metric.removeprefix(ATTRIBUTE_PREFIX)).select(
            _row_id="row_id", score="num_value"
        )
        table = table.inner_join(attr, table.response_id == attr._row_id)
        score_col = "score"
    elif score:
        table = table.filter(table[score].notnull()).mutate(score=table[score])
        score_col = "score"
    else:
        table = table.mutate(score=ibis.null("float64"))
        score_col = "score"
    if period and period_start is not None:
        table = kpis.with_period(table, period)
        table = table.filter(table.period == pd.Timestamp(period_start).date())
    if dim and dim_value is not None:
        table = table.filter(
            table[dim].isnull() if dim_value == NOT_SET else table[dim] == dim_value
        )
    out = table.order_by(
        [table.submitted_at.desc(nulls_first=False), table.response_id.desc()]
    ).limit(limit)
    out = out.select(
        date=out.submitted_at,
        score=out[score_col],
        comment=out.comment,
        segment=out.segment,
        touchpoint=out.touchpoint,
        channel=out.channel,
    )
    return out.to_pandas()


# -- CLI ----------------------------------------------------------------------------------
CLI_COLUMNS: dict[str, list[str]] = {
    "nps": ["value", "n", "promoters", "detractors", "moe"],
    "csat": ["value", "n", "satisfied", "moe"],
    "ces": ["value", "n", "easy_share", "moe"],
    "responses": ["value", "n"],
    "comment_share": ["value", "n"],
    "churn": ["value", "n"],
    "retention": ["value", "n", "retained"],
    "clv": ["value", "n", "historical_clv"],
}


def cli_frame(
    db: Database,
    workspace: str,
    metric: str,
    by_text: str = "",
    period: str = "month",
    filter_args: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
) -> pd.DataFrame:
    """What ``python -m cem kpi`` prints, as a frame (``--by`` may name a period)."""
    tokens = [t.strip() for t in by_text.split(",") if t.strip()]
    chosen_period: str | None = None
    dims: list[str] = []
    for token in tokens:
        if token in kpis.PERIODS or token == "period":
            chosen_period = period if token == "period" else token
        else:
            dims.append(token)
    dim_values: dict[str, list[str]] = {}
    for item in filter_args:
        if "=" not in item:
            raise InputError(f"--filter '{item}': use DIM=VALUE")
        dim, value = item.split("=", 1)
        dim_values.setdefault(dim.strip(), []).append(value)
    params: dict[str, str | list[str]] = dict(dim_values)
    if date_from:
        params["from"] = date_from
    if date_to:
        params["to"] = date_to
    filters = Filters.from_query_params(params)
    unknown = set(dim_values) - {d for d, _ in filters.dimensions}
    if unknown:
        raise InputError(f"Unknown filter dimension(s): {', '.join(sorted(unknown))}")
    if metric in ("churn", "retention") and chosen_period is None:
        chosen_period = period
    frame = kpi_frame(db, workspace, metric, by=dims, period=chosen_period, filters=filters)
    keys = [c for c in frame.columns if c in {"period", "cohort", "periods_since", *dims}]
    cols = keys + [c for c in CLI_COLUMNS[metric] if c in frame.columns]
    out = frame[cols].copy()
    for key in ("period", "cohort"):
        if key in out.columns:
            out[key] = out[key].dt.strftime("%Y-%m-%d")
    return out


def run_cli_kpi(db: Database, args: argparse.Namespace) -> int:
    """``python -m cem kpi``: print one row per group as CSV or JSON."""
    from cem.store.workspaces import workspace_exists

    if not workspace_exists(db, args.workspace):
        raise InputError(f"There is no workspace '{args.workspace}'")
    frame = cli_frame(
        db,
        args.workspace,
        args.metric,
        args.by,
        args.period,
        args.filter,
        args.date_from,
        args.date_to,
    )
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=10))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        from cem.export import frame_to_csv_text

        sys.stdout.write(frame_to_csv_text(frame))
    return 0


def last_months_filters(
    db: Database, workspace: str, filters: Filters | None = None, months: int = 12
) -> Filters | None:
    """``filters`` narrowed to the last ``months`` calendar months of data (the overview's
    trend window); None when the data has no dates.

    The window ends at the last response date inside the filters and starts on the first
    day of the month ``months - 1`` months earlier.
    """
    filters = filters or Filters()
    _, last = date_bounds(db, workspace)
    if last is None:
        return None
    if filters.date_to:
        last = min(last, filters.date_to)
    start = (pd.Timestamp(last).replace(day=1) - pd.DateOffset(months=months - 1)).date()
    if filters.date_from and filters.date_from > start:
        start = filters.date_from
    return filters.with_dates(start, last)


def kpi_table(frame: pd.DataFrame, metric: str, dim: str | None = None) -> pd.DataFrame:
    """The explorer's table (and its CSV/XLSX export): the same numbers as the chart,
    with readable column names: period, group, value, n, ±MoE, low confidence, change vs
    the previous period and difference vs the rest (with significance in words)."""
    label = metric_label(metric)
    columns: dict[str, str] = {}
    if "period" in frame.columns:
        columns["period"] = "Period"
    if dim:
        columns[dim] = dimension_label(dim)
    columns.update(
        {"value": label, "moe": "± (95%)", "n": "n", "low_confidence": "Low confidence (n<30)"}
    )
    if "change_words" in frame.columns:
        columns["change_words"] = "vs previous period"
    if "vs_rest_words" in frame.columns:
        columns["vs_rest_words"] = "vs rest"
    for extra, name in (
        ("share_promoters", "Promoters %"),
        ("share_detractors", "Detractors %"),
        ("easy_share", "% easy (5-7)"),
        ("top2_share", "Top-2-box %"),
    ):
        if extra in frame.columns:
            columns[extra] = name
    table = frame[[c for c in columns if c in frame.columns]].rename(columns=columns)
    if "Period" in table.columns:
        table["Period"] = pd.to_datetime(table["Period"]).dt.date
    for name in ("Promoters %", "Detractors %"):
        if name in table.columns:
            table[name] = (100 * table[name]).round(1)
    return table.reset_index(drop=True)
