"""Small hand-made workspaces for the KPI tests (inserted with plain parameterised SQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from cem.analytics.attributes import AttributeColumn, store_attribute_frame
from cem.ingest.detect import ROLES
from cem.store.db import Database, bump_revision

# The responses table's columns are the response roles (as cem.ingest.load inserts them).
RESPONSE_COLUMNS = ROLES["responses"]


def make_workspace(db: Database, workspace: str = "w") -> str:
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [workspace])
    return workspace


def insert_responses(
    db: Database, rows: Iterable[Mapping[str, Any]], workspace: str = "w", start_id: int = 1
) -> list[int]:
    """Insert responses (missing fields are NULL); returns their response ids."""
    make_workspace(db, workspace)
    ids = []
    with db.transaction() as cur:
        for i, row in enumerate(rows):
            rid = start_id + i
            ids.append(rid)
            values = [row.get(c) for c in RESPONSE_COLUMNS]
            values = [None if isinstance(v, float) and np.isnan(v) else v for v in values]
            cur.execute(
                "INSERT INTO responses_base(response_id, workspace, import_id, source_row, "
                + ", ".join(RESPONSE_COLUMNS)
                + ") VALUES (?, ?, 1, ?, "
                + ", ".join("?" for _ in RESPONSE_COLUMNS)
                + ")",
                [rid, workspace, i + 1, *values],
            )
        bump_revision(cur, workspace)
    return ids


def insert_attribute(
    db: Database,
    name: str,
    values: Mapping[int, Any],
    *,
    workspace: str = "w",
    numeric: bool = True,
    zero_means_na: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> None:
    """Store one attribute column for some response ids (as its own import, the way
    cem.analytics.attributes stores an upload's columns) and describe it."""
    nums = [float(v) for v in values.values()] if numeric else []
    column = AttributeColumn(
        name,
        "v",
        "numeric" if numeric else "text",
        low if low is not None else (min(nums) if nums else None),
        high if high is not None else (max(nums) if nums else None),
        zero_means_na,
        len(set(values.values())),
    )
    frame = pd.DataFrame(
        {
            "row_id": list(values),
            "v": [float(v) if numeric else str(v) for v in values.values()],
        }
    )
    with db.transaction() as cur:
        import_id = 1000 + cur.execute("SELECT count(*) FROM attribute_sources").fetchall()[0][0]
        store_attribute_frame(cur, workspace, "responses", import_id, frame, [column])
        bump_revision(cur, workspace)


def insert_customers(db: Database, rows: Iterable[Mapping[str, Any]], workspace: str = "w") -> None:
    make_workspace(db, workspace)
    with db.transaction() as cur:
        for i, row in enumerate(rows):
            cur.execute(
                "INSERT INTO customers(workspace, import_id, source_row, customer_id, segment, "
                "persona, first_seen, churned, churned_at, revenue) "
                "VALUES (?, 2, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    workspace,
                    i + 1,
                    row["customer_id"],
                    row.get("segment"),
                    row.get("persona"),
                    row.get("first_seen"),
                    row.get("churned"),
                    row.get("churned_at"),
                    row.get("revenue"),
                ],
            )
        bump_revision(cur, workspace)


def random_responses(n: int, seed: int = 7) -> pd.DataFrame:
    """A reproducible frame of responses with gaps in every score."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2025, 1, 1)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i % 50}" for i in range(n)],
            "submitted_at": [
                start + dt.timedelta(hours=int(h)) for h in rng.integers(0, 24 * 365, n)
            ],
            "nps": rng.choice([*range(11), None], n),
            "csat": rng.choice([1, 2, 3, 4, 5, None], n),
            "ces": rng.choice([1, 2, 3, 4, 5, 6, 7, None], n),
            "comment": rng.choice(["great", "slow", "", None], n),
            "channel": rng.choice(["web", "phone", "app"], n),
            "touchpoint": rng.choice(["Billing", "Delivery", "Support", None], n),
            "stage": rng.choice(["Buy", "Use"], n),
            "segment": rng.choice(["SMB", "Enterprise", "Consumer"], n),
            "persona": rng.choice(["Ann", "Bob"], n),
        }
    )
    return frame


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        clean = {}
        for k, v in record.items():
            if v is None or (isinstance(v, float) and np.isnan(v)):
                clean[k] = None
            elif isinstance(v, np.integer):
                clean[k] = int(v)
            elif isinstance(v, pd.Timestamp):
                clean[k] = v.to_pydatetime()
            else:
                clean[k] = v
        rows.append(clean)
    return rows
