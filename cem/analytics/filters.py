"""The filter bar shared by every page, the CLI and exports.

A :class:`Filters` value says which rows count: a date range and, per dimension, the
allowed values. Dimensions are the standard columns (``segment``, ``persona``,
``channel``, ``touchpoint``, ``stage``) or an upload's attribute column written as
``attr:<column name>``. The same value round-trips through ``st.query_params`` so a
copied URL reproduces the view, and :func:`filtered_table` turns it into an Ibis
expression, so the filtering runs on any Ibis backend.

>>> f = Filters.from_query_params({"from": "2025-01-01", "segment": ["SMB", "Enterprise"]})
>>> f.to_query_params()
{'from': '2025-01-01', 'segment': ['Enterprise', 'SMB']}
>>> Filters.from_query_params(f.to_query_params()) == f
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import ibis
import ibis.expr.types as ir

from cem.analytics.attributes import attribute_values
from cem.analytics.engine import Engine
from cem.errors import InputError

Kind = Literal["responses", "events", "customers"]

STANDARD_DIMENSIONS: tuple[str, ...] = ("segment", "persona", "channel", "touchpoint", "stage")
ATTRIBUTE_PREFIX = "attr:"
TIME_COLUMN: dict[str, str] = {
    "responses": "submitted_at",
    "events": "occurred_at",
    "customers": "first_seen",
}
KIND_COLUMNS: dict[str, frozenset[str]] = {
    "responses": frozenset(STANDARD_DIMENSIONS),
    "events": frozenset({"channel", "touchpoint", "stage"}),
    "customers": frozenset({"segment", "persona"}),
}
# Query-parameter names that are not dimensions.
_RESERVED = frozenset(
    {
        "from",
        "to",
        "page",
        "workspace",
        "journey",
        "metric",
        "period",
        "by",
        "outcome",
        "mode",
        "embed",
        "embed_options",
    }
)


def _parse_date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError as exc:
        raise InputError(f"{what}: '{text}' is not a date (use YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class Filters:
    """Which rows count. Immutable and hashable, so it can key a cache."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # (dimension, allowed values) pairs, sorted, so equal filters compare and hash equal.
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @classmethod
    def make(
        cls, date_from: dt.date | None = None, date_to: dt.date | None = None, **dims: Iterable[str]
    ) -> Filters:
        """Build filters from keyword dimensions: ``Filters.make(segment=["SMB"])``."""
        return cls(date_from, date_to, _normalise(dims))

    def values(self, dimension: str) -> tuple[str, ...]:
        """The allowed values of one dimension (empty: no restriction)."""
        return dict(self.dimensions).get(dimension, ())

    def with_dimension(self, dimension: str, values: Iterable[str]) -> Filters:
        """A copy with one dimension's allowed values replaced (empty removes it)."""
        dims = dict(self.dimensions)
        dims[dimension] = tuple(values)
        return replace(self, dimensions=_normalise(dims))

    def with_dates(self, date_from: dt.date | None, date_to: dt.date | None) -> Filters:
        """A copy with another date range."""
        return replace(self, date_from=date_from, date_to=date_to)

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self.date_from is None and self.date_to is None and not self.dimensions

    def describe(self) -> str:
        """A short human description, e.g. for captions and export file headers."""
        parts: list[str] = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} to {self.date_to or '…'}")
        for dim, vals in self.dimensions:
            label = dim.removeprefix(ATTRIBUTE_PREFIX)
            parts.append(f"{label}: {', '.join(vals)}")
        return "; ".join(parts) if parts else "all data"

    # -- query parameters -------------------------------------------------------------
    def to_query_params(self) -> dict[str, str | list[str]]:
        """The filters as URL query parameters (dates ISO, dimensions as lists)."""
        out: dict[str, str | list[str]] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        for dim, vals in self.dimensions:
            out[dim] = list(vals)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]]) -> Filters:
        """Read filters back from query parameters; unknown non-dimension keys are ignored."""

        def as_list(value: str | list[str]) -> list[str]:
            return [value] if isinstance(value, str) else list(value)

        date_from = date_to = None
        dims: dict[str, list[str]] = {}
        for key, value in params.items():
            if key == "from":
                date_from = _parse_date(as_list(value)[0], "From date")
            elif key == "to":
                date_to = _parse_date(as_list(value)[0], "To date")
            elif key in STANDARD_DIMENSIONS or key.startswith(ATTRIBUTE_PREFIX):
                dims[key] = as_list(value)
            elif key not in _RESERVED:
                continue
        if date_from is not None and date_to is not None and date_from > date_to:
            date_from, date_to = date_to, date_from  # a range typed backwards means the same
        return cls(date_from, date_to, _normalise(dims))


def _normalise(dims: Mapping[str, Iterable[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    pairs = []
    for dim, vals in dims.items():
        clean = tuple(sorted({str(v) for v in vals}))
        if clean:
            pairs.append((dim, clean))
    return tuple(sorted(pairs))


def base_table(engine: Engine, workspace: str, kind: Kind) -> ir.Table:
    """The rows of one kind in one workspace, unfiltered."""
    table = engine.table(kind)
    return table.filter(table.workspace == workspace)


def filtered_table(
    engine: Engine, workspace: str, kind: Kind, filters: Filters | None = None
) -> ir.Table:
    """The rows of one kind in one workspace that pass ``filters``, as an Ibis expression.

    Dimensions a kind does not have as a column are applied through the customer: an
    event or response passes a ``segment`` filter when its customer's segment (from the
    customers table) is allowed. Attribute dimensions (``attr:Class``) match the text
    (or the number, written as text) of that attribute of the row.

    ``engine`` is an :class:`~cem.analytics.engine.Engine` (an attribute filter looks up
    which tables hold the attribute through it).
    """
    filters = filters or Filters()
    table = base_table(engine, workspace, kind)
    time_col = TIME_COLUMN[kind]
    if filters.date_from is not None:
        table = table.filter(
            table[time_col] >= ibis.timestamp(dt.datetime.combine(filters.date_from, dt.time.min))
        )
    if filters.date_to is not None:
        table = table.filter(
            table[time_col]
            < ibis.timestamp(
                dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
            )
        )
    for dim, values in filters.dimensions:
        allowed = list(values)
        if dim.startswith(ATTRIBUTE_PREFIX):
            table = _filter_by_attribute(engine, workspace, kind, table, dim, allowed)
        elif dim in KIND_COLUMNS[kind]:
            table = table.filter(table[dim].isin(allowed))
        elif dim in STANDARD_DIMENSIONS and kind != "customers":
            customers = base_table(engine, workspace, "customers")
            ids = customers.filter(customers[dim].isin(allowed)).select("customer_id")
            table = table.filter(table.customer_id.isin(ids.customer_id))
        else:
            raise InputError(f"Unknown filter '{dim}'")
    return table


def _filter_by_attribute(
    engine: Engine,
    workspace: str,
    kind: Kind,
    table: ir.Table,
    dim: str,
    allowed: list[str],
) -> ir.Table:
    name = dim.removeprefix(ATTRIBUTE_PREFIX)
    attrs = attribute_values(engine, workspace, kind, name)
    matching = attrs.filter(attrs.label.isin(allowed)).select("row_id")
    key = {"responses": "response_id", "events": "event_id", "customers": "customer_id"}[kind]
    return table.filter(table[key].isin(matching.row_id))
