"""The demo workspace: a fictional broadband and mobile provider, "Brightwave".

:func:`generate_demo` builds, deterministically from a seed, about 5,000 customers
(4 personas, 4 segments, plans, revenue and churn), 20,000+ survey responses over a
fixed 18-month window (2025-05-01 .. 2026-10-31) with NPS/CSAT/CES, driver ratings and
English comments, and a touchpoint event log through the stages of :data:`DEMO_STAGES`
(with prospects who never buy, skipped and repeated touchpoints and going back).
:func:`build_demo_workspace` writes it into the workspace ``demo`` in one transaction;
:func:`write_demo_samples` writes small files to try the import page with.

This module writes the demo into the database and is the package's public face; the
generator lives beside it, one concern per module: :mod:`cem.demo.story` (calendar,
segments, plans, touchpoints), :mod:`cem.demo.customers` (profiles, churn, revenue),
:mod:`cem.demo.events` (the event log), :mod:`cem.demo.responses` (survey answers),
:mod:`cem.demo.comments`, :mod:`cem.demo.generate` (the frames) and
:mod:`cem.demo.samples` (files for the import page).

The data tell a story that the KPI pages should find:

* Installation and Phone support are pain points; Mobile app and Delivery delight.
* Phone support improves after a fix (a callback option) in March 2026.
* A price rise in July 2026 hurts the Renewal offer, "Value for money" and churn.
* Enterprise customers are happier than Consumer ones; Student Sharers are the least happy.
* "Speed rating" drives NPS strongly, "Value for money" moderately, "Ease of setup" barely.
* Customers who call Phone support again about the same fault score lower.

>>> data = generate_demo(seed=7, n_customers=200, n_prospects=50)
>>> len(data.customers)
200
>>> sorted(data.customers.segment.unique()) == sorted(DEMO_SEGMENTS)
True
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.analytics.attributes import NUMERIC, TEXT, AttributeColumn, store_attribute_frame
from cem.demo.catalogue import DEMO_PERSONAS, DEMO_STAGES
from cem.demo.generate import DemoData, generate_demo
from cem.demo.journey import seed_demo_journey
from cem.demo.samples import write_demo_samples
from cem.demo.story import (
    DEFAULT_SEED,
    DEMO_COMPANY,
    DEMO_SEGMENTS,
    N_CUSTOMERS,
    N_PROSPECTS,
    RATING_ATTRIBUTES,
)
from cem.ingest.detect import ROLES
from cem.ingest.history import insert_import_record, next_import_id
from cem.ingest.load import ID_STRIDE
from cem.store.db import Database, bump_revision
from cem.store.rows import direct_table
from cem.store.workspaces import DEMO_WORKSPACE, clear_workspace_data

__all__ = [
    "DEFAULT_SEED",
    "DEMO_COMPANY",
    "DEMO_PERSONAS",
    "DEMO_SEGMENTS",
    "DEMO_STAGES",
    "N_CUSTOMERS",
    "N_PROSPECTS",
    "RATING_ATTRIBUTES",
    "DemoData",
    "build_demo_workspace",
    "demo_is_loaded",
    "generate_demo",
    "write_demo_samples",
]


def _new_import(cur: object, kind: str, seed: int, count: int) -> int:
    """Record the demo's ``kind`` rows as an import, through the same bookkeeping as a file."""
    import_id = next_import_id(cur)
    insert_import_record(
        cur,
        DEMO_WORKSPACE,
        import_id,
        kind,
        f"demo: {kind} (generated, seed {seed})",
        f"demo-seed-{seed}-{kind}",
        count,
        count,
        None,
    )
    return import_id


def _insert(cur: object, name: str, table: pa.Table, sql: str, params: list[object]) -> None:
    con = cur  # a DuckDB cursor
    con.register(name, table)  # type: ignore[attr-defined]
    try:
        con.execute(sql, params)  # type: ignore[attr-defined]
    finally:
        con.unregister(name)  # type: ignore[attr-defined]


def _load_demo_rows(
    cur: object,
    kind: str,
    seed: int,
    frame: pd.DataFrame,
    id_column: str | None = None,
) -> tuple[int, int]:
    """Record an import of ``kind`` and insert ``frame``'s role columns into that table,
    numbering rows like the import does (``source_row`` from 1; ids ``import_id *
    ID_STRIDE + position``). Returns (import_id, first id). Table and column names are
    this module's constants, never user input."""
    import_id = _new_import(cur, kind, seed, len(frame))
    first_id = import_id * ID_STRIDE
    extra = {"source_row": np.arange(1, len(frame) + 1)}
    if id_column is not None:
        extra[id_column] = np.arange(len(frame)) + first_id
    columns = list(ROLES[kind])
    keys = ([id_column] if id_column else []) + ["workspace", "import_id", "source_row"]
    values = ([id_column] if id_column else []) + ["?", "?", "source_row"]
    _insert(
        cur,
        f"demo_{kind}",
        pa.Table.from_pandas(frame.assign(**extra), preserve_index=False),
        f"INSERT INTO {direct_table(kind)}({', '.join(keys + columns)}) "
        f"SELECT {', '.join(values + columns)} FROM demo_{kind}",
        [DEMO_WORKSPACE, import_id],
    )
    return import_id, first_id


