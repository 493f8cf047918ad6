"""The touchpoint's fields, defined once.

:data:`TOUCHPOINT_FIELDS` is the one list of what a touchpoint card holds. The table
definition (:mod:`cem.store.ddl.journeys`), validation (:mod:`cem.journeys.model`), the
snapshot/JSON format, the CSV columns (:mod:`cem.journeys.io`), the power-user table and
the edit dialog (:mod:`cem.ui.journeys`) all read it, so a new field is added here once.

>>> [f.name for f in TOUCHPOINT_FIELDS][:3]
['name', 'channel', 'description']
>>> FIELDS["pain_point"].csv, FIELDS["name"].csv
('pain_point', 'touchpoint')
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    """One touchpoint field.

    ``kind`` says how it is validated and edited: ``name`` (required short text),
    ``text`` (optional free text), ``channel`` (optional, lower-cased), ``emotion``
    (−2..+2 or none) or ``flag`` (yes/no).
    """

    name: str
    sql_type: str
    label: str
    kind: str
    csv: str
    in_csv_export: bool = True

    @property
    def column_ddl(self) -> str:
        """The column's definition in ``CREATE TABLE touchpoints``."""
        if self.kind == "flag":
            return f"{self.name} BOOLEAN NOT NULL DEFAULT false"
        if self.kind == "name":
            return f"{self.name} {self.sql_type} NOT NULL"
        return f"{self.name} {self.sql_type}"

    @property
    def add_column_ddl(self) -> str:
        """The column for ``ALTER TABLE … ADD COLUMN IF NOT EXISTS`` (DuckDB cannot add a
        NOT NULL column there; flags get their default)."""
        default = " DEFAULT false" if self.kind == "flag" else ""
        return f"{self.name} {self.sql_type}{default}"


TOUCHPOINT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "VARCHAR", "name", "name", "touchpoint"),
    FieldSpec("channel", "VARCHAR", "channel", "channel", "channel"),
    FieldSpec("description", "VARCHAR", "description", "text", "description"),
    FieldSpec("owner", "VARCHAR", "owner", "text", "owner"),
    FieldSpec("emotion", "SMALLINT", "emotion", "emotion", "emotion"),
    FieldSpec("pain_point", "BOOLEAN", "pain point", "flag", "pain_point"),
    FieldSpec("pain_note", "VARCHAR", "pain note", "text", "pain_note"),
    FieldSpec("moment_of_truth", "BOOLEAN", "moment of truth", "flag", "moment_of_truth"),
    FieldSpec("opportunity", "VARCHAR", "opportunity", "text", "opportunity"),
    FieldSpec("data_key", "VARCHAR", "data key", "text", "data_key", in_csv_export=False),
)
FIELDS: dict[str, FieldSpec] = {f.name: f for f in TOUCHPOINT_FIELDS}
EDITABLE_TOUCHPOINT_FIELDS: tuple[str, ...] = tuple(f.name for f in TOUCHPOINT_FIELDS)
FLAG_FIELDS: tuple[str, ...] = tuple(f.name for f in TOUCHPOINT_FIELDS if f.kind == "flag")
# Columns of the touchpoints table before and after the editable fields.
TOUCHPOINT_KEY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("touchpoint_id", "BIGINT"),
    ("stage_id", "BIGINT"),
    ("position", "INTEGER"),
)
TOUCHPOINT_TAIL_COLUMNS: tuple[tuple[str, str], ...] = (("version", "BIGINT"),)
# touchpoint_id, stage_id, position, <fields>, version: the order rows are read and written.
TOUCHPOINT_COLUMNS: tuple[str, ...] = (
    tuple(c for c, _ in TOUCHPOINT_KEY_COLUMNS)
    + EDITABLE_TOUCHPOINT_FIELDS
    + tuple(c for c, _ in TOUCHPOINT_TAIL_COLUMNS)
)
TOUCHPOINT_TYPES: tuple[str, ...] = (
    tuple(t for _, t in TOUCHPOINT_KEY_COLUMNS)
    + tuple(f.sql_type for f in TOUCHPOINT_FIELDS)
    + tuple(t for _, t in TOUCHPOINT_TAIL_COLUMNS)
)
# CSV column -> field (every field is accepted on import; data_key is not exported).
CSV_FIELDS: dict[str, str] = {f.csv: f.name for f in TOUCHPOINT_FIELDS}
CSV_COLUMNS: tuple[str, ...] = ("stage",) + tuple(
    f.csv for f in TOUCHPOINT_FIELDS if f.in_csv_export
)
