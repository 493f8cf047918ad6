"""Background work (comment analysis, the page warmer, keeping results): one way to start it,
so the process waits for it before it exits.

A daemon thread still inside DuckDB when the interpreter shuts down is killed mid-statement,
and the C++ runtime aborts the whole process (``terminate called after throwing ...``): a
test run or a CLI command that has finished its work would end with a crash instead of its
exit status. Every background thread is started here; at exit the process waits for the
running ones, :data:`EXIT_WAIT_SECONDS` at most in all.

>>> done = []
>>> start(done.append, (1,), "example").join(); done
[1]
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

EXIT_WAIT_SECONDS = 30.0

log = logging.getLogger(__name__)
_THREADS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_LOCK = threading.Lock()


def start(
    target: Callable[..., Any], args: tuple[Any, ...], name: str, daemon: bool = True
) -> threading.Thread:
    """Start ``target(*args)`` in a thread named ``name``; the process waits for it at exit."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=daemon)
    with _LOCK:
        _THREADS.add(thread)
    thread.start()
    return thread


def wait_for_background(seconds: float = EXIT_WAIT_SECONDS) -> bool:
    """Wait until every background thread has finished, ``seconds`` at most in all; True
    when none is left running."""
    deadline = time.monotonic() + seconds
    while True:  # a job may start others (the warmer keeps each result it computes)
        with _LOCK:
            alive = [t for t in _THREADS if t.is_alive() and t is not threading.current_thread()]
        if not alive:
            return True
        if time.monotonic() >= deadline:
            log.warning("Exiting with %d background job(s) still running", len(alive))
            return False
        log.info("Waiting for %d background job(s) before exiting", len(alive))
        for thread in alive:
            thread.join(max(0.0, deadline - time.monotonic()))


atexit.register(wait_for_background)
