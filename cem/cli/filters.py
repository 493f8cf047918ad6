"""``--filter DIM=VALUE``, ``--from`` and ``--to`` of the CLI commands as :class:`Filters`.

Imports only the standard library at load time (the analytics stack when called), so a
command module can use it and keep ``python -m cem --help`` fast.

>>> parse_filters(["segment=SMB", "segment=Family"], date_from="2026-01-01").values("segment")
('Family', 'SMB')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cem.analytics.filters import Filters


def parse_filters(
    items: Sequence[str], date_from: str | None = None, date_to: str | None = None
) -> Filters:
    """``DIM=VALUE`` items (repeatable, values of one dimension OR-ed; ``from=``/``to=``
    dates too) and dates as Filters; an item without ``=`` or an unknown dimension is an
    :class:`~cem.errors.InputError` (never silently dropped: a share link would show all)."""
    from cem.analytics.filters import Filters
    from cem.errors import InputError

    dims: dict[str, list[str]] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--filter '{item}': use DIM=VALUE")
        dim, value = item.split("=", 1)
        dims.setdefault(dim.strip(), []).append(value)
    params: dict[str, str | list[str]] = dict(dims)
    if date_from:
        params["from"] = date_from
    if date_to:
        params["to"] = date_to
    filters = Filters.from_query_params(params)
    unknown = set(dims) - {d for d, _ in filters.dimensions} - {"from", "to"}
    if unknown:
        raise InputError(f"Unknown filter dimension(s): {', '.join(sorted(unknown))}")
    return filters
