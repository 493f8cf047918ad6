"""The filter bar's values from the attribute catalogue (stored at import, see
:mod:`cem.store.ddl.attributes_catalogue`): one query for every attribute of a workspace,
however wide its uploads were.

Plain parameterised SQL over Touchpoint's own small tables (no user-named identifiers);
the few attributes of imports made before the catalogue existed are read live by the
caller.

>>> from cem.store.db import Database
>>> from cem.analytics.attributes import AttributeColumn, store_attribute_frame
>>> import pandas as pd
>>> db = Database(":memory:")
>>> frame = pd.DataFrame({"row_id": [1, 2, 3], "a": [0.0, 4.0, 4.0], "b": ["N", "S", None]})
>>> with db.transaction() as cur:
...     store_attribute_frame(cur, "acme", "responses", 7, frame,
...         [AttributeColumn("Rating", "a", "numeric", 0.0, 4.0, True, 2),
...          AttributeColumn("Region", "b", "text", None, None, False, 2)])
>>> values, missing = catalogued_values(db, "acme", ["Rating", "Region"])
>>> values, missing
({'Rating': ['n/a (0)', '4'], 'Region': ['N', 'S']}, [])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cem.analytics.attributes import NOT_APPLICABLE

MAX_VALUES = 500


def number_label(number: float, zero_means_na: bool) -> str:
    """How a numeric attribute value reads in the filter bar (as in the long form).

    >>> number_label(3.0, False), number_label(2.5, False), number_label(0.0, True)
    ('3', '2.5', 'n/a (0)')
    """
    if zero_means_na and number == 0:
        return NOT_APPLICABLE
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def catalogued_values(
    db: Any, workspace: str, names: Sequence[str], kind: str = "responses"
) -> tuple[dict[str, list[str]], list[str]]:
    """(name -> its values in filter order, names that some uncatalogued import holds)."""
    if not names:
        return {}, []
    wanted = list(dict.fromkeys(names))
    sources = db.execute(
        "SELECT s.name, bool_or(m.import_id IS NULL) FROM attribute_sources s "
        "LEFT JOIN attribute_catalogue_imports m ON m.import_id = s.import_id "
        "WHERE s.workspace = ? AND s.kind = ? AND list_contains(?, s.name) GROUP BY s.name",
        [workspace, kind, wanted],
    ).fetchall()
    missing = {str(name) for name, uncatalogued in sources if uncatalogued}
    rows = db.execute(
        "SELECT c.name, c.value, c.number, coalesce(any_value(d.zero_means_na), false), "
        "any_value(l.label) "
        "FROM attribute_catalogue c JOIN attribute_sources s "
        "ON s.import_id = c.import_id AND s.name = c.name "
        "LEFT JOIN attribute_scale_labels l ON l.import_id = c.import_id AND l.name = c.name "
        "AND l.number = c.number "
        "LEFT JOIN attribute_columns d ON d.workspace = s.workspace AND d.kind = s.kind "
        "AND d.name = c.name "
        "WHERE s.workspace = ? AND s.kind = ? AND list_contains(?, c.name) "
        "GROUP BY c.name, c.value, c.number "
        "ORDER BY c.name, c.number NULLS LAST, c.value",
        [workspace, kind, wanted],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for name, value, number, zero_na, scale_label in rows:
        label = value if number is None else scale_label or number_label(number, bool(zero_na))
        values = out.setdefault(str(name), [])
        if len(values) < MAX_VALUES and label not in values:
            values.append(label)
    ordered = {n: out[n] for n in wanted if n in out and n not in missing}
    return ordered, [n for n in wanted if n in missing]