def build_demo_workspace(
    db: Database,
    progress: Callable[[str], None] | None = None,
    seed: int = DEFAULT_SEED,
    *,
    actor: Principal,
) -> str:
    """Create or refresh the workspace ``demo`` (clears it, then rebuilds it, in one
    transaction) and return a one-line summary of what it holds. ``actor`` needs
    ``workspace.delete`` on ``demo`` (it replaces all of its data)."""
    require(actor, "workspace.delete", DEMO_WORKSPACE)
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    say("Generating customers, journeys and survey answers…")
    data = generate_demo(seed)
    say(f"Generated in {time.perf_counter() - started:.1f} s; writing to the database…")
    ws = DEMO_WORKSPACE
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [ws])
        clear_workspace_data(cur, ws)
        for persona, description in DEMO_PERSONAS.items():
            cur.execute(
                "INSERT INTO personas(workspace, name, description) VALUES (?, ?, ?)",
                [ws, persona, description],
            )
        imp, _ = _load_demo_rows(cur, "customers", seed, data.customers)
        _insert_attributes(
            cur,
            "customers",
            imp,
            data.customer_attributes.rename(columns={"customer_id": "row_id"}),
        )
        say(f"Wrote {len(data.customers):,} customers.")
        imp, first_id = _load_demo_rows(
            cur, "responses", seed, data.responses, id_column="response_id"
        )
        attrs = data.response_attributes
        attrs = pd.DataFrame(
            {
                "row_id": attrs.response_idx.to_numpy() + first_id,
                "name": attrs.name,
                "num_value": attrs.num_value,
                "text_value": attrs.text_value,
            }
        )
        _insert_attributes(cur, "responses", imp, attrs)
        say(f"Wrote {len(data.responses):,} survey responses.")
        _load_demo_rows(cur, "events", seed, data.events, id_column="event_id")
        say(f"Wrote {len(data.events):,} touchpoint events.")
        bump_revision(cur, ws)
    say("Drawing the demo journey map…")
    seed_demo_journey(db, ws, actor=actor)
    say("Analysing the comments (sentiment, themes)…")
    from cem.voc.jobs import analyse_workspace

    analyse_workspace(db, ws)
    journeys = int(
        db.execute("SELECT count(*) FROM journeys WHERE workspace = ?", [ws]).fetchall()[0][0]
    )
    say(f"Done in {time.perf_counter() - started:.1f} s.")
    record(db, actor, "workspace.demo", ws, ws, "demo data loaded")
    return (
        f"Demo workspace '{ws}': {len(data.customers):,} customers, "
        f"{len(data.responses):,} responses, {len(data.events):,} events, "
        f"{journeys:,} journey{'s' if journeys != 1 else ''}"
    )


def _insert_attributes(cur: object, kind: str, import_id: int, attrs: pd.DataFrame) -> None:
    """Store long-form demo attributes (row_id, name, num_value, text_value) as an import
    stores its own (:func:`cem.analytics.attributes.store_attributes`: one wide table, each column
    described). Numeric demo columns are 0-10/1-5 ratings where 0 means not applicable."""
    wide = pd.DataFrame({"row_id": pd.unique(attrs.row_id)})
    columns = []
    for k, (name, group) in enumerate(attrs.groupby("name", sort=True)):
        numeric = bool(group.num_value.notna().any())
        values = group.set_index("row_id")["num_value" if numeric else "text_value"]
        wide[f"v{k}"] = wide.row_id.map(values)
        columns.append(
            AttributeColumn(
                str(name),
                f"v{k}",
                NUMERIC if numeric else TEXT,
                float(values.min()) if numeric else None,
                float(values.max()) if numeric else None,
                numeric,
                int(values.nunique()),
            )
        )
    store_attribute_frame(
        cur,
        DEMO_WORKSPACE,
        kind,
        import_id,
        pa.Table.from_pandas(wide, preserve_index=False),
        columns,
    )


def demo_is_loaded(db: Database) -> bool:
    """True when the workspace ``demo`` exists and has survey responses."""
    row = db.execute(
        "SELECT count(*) FROM responses WHERE workspace = ?", [DEMO_WORKSPACE]
    ).fetchall()
    return bool(row and row[0][0] > 0)
