"""The KPI engine: one function, :func:`kpi_frame`, serves every page, the CLI and exports.

The definitions live once, as pure Ibis expressions, in :mod:`cem.analytics.kpis` (survey
KPIs) and :mod:`cem.analytics.retention` (customer KPIs, built by
:mod:`cem.analytics.customer_kpis`). This module builds them on an
:class:`~cem.analytics.engine.Engine` (DuckDB or Spark), scoped to a workspace and filtered
by :class:`~cem.analytics.filters.Filters`, groups them by period and dimensions
(``segment``, ``persona``, ``channel``, ``touchpoint``, ``stage`` or ``attr:<column>``),
runs them on that engine and returns a pandas DataFrame. Pages never recompute a metric
their own way.

Metric keys: ``nps``, ``csat``, ``ces``, ``responses``, ``comment_share``, ``churn``,
``retention``, ``clv`` and ``attr:<numeric attribute>`` (a rating charted like a KPI:
mean, top-2-box share and n, with 0 as "not applicable" where the column says so).

>>> from cem.analytics.engine import duckdb_engine
>>> from cem.store.db import Database
>>> kpi_frame(duckdb_engine(Database(":memory:")), "nobody", "nps")[["n", "value"]].to_dict(
...     "records")
[{'n': 0, 'value': nan}]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from cem.analytics import kpis
from cem.analytics.attributes import attribute_values
from cem.analytics.catalogue import rating_info
from cem.analytics.engine import Engine
from cem.analytics.filters import ATTRIBUTE_PREFIX, STANDARD_DIMENSIONS, Filters, filtered_table
from cem.analytics.flags import flag_values, parse_flag_metric
from cem.analytics.labels import CUSTOMER_METRICS, NOT_SET
from cem.errors import InputError

_COUNT_COLUMNS = (
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
)


def with_dimensions(engine: Engine, workspace: str, table: ir.Table, by: Sequence[str]) -> ir.Table:
    """Add each ``attr:<name>`` of ``by`` as a text column of that name (left join)."""
    for dim in by:
        if dim.startswith(ATTRIBUTE_PREFIX):
            attr = attribute_values(
                engine, workspace, "responses", dim.removeprefix(ATTRIBUTE_PREFIX)
            )
            attr = attr.select(_row_id=attr.row_id, _dim=attr.label)
            joined = table.left_join(attr, table.response_id == attr._row_id)
            table = joined.mutate(**{dim: joined._dim}).drop("_row_id", "_dim")
        elif dim not in STANDARD_DIMENSIONS and dim != "period":
            raise InputError(
                f"Cannot split by '{dim}': use one of "
                f"{', '.join(STANDARD_DIMENSIONS)} or attr:<column>"
            )
    return table


def rating_values(engine: Engine, workspace: str, name: str, value: str = "rating") -> ir.Table:
    """A numeric attribute of responses as ``_row_id`` and a column called ``value``."""
    attr = attribute_values(engine, workspace, "responses", name)
    return attr.select(_row_id=attr.row_id, **{value: attr.num_value})


def kpi_expr(
    engine: Engine,
    workspace: str,
    metric: str,
    *,
    by: Sequence[str] = (),
    period: str | None = None,
    filters: Filters | None = None,
) -> ir.Table:
    """The Ibis expression behind :func:`kpi_frame` (survey and rating metrics)."""
    by = list(by)
    table = filtered_table(engine, workspace, "responses", filters or Filters())
    table = with_dimensions(engine, workspace, table, by)
    keys = (["period"] if period else []) + by
    table = kpis.with_period(table, period)
    if metric in kpis.KPI_TABLES:
        return kpis.KPI_TABLES[metric](table, keys)
    if (flag := parse_flag_metric(metric)) is not None:  # "% satisfied" of a text answer
        answers = flag_values(engine, workspace, *flag)
        joined = table.inner_join(answers, table.response_id == answers._row_id)
        return kpis.yes_share_table(joined, keys)
    if metric.startswith(ATTRIBUTE_PREFIX):
        name = metric.removeprefix(ATTRIBUTE_PREFIX)
        info = rating_info(engine, workspace, name)
        attr = rating_values(engine, workspace, name)
        joined = table.inner_join(attr, table.response_id == attr._row_id)
        if info["yes_no"]:  # a 0/1 answer reads as "% yes", its band inside 0-100%
            return kpis.yes_share_table(joined, keys)
        lowest = info["lowest"]  # the band's floor (1 when 0 means n/a)
        return kpis.rating_table(
            joined,
            keys,
            top_from=info["top_from"] if info["rating"] else None,
            zero_means_na=info["zero_means_na"],
            bounds=None if lowest is None else (lowest, info["max"]),
        )
    raise InputError(f"Unknown metric '{metric}'")


_EXPR_CACHE: dict[tuple[Any, ...], ir.Table] = {}
_EXPR_CACHE_MAX = 512


def cached_kpi_expr(
    engine: Engine,
    workspace: str,
    metric: str,
    by: tuple[str, ...],
    period: str | None,
    filters: Filters,
) -> ir.Table:
    """:func:`kpi_expr`, memoised per (engine, workspace revision, metric, grouping, filters).

    Building an Ibis expression costs ~0.1 s of Python (it reads the attribute catalogue);
    expressions are immutable, so a repeated KPI costs only its compile and query. Only
    engines over the store (which knows the workspace's revision) are memoised; the
    revision in the key drops the memo after an import.
    """
    if engine.database is None:
        return kpi_expr(engine, workspace, metric, by=by, period=period, filters=filters)
    db = engine.database
    key = (id(engine.backend), workspace, db.data_version(workspace), metric, by, period, filters)
    expr = _EXPR_CACHE.get(key)
    if expr is None:
        expr = kpi_expr(engine, workspace, metric, by=by, period=period, filters=filters)
        if len(_EXPR_CACHE) >= _EXPR_CACHE_MAX:
            _EXPR_CACHE.clear()
        _EXPR_CACHE[key] = expr
    return expr


def tidy(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Sort by the keys, label missing group values, give counts integer types."""
    for key in keys:
        if key in ("period", "cohort"):
            frame[key] = pd.to_datetime(frame[key])
        elif key in frame.columns:
            frame[key] = frame[key].astype("object").where(frame[key].notna(), NOT_SET)
    for col in _COUNT_COLUMNS:
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


def ordered(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The keys first, then the other columns, tidied (see :func:`tidy`)."""
    keys = list(keys)
    return tidy(frame[keys + [c for c in frame.columns if c not in keys]], keys)


def kpi_frame(
    engine: Engine,
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
    ``value`` NaN. Customer metrics (churn, retention, clv) are
    :func:`cem.analytics.customer_kpis.customer_kpi_frame`.
    """
    by = [b for b in by if b]
    filters = filters or Filters()
    if metric in CUSTOMER_METRICS:
        from cem.analytics.customer_kpis import customer_kpi_frame

        return customer_kpi_frame(
            engine,
            workspace,
            metric,
            by=by,
            period=period or "month",
            filters=filters,
            margin=margin,
        )
    expr = cached_kpi_expr(engine, workspace, metric, tuple(by), period, filters)
    frame = engine.to_pandas(expr)
    return ordered(frame, (["period"] if period else []) + by)
