"""The process-wide cache of heavy results, keyed by (database, function, workspace, data
revision, arguments).

Pages read their figures through it (``cem.ui.cached_analytics`` / ``cached_query``), and
:mod:`cem.ui.warm` fills it in a background thread after an import, so the first
page view after an import finds its results ready. It holds no Streamlit object, so a
thread that is not a page run (the after-import warmer) can fill it.

* **Key.** The database file (or the object, for an in-memory database), the function's
  module and name, the workspace, the workspace's data revision (every write bumps it, so
  an import or an edit makes the next call recompute), the positional arguments and the
  keyword arguments (sorted). Filters and settings are frozen dataclasses, so they key it.
* **One computation per key.** A call that finds the same key being computed by another
  thread (the warmer, or a second browser tab) waits for that result instead of starting
  the same heavy query again.
* **Bounded.** At most :data:`MAX_ENTRIES` results, least recently used dropped first.
* **Kept across processes.** A miss first looks in the database
  (:mod:`cem.analytics.result_store`): a heavy result computed by an earlier server or
  by the after-import warmer at the same data revision is read back instead of
  recomputed, and a heavy result computed here is kept there for the next process.
* **Copies out.** A DataFrame (or a container of them) is handed out as a copy, so a
  caller that changes its result cannot change the cache.

>>> from cem.store.db import Database
>>> db = Database(":memory:")
>>> def answer(source, workspace, x):
...     return {"workspace": workspace, "x": x}
>>> cache = ResultCache()
>>> cache.get(db, answer, "w", (2,), {}, on_engine=False)
{'workspace': 'w', 'x': 2}
>>> cache.get(db, answer, "w", (2,), {}, on_engine=False) and cache.misses, cache.hits
(1, 1)
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

from cem import background
from cem.analytics import result_store
from cem.analytics.engine import duckdb_engine
from cem.store.db import Database

T = TypeVar("T")
MAX_ENTRIES = 512
Key = tuple[Hashable, ...]


def database_key(db: Database) -> Hashable:
    """What identifies a database in a key: its file, or the object when in memory."""
    return db.path if db.path != ":memory:" else ("memory", id(db))


def function_name(func: Callable[..., Any]) -> tuple[str, str]:
    """(module, qualified name) of a module-level function."""
    return func.__module__, func.__qualname__


def handed_out(value: T) -> T:
    """``value``, copied when a caller could change it (DataFrames, lists, dicts)."""
    if isinstance(value, str | int | float | bool | tuple | frozenset) or value is None:
        return value
    return copy.deepcopy(value)


class ResultCache:
    """A thread-safe LRU of finished results and the computations still running."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        *,
        use_store: bool = True,
        keep_in_background: bool = True,
    ) -> None:
        self.max_entries = max_entries
        self._done: OrderedDict[Key, Any] = OrderedDict()
        self._running: dict[Key, Future[Any]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.computed: dict[tuple[str, str], int] = {}
        self.loaded = 0  # results read back from the database (result_store)
        self.use_store = use_store
        self.keep_in_background = keep_in_background

    def key(
        self,
        db: Database,
        func: Callable[..., Any],
        workspace: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        on_engine: bool,
    ) -> Key:
        """The key of ``func(source, workspace, *args, **kwargs)`` at the current revision."""
        return (
            database_key(db),
            *function_name(func),
            workspace,
            db.data_version(workspace),
            args,
            tuple(sorted(kwargs.items())),
            on_engine,
        )

    def get(
        self,
        db: Database,
        func: Callable[..., T],
        workspace: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        on_engine: bool,
    ) -> T:
        """``func(engine or db, workspace, *args, **kwargs)``, from the cache when it holds
        it for the workspace's current data revision."""
        key = self.key(db, func, workspace, args, kwargs, on_engine=on_engine)
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                self.hits += 1
                return handed_out(self._done[key])
            running = self._running.get(key)
            if running is None:
                running = Future()
                self._running[key] = running
                owner = True
                self.misses += 1
            else:
                owner = False
                self.hits += 1
        if not owner:
            return handed_out(running.result())
        try:
            value = self._compute_or_load(db, func, workspace, args, kwargs, key, on_engine)
        except BaseException as exc:
            with self._lock:
                self._running.pop(key, None)
            running.set_exception(exc)
            raise
        with self._lock:
            self._running.pop(key, None)
            self._done[key] = value
            while len(self._done) > self.max_entries:
                self._done.popitem(last=False)
        running.set_result(value)
        return handed_out(value)

    def _compute_or_load(
        self,
        db: Database,
        func: Callable[..., T],
        workspace: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        key: Key,
        on_engine: bool,
    ) -> T:
        """The result kept in the database for this revision (:mod:`result_store`), else
        ``func(engine or db, workspace, *args, **kwargs)``, kept there when heavy."""
        name = function_name(func)
        revision = int(key[4])  # type: ignore[call-overload]
        stored = result_store.result_key(name, (on_engine, *args), kwargs)
        if self.use_store:
            found, value = result_store.load(db, workspace, stored, revision)
            if found:
                with self._lock:
                    self.loaded += 1
                return value  # type: ignore[no-any-return]
        with self._lock:
            self.computed[name] = self.computed.get(name, 0) + 1
        source = duckdb_engine(db) if on_engine else db
        started = time.perf_counter()
        value = func(source, workspace, *args, **kwargs)  # type: ignore[arg-type]
        if self.use_store:
            seconds = time.perf_counter() - started
            if getattr(func, "keep_always", False):  # e.g. chart specs (cem.charts.specs)
                seconds = max(seconds, result_store.KEEP_SECONDS)
            keep = (db, workspace, stored, revision, name, value, seconds)
            if self.keep_in_background:  # a page never waits for another writer's lock
                background.start(result_store.keep, keep, f"keep-{name}")
            else:
                result_store.keep(*keep)
        return value

    def holds(
        self,
        db: Database,
        func: Callable[..., Any],
        workspace: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        on_engine: bool = True,
    ) -> bool:
        """True when the result for the current revision is cached (for tests and status)."""
        key = self.key(db, func, workspace, args, kwargs or {}, on_engine=on_engine)
        with self._lock:
            return key in self._done

    def clear(self) -> None:
        """Forget every result (running computations finish and are then kept)."""
        with self._lock:
            self._done.clear()


RESULTS = ResultCache()


def cached_analytics(
    db: Database, func: Callable[..., T], workspace: str, *args: Any, **kwargs: Any
) -> T:
    """``func(engine, workspace, *args, **kwargs)`` through the process-wide cache."""
    return RESULTS.get(db, func, workspace, args, kwargs, on_engine=True)


def cached_query(
    db: Database, func: Callable[..., T], workspace: str, *args: Any, **kwargs: Any
) -> T:
    """``func(db, workspace, *args, **kwargs)`` through the process-wide cache."""
    return RESULTS.get(db, func, workspace, args, kwargs, on_engine=False)
