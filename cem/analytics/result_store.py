"""Heavy results kept in the database per data revision, so a fresh server process reads
what an import (or an earlier server) already computed.

The in-memory cache (:mod:`cem.analytics.result_cache`) dies with its process; at ten
million events the first view of Journey analytics or Planned vs actual after a restart
would recompute a minute of queries. This store is its second level:

* **What is kept.** A result that took at least :data:`KEEP_SECONDS` to compute and that
  survives the round trip *exactly* (decoded, it compares equal to what was computed:
  same frame values, dtypes, index and column order), so a kept result can never show
  other numbers than a fresh computation. Anything else simply stays in memory only.
* **Key.** A SHA-256 digest of the code (:func:`code_fingerprint`: another version of
  Touchpoint never reads it back), the function's module and name and its arguments in a
  canonical JSON form (sets sorted, dataclasses by field), stored beside the workspace,
  its creation time and its data revision. A read matches all three, so any write to the
  workspace (which bumps the revision) or a workspace made again under the same name
  makes every kept result stale; stale rows are deleted on the next write.
* **Form.** JSON with tagged values; a DataFrame as Parquet (pyarrow) bytes in base64;
  dataclasses only of ``cem`` modules. Nothing is pickled, so a database file cannot
  make the app run code.
* **Read-only databases** (the CLI's snapshot) are read, never written; a failed write
  (disk full, database busy) only means the next process recomputes.

>>> import pandas as pd
>>> value = {"n": 3, "frame": pd.DataFrame({"a": [1, 2], "b": ["x", None]})}
>>> same(decode(encode(value)), value)
True
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import importlib
import io
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cem.store.db import Database

log = logging.getLogger(__name__)
# At 10M rows the Overview's KPI frames and snapshots take 0.1-0.6 s each: kept, a fresh
# server reads them instead of recomputing (they were 1-2 s of its first view's CPU).
KEEP_SECONDS = 0.05
MAX_ROWS_PER_WORKSPACE = 2000
TAG = "__t"
SERIES_COLUMN = "__series__"


class Unstorable(TypeError):
    """A value the store has no exact form for (it stays in memory only)."""


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (tagged where JSON has no type of its own)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float) and type(value) in (int, float):
        return value
    if isinstance(value, np.generic):
        return {TAG: "np", "dtype": value.dtype.str, "v": value.item()}
    if isinstance(value, pd.DataFrame):
        buffer = io.BytesIO()
        value.to_parquet(buffer, engine="pyarrow")
        objects = [str(c) for c, t in value.dtypes.items() if pd.api.types.is_object_dtype(t)]
        times = {str(c): str(t) for c, t in value.dtypes.items() if t.kind in "mM"}
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return {TAG: "frame", "v": data, "objects": objects, "times": times}
    if isinstance(value, pd.Series) and pd.api.types.is_object_dtype(value.dtype):
        return {  # a row of mixed values: each value in its own form
            TAG: "row",
            "v": [encode(x) for x in value.tolist()],
            "index": [encode(x) for x in value.index.tolist()],
            "name": encode(value.name),
        }
    if isinstance(value, pd.Series):
        frame = value.to_frame(SERIES_COLUMN)
        return {TAG: "series", "v": encode(frame), "name": encode(value.name)}
    if isinstance(value, pd.Timestamp):
        return {TAG: "ts", "v": None if value is pd.NaT else value.isoformat()}
    if isinstance(value, dt.datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, list | tuple):
        return {TAG: type(value).__name__, "v": [encode(x) for x in value]}
    if isinstance(value, frozenset | set):
        items = sorted((encode(x) for x in value), key=lambda x: json.dumps(x, sort_keys=True))
        return {TAG: type(value).__name__, "v": items}
    if isinstance(value, dict):
        return {TAG: "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("cem."):
            raise Unstorable(f"{cls.__qualname__} is not a cem dataclass")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: "dc", "cls": f"{cls.__module__}:{cls.__qualname__}", "v": fields}
    raise Unstorable(f"no stored form for {type(value).__name__}")


def _dataclass(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith("cem."):
        raise Unstorable(f"{name} is not a cem dataclass")
    cls = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise Unstorable(f"{name} is not a dataclass")
    return cls


def _frame(data: str, objects: list[str], times: dict[str, str]) -> pd.DataFrame:
    """A frame read back from Parquet, its object (text) columns object again with None
    for missing (Parquet reads text as pandas' string dtype) and its time columns in their
    unit (Parquet has no seconds unit)."""
    # One thread: kept frames are small, and Arrow's thread pool, once started, can abort
    # the process at exit ("terminate called without an active exception").
    frame = pd.read_parquet(io.BytesIO(base64.b64decode(data)), engine="pyarrow", use_threads=False)
    for name, dtype in times.items():
        frame[name] = frame[name].astype(dtype)
    for name in objects:
        column = frame[name].astype(object)
        frame[name] = column.where(column.notna(), None)
    return frame


def decode(data: Any) -> Any:
    """The value that :func:`encode` turned into ``data``."""
    if not isinstance(data, dict):
        return data
    tag, v = data[TAG], data.get("v")
    decoders: dict[str, Any] = {
        "np": lambda: np.dtype(data["dtype"]).type(v),
        "frame": lambda: _frame(v, data.get("objects", []), data.get("times", {})),
        "row": lambda: pd.Series(
            [decode(x) for x in v],
            index=[decode(x) for x in data["index"]],
            name=decode(data["name"]),
            dtype=object,
        ),
        "series": lambda: decode(v)[SERIES_COLUMN].rename(decode(data["name"])),
        "ts": lambda: pd.NaT if v is None else pd.Timestamp(v),
        "datetime": lambda: dt.datetime.fromisoformat(v),
        "date": lambda: dt.date.fromisoformat(v),
        "list": lambda: [decode(x) for x in v],
        "tuple": lambda: tuple(decode(x) for x in v),
        "frozenset": lambda: frozenset(decode(x) for x in v),
        "set": lambda: {decode(x) for x in v},
        "dict": lambda: {decode(k): decode(x) for k, x in v},
        "dc": lambda: _dataclass(data["cls"])(**{k: decode(x) for k, x in v.items()}),
    }
    if tag not in decoders:
        raise Unstorable(f"unknown stored form {tag!r}")
    return decoders[tag]()


def same(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are the same result: equal values of the same types,
    frames with the same columns, dtypes, index and values (missing equals missing)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, pd.Series) and pd.api.types.is_object_dtype(a.dtype):
        return (
            pd.api.types.is_object_dtype(b.dtype)
            and a.index.equals(b.index)
            and same(a.tolist(), b.tolist())
            and same(a.name, b.name)
        )
    if isinstance(a, pd.Series):
        return same(a.to_frame(SERIES_COLUMN), b.to_frame(SERIES_COLUMN)) and same(a.name, b.name)
    if isinstance(a, pd.DataFrame):
        return (
            list(a.columns) == list(b.columns)
            and list(a.dtypes) == list(b.dtypes)
            and a.index.equals(b.index)
            and a.equals(b)
        )
    if isinstance(a, float | np.floating):
        return bool(a == b or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if a is pd.NaT or b is pd.NaT:
        return a is b
    return bool(a == b)


@functools.cache
def code_fingerprint() -> str:
    """A digest of the ``cem`` source that computes kept results (every ``.py`` file of the
    package but its UI): part of each key, so a result kept by another version of
    Touchpoint (an upgrade, a changed formula or frame shape) is never read back."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "ui" in path.relative_to(root).parts[:1]:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def result_key(function: tuple[str, str], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The digest naming ``function(*args, **kwargs)`` as this version of the code computes
    it (the same in every process running the same code)."""
    canonical = json.dumps(
        encode((code_fingerprint(), function, args, tuple(sorted(kwargs.items())))),
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load(db: Database, workspace: str, key: str, revision: int) -> tuple[bool, Any]:
    """``(True, result)`` when a result for ``key`` at ``revision`` (and the workspace's
    current creation time) is kept, else ``(False, None)``."""
    try:
        row = db.execute(
            "SELECT r.payload FROM analytics_results r JOIN workspaces w "
            "ON w.name = r.workspace AND w.created_at = r.workspace_created "
            "WHERE r.workspace = ? AND r.result_key = ? AND r.revision = ? "
            "AND w.revision = r.revision",
            [workspace, key, revision],
        ).fetchone()
        if row is None:
            return False, None
        return True, decode(json.loads(row[0]))
    except Exception:  # noqa: BLE001 - an unreadable row is recomputed, never shown
        log.warning("A kept result of %s could not be read; recomputing", workspace)
        return False, None


def keep(
    db: Database,
    workspace: str,
    key: str,
    revision: int,
    function: tuple[str, str],
    value: Any,
    seconds: float,
) -> bool:
    """Keep ``value`` (computed at ``revision`` in ``seconds``) when it is heavy enough and
    round-trips exactly; returns True when it was written."""
    if db.read_only or seconds < KEEP_SECONDS:
        return False
    try:
        payload = json.dumps(encode(value))
        if not same(decode(json.loads(payload)), value):
            return False
    except (Unstorable, ValueError, TypeError, ImportError) as exc:
        log.debug("Not keeping %s: %s", function, exc)
        return False
    try:
        with db.transaction() as cur:
            state = _state_in(cur, workspace)
            if state is None or state[1] != revision:
                return False  # the data moved on while this was computed
            cur.execute(
                "DELETE FROM analytics_results WHERE workspace = ? "
                "AND (revision <> ? OR workspace_created <> ? OR result_key = ?)",
                [workspace, revision, state[0], key],
            )
            cur.execute(
                "INSERT INTO analytics_results (workspace, result_key, workspace_created, "
                "revision, function_name, seconds, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [workspace, key, state[0], revision, ".".join(function), seconds, payload],
            )
            cur.execute(
                "DELETE FROM analytics_results WHERE workspace = ? AND result_key IN ("
                "SELECT result_key FROM analytics_results WHERE workspace = ? "
                "ORDER BY stored_at DESC OFFSET ?)",
                [workspace, workspace, MAX_ROWS_PER_WORKSPACE],
            )
        return True
    except Exception:  # noqa: BLE001 - not kept only means the next process recomputes
        log.warning("Could not keep a result of %s", workspace, exc_info=True)
        return False


def _state_in(cur: Any, workspace: str) -> tuple[Any, int] | None:
    row = cur.execute(
        "SELECT created_at, revision FROM workspaces WHERE name = ?", [workspace]
    ).fetchone()
    return None if row is None else (row[0], int(row[1]))
