"""The attribute catalogue: each filterable attribute's distinct values, computed once at
import (:func:`cem.analytics.attributes.store_attributes`), so the filter bar of a workspace
with thousands of attribute columns reads one small table instead of scanning every column.

- ``attribute_catalogue``: (import_id, name, value, number): the distinct values of an
  import's attribute ``name`` that has few of them (text: the value; numeric: the number);
- ``attribute_catalogue_imports``: the imports whose attributes are catalogued (imports
  made before the catalogue existed are read live, as before).

Rows are keyed by import, so renaming a workspace needs nothing here; dropping an import's
attributes drops its rows.
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS attribute_catalogue (
        import_id BIGINT NOT NULL,
        name VARCHAR NOT NULL,
        value VARCHAR,
        number DOUBLE
    )""",
    "CREATE TABLE IF NOT EXISTS attribute_catalogue_imports (import_id BIGINT PRIMARY KEY)",
)
