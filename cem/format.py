"""How numbers are written (DESIGN.md "Visual language").

>>> format_nps(32.4, 4.1, 1204)
'+32 ±4 (n=1,204)'
>>> format_nps(None, None, 0)
'— (n=0)'
>>> format_percent(81.25, 312)
'81% (n=312)'
>>> format_mean(5.25, 40)
'5.2 (n=40)'
"""

from __future__ import annotations

import math
from typing import Any

LOW_CONFIDENCE_N = 30


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_count(n: int | float | None) -> str:
    """An integer with thousands separators; '—' for none."""
    return "—" if _missing(n) else f"{int(n):,}"  # type: ignore[arg-type]


def format_minute(moment: Any) -> str:
    """A stored time to the minute, "never" when there is none.

    >>> import datetime as dt
    >>> format_minute(dt.datetime(2027, 1, 5, 1, 59, 11, 125767)), format_minute(None)
    ('2027-01-05 01:59', 'never')
    """
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def format_signed(value: float | None) -> str:
    """A signed integer, e.g. NPS '+32' or '-5'; '—' for none."""
    if _missing(value):
        return "—"
    rounded = int(round(value))  # type: ignore[arg-type]
    return f"{rounded:+d}" if rounded else "0"


def format_nps(value: float | None, moe: float | None, n: int | None) -> str:
    """NPS as a signed integer with its margin of error and n, never with '%'."""
    count = f"(n={format_count(n or 0)})"
    if _missing(value):
        return f"— {count}"
    margin = "" if _missing(moe) else f" ±{int(round(moe))}"  # type: ignore[arg-type]
    return f"{format_signed(value)}{margin} {count}"


def format_percent(value: float | None, n: int | None = None) -> str:
    """A share in percent (value already ×100), with n when given."""
    text = "—" if _missing(value) else f"{value:.0f}%"
    return text if n is None else f"{text} (n={format_count(n)})"


def format_mean(value: float | None, n: int | None = None) -> str:
    """A mean with one decimal, with n when given."""
    text = "—" if _missing(value) else f"{value:.1f}"
    return text if n is None else f"{text} (n={format_count(n)})"


def is_low_confidence(n: int | None) -> bool:
    """A KPI from fewer than 30 answers is low-confidence."""
    return n is None or n < LOW_CONFIDENCE_N


def format_kpi_value(metric: str, value: float) -> str:
    """A headline KPI value in the house style (NPS signed, CSAT %, CES one decimal).

    >>> format_kpi_value("nps", 12.4), format_kpi_value("responses", 1234)
    ('+12', '1,234')
    """
    if metric == "nps":
        return format_signed(value)
    if metric == "csat":
        return format_percent(value)
    if metric == "ces":
        return format_mean(value)
    return format_count(value)


def format_margin(metric: str, moe: float | None) -> str:
    """A headline KPI's 95% margin of error in its unit, as the Overview tiles and the PDF
    write it ('' when there is none, and for a count of responses).

    >>> format_margin("nps", 4.6), format_margin("csat", 2.2), format_margin("ces", 0.14)
    ('±5', '±2 pts', '±0.1')
    >>> format_margin("responses", 3.0), format_margin("nps", float("nan"))
    ('', '')
    """
    if _missing(moe) or metric == "responses":
        return ""
    assert moe is not None
    if metric == "nps":
        return f"±{round(moe):.0f}"
    if metric == "csat":
        return f"±{round(moe):.0f} pts"
    return f"±{moe:.1f}"
