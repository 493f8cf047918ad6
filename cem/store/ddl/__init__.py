"""Schema parts owned by the domain packages.

Every module in this package defines ``DDL: tuple[str, ...]``: idempotent statements
(``CREATE TABLE IF NOT EXISTS …``, ``ALTER TABLE … ADD COLUMN IF NOT EXISTS …``) for the
tables of one domain (access, voc, loop, …). :meth:`cem.store.db.Database.migrate` runs
the core schema first and then every part here, in module-name order, in the same
transaction, so a fresh database and an old one end in the same state.

A domain adds its tables by adding a module here; nothing else needs to change.
"""

from __future__ import annotations

import importlib
import pkgutil


def domain_ddl() -> list[tuple[str, tuple[str, ...]]]:
    """``(module name, statements)`` for every schema part, sorted by module name.

    >>> all(isinstance(stmts, tuple) for _, stmts in domain_ddl())
    True
    """
    parts: list[tuple[str, tuple[str, ...]]] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        parts.append((info.name, tuple(module.DDL)))
    return parts
