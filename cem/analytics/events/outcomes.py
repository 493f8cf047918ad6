"""Outcomes of journeys: NPS and CSAT of customers grouped by what they did.

NPS/CSAT follow DESIGN.md (NPS = 100 × (promoters − detractors) / answered, with its 95%
margin; CSAT = share of 4–5 answers) through :mod:`cem.analytics.kpis`, over all survey
responses of the customers in each group. Groups are made from the filtered events; the
responses themselves are not date-filtered.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics import kpis
from cem.analytics.engine import Engine
from cem.analytics.events.paths import journey_paths
from cem.analytics.events.stream import filtered_events, name_key
from cem.analytics.filters import Filters, base_table
from cem.errors import InputError

OTHER_PATHS = "Other paths"
OUTCOME_COLUMNS = ["group", "customers", "nps", "nps_moe", "nps_n", "csat", "csat_n"]


def _outcomes(engine: Engine, workspace: str, groups: ir.Table, order: list[str]) -> pd.DataFrame:
    """NPS/CSAT of the responses of each group's customers (``groups``: customer_id,
    group), rows in ``order`` (groups with no customer are left out)."""
    resp = base_table(engine, workspace, "responses")
    resp = resp.filter(resp.customer_id.notnull()).select(
        _cid=resp.customer_id, nps=resp.nps, csat=resp.csat
    )
    joined = groups.left_join(resp, groups.customer_id == resp._cid)
    sizes = groups.group_by("group").aggregate(customers=groups.customer_id.nunique())
    nps = kpis.nps_table(joined, ["group"]).select(
        "group", nps=ibis._.value, nps_moe=ibis._.moe, nps_n=ibis._.n
    )
    csat = kpis.csat_table(joined, ["group"]).select("group", csat=ibis._.value, csat_n=ibis._.n)
    expr = sizes.join(nps, "group").join(csat, "group")
    df = engine.to_pandas(expr).set_index("group")
    keep = [g for g in order if g in df.index]
    out = df.loc[keep, OUTCOME_COLUMNS[1:]].reset_index()
    return out.astype(
        {
            "customers": "int64",
            "nps_n": "int64",
            "csat_n": "int64",
            "nps": "float64",
            "nps_moe": "float64",
            "csat": "float64",
        }
    )


def frequency_label(count: int, top: int) -> str:
    """The group name for a customer with ``count`` visits, ``top`` or more pooled.

    >>> [frequency_label(n, 2) for n in (0, 1, 2, 5)]
    ['Never', '1 time', '2+ times', '2+ times']
    """
    if count <= 0:
        return "Never"
    if count >= top:
        return f"{top}+ times"
    return "1 time" if count == 1 else f"{count} times"


def outcomes_by_touchpoint_count(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    touchpoint: str = "",
    *,
    top: int = 2,
) -> pd.DataFrame:
    """NPS/CSAT of customers by how often they hit ``touchpoint`` (case-insensitive):
    never, 1 time, …, ``top``+ times. Customers are those with any filtered event.

    Columns: ``group, customers, nps, nps_moe, nps_n, csat, csat_n``.
    """
    if not touchpoint.strip():
        raise InputError("Choose a touchpoint.")
    if top < 1:
        raise InputError("The top group starts at 1 or more visits.")
    t = filtered_events(engine, workspace, filters)
    hit = ibis.ifelse(name_key(t.touchpoint) == touchpoint.strip().lower(), 1, 0)
    per = t.group_by("customer_id").aggregate(hits=hit.sum())
    cases = [(per.hits <= 0, "Never")]
    cases += [(per.hits == c, frequency_label(c, top)) for c in range(1, top)]
    group = ibis.cases(*cases, else_=frequency_label(top, top))
    groups = per.select("customer_id", group=group)
    order = [frequency_label(c, top) for c in range(top + 1)]
    return _outcomes(engine, workspace, groups, order)


def outcomes_by_path(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    *,
    k: int = 3,
    limit: int = 8,
) -> pd.DataFrame:
    """NPS/CSAT of customers by their first-``k`` path (whole customer history, no gap
    rule): the ``limit`` most frequent paths (ties by path), the rest as "Other paths".

    The paths are built once (cached for the two queries that use them)."""
    per = journey_paths(engine, workspace, filters, k).select("customer_id", "path")
    per = per.cache()
    try:
        counts = per.group_by("path").aggregate(n=per.count())
        top = engine.to_pandas(counts.order_by([ibis.desc("n"), "path"]).limit(limit))
        keep = [str(p) for p in top["path"]]
        group = (
            ibis.ifelse(per.path.isin(keep), per.path, OTHER_PATHS)
            if keep
            else ibis.literal(OTHER_PATHS)
        )
        groups = per.select("customer_id", group=group)
        return _outcomes(engine, workspace, groups, [*keep, OTHER_PATHS])
    finally:
        per.release()
