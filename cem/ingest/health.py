"""The data-health check of an upload, before anything is loaded.

Run on the sample that detection reads (the first rows; the whole file for small files), it
finds what would make the numbers wrong without an error: placeholder dates (1970-01-01,
1900-01-01, 9999-...), dates outside the file's plausible range, a rating whose scale
changes over time, constant columns, exact duplicate rows and columns that look like
personal data. Each finding says what, where and what to do; where a remedy makes sense it
names it (``remedy``) and :class:`Remedies` applies it to the whole file at import time.
Nothing is changed unless the user picks the remedy.

>>> from cem.ingest.sample import Sample
>>> sample = Sample(["Date", "NPS"], {"Date": ["1970-01-01", "2024-03-01", "2024-03-02"],
...                                   "NPS": ["9", "9", "3"]})
>>> [w.code for w in health_check(sample, {"submitted_at": "Date"})]
['placeholder_dates']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cem.ingest.dates import EPOCH_UNITS, DateFormat, detect_date_format, parse_iso, parse_worded
from cem.ingest.detect import DATE_ROLES, is_missing, is_rating_profile, profile_column
from cem.ingest.sample import Sample

PLACEHOLDER_DATES = ("1970-01-01", "1900-01-01", "1899-12-30", "1899-12-31", "0001-01-01")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{8,18}$")
_PHONE_HEADER = re.compile(r"\b(phone|mobile|tel|telephone|cell|telefon|telefono)\b", re.I)


@dataclass(frozen=True)
class HealthWarning:
    """One finding of the health check."""

    code: str  # placeholder_dates | date_range | scale_change | constant | duplicates | personal
    column: str | None
    message: str  # plain words for the page and the CLI
    count: int = 0  # rows of the sample concerned
    remedy: str | None = None  # the Remedies field that fixes it, if any
    remedy_label: str = ""

    def to_json(self) -> dict[str, object]:
        """The JSON form printed by ``python -m cem detect``."""
        return {
            "code": self.code,
            "column": self.column,
            "message": self.message,
            "count": self.count,
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class Remedies:
    """The remedies a user chose for an import (all off by default: nothing silently)."""

    placeholder_dates_missing: bool = False
    exclude_duplicates: bool = False
    exclude_previews_in: str | None = None  # the column that marks survey previews


def _parse_dates(values: list[str], fmt: DateFormat) -> list[datetime | None]:
    if fmt.kind == "worded":
        return [parse_worded(v) for v in values]
    if fmt.kind in ("iso", "iso_utc"):
        return [parse_iso(v) for v in values]
    if fmt.kind in ("epoch", "excel"):
        start, unit = (
            (datetime(1970, 1, 1), EPOCH_UNITS[fmt.formats[0]][0])
            if fmt.kind == "epoch"
            else (datetime(1899, 12, 30), 86400.0)
        )
        out: list[datetime | None] = []
        for v in values:
            try:
                out.append(start + timedelta(seconds=float(v) * unit))
            except (ValueError, OverflowError):
                out.append(None)
        return out
    result: list[datetime | None] = []
    for v in values:
        got = None
        for f in fmt.formats:
            try:
                got = datetime.strptime(v, f)
                break
            except ValueError:
                continue
        result.append(got)
    return result


def is_placeholder(moment: datetime) -> bool:
    """1970-01-01 / 1900-01-01 (epoch or spreadsheet zero), year 1 or year 9999 and later."""
    return moment.date().isoformat() in PLACEHOLDER_DATES or moment.year >= 9999


def health_check(
    sample: Sample,
    roles: dict[str, str],
    date_formats: dict[str, DateFormat] | None = None,
    today: date | None = None,
) -> list[HealthWarning]:
    """The findings for a sample whose columns have the given ``roles`` (role -> column)."""
    warnings: list[HealthWarning] = []
    today = today or date.today()
    formats = dict(date_formats or {})
    dates_by_column: dict[str, list[datetime | None]] = {}
    for role, col in roles.items():
        if role not in DATE_ROLES or col not in sample.columns or col in dates_by_column:
            continue
        raw = [None if is_missing(v) else str(v).strip() for v in sample[col]]
        fmt = formats.get(col) or detect_date_format([v for v in raw if v], allow_serial=True)
        if fmt is None:
            continue
        parsed = _parse_dates([v or "" for v in raw], fmt)
        moments = [p if raw[i] else None for i, p in enumerate(parsed)]
        dates_by_column[col] = moments
        warnings.extend(_date_warnings(col, [m for m in moments if m is not None], today))
    warnings.extend(_scale_changes(sample, roles, dates_by_column))
    warnings.extend(_column_warnings(sample))
    dup = _duplicate_rows(sample)
    if dup:
        warnings.append(
            HealthWarning(
                "duplicates",
                None,
                f"{dup:,} row(s) are exact copies of an earlier row (in the first "
                f"{len(sample):,} rows). Exported twice? They would count twice in every KPI.",
                dup,
                "exclude_duplicates",
                "Exclude exact duplicate rows",
            )
        )
    return warnings


def _date_warnings(col: str, moments: list[datetime], today: date) -> list[HealthWarning]:
    out: list[HealthWarning] = []
    placeholders = [m for m in moments if is_placeholder(m)]
    if placeholders:
        example = placeholders[0].date().isoformat()
        out.append(
            HealthWarning(
                "placeholder_dates",
                col,
                f"“{col}”: {len(placeholders):,} row(s) are dated {example}, a placeholder "
                "(an empty date saved as the epoch/zero date), not a real date. As they are, "
                "they would stretch every trend back to that year.",
                len(placeholders),
                "placeholder_dates_missing",
                "Treat placeholder dates as missing",
            )
        )
    real = sorted(m for m in moments if not is_placeholder(m))
    if len(real) >= 10:
        lo, hi = real[len(real) // 100], real[-(len(real) // 100) - 1]
        span = max((hi - lo).days, 30)
        early = [m for m in real if (lo - m).days > 3 * span]
        future = [m for m in real if m.date() > today]
        if early:
            out.append(
                HealthWarning(
                    "date_range",
                    col,
                    f"“{col}”: {len(early):,} date(s) such as {early[0].date().isoformat()} are "
                    f"far before the others (mostly {lo.date().isoformat()} to "
                    f"{hi.date().isoformat()}). Check them before reading trends.",
                    len(early),
                )
            )
        if future:
            out.append(
                HealthWarning(
                    "date_range",
                    col,
                    f"“{col}”: {len(future):,} date(s) such as {future[0].date().isoformat()} "
                    "are in the future.",
                    len(future),
                )
            )
    return out


def _scale_changes(
    sample: Sample, roles: dict[str, str], dates: dict[str, list[datetime | None]]
) -> list[HealthWarning]:
    """A rating whose top value differs by year (1-5 one year, 1-10 the next)."""
    when_col = next(
        (roles[r] for r in ("submitted_at", "occurred_at") if roles.get(r) in dates), None
    )
    if when_col is None:
        return []
    years = [m.year if m is not None and not is_placeholder(m) else None for m in dates[when_col]]
    used = set(roles.values())
    out: list[HealthWarning] = []
    for col in sample.columns:
        if col in used and col not in (roles.get("nps"), roles.get("csat"), roles.get("ces")):
            continue
        profile = profile_column(str(col), sample[col])
        if not (profile.numeric and (is_rating_profile(profile) or col in used)):
            continue
        tops: dict[int, float] = {}
        for year, value in zip(years, list(sample[col]), strict=True):
            if year is None or is_missing(value):
                continue
            try:
                tops[year] = max(tops.get(year, 0.0), float(str(value)))
            except ValueError:
                continue
        if len(tops) >= 2 and min(tops.values()) <= 5 < max(tops.values()):
            small = sorted(y for y, t in tops.items() if t <= 5)
            large = sorted(y for y, t in tops.items() if t > 5)
            out.append(
                HealthWarning(
                    "scale_change",
                    str(col),
                    f"“{col}”: its scale changes over time: at most 5 in "
                    f"{', '.join(map(str, small))}, up to {int(max(tops.values()))} in "
                    f"{', '.join(map(str, large))}. Averages and trends across the change "
                    "compare different scales; split the file by period or rescale it first.",
                )
            )
    return out


def _duplicate_rows(sample: Sample) -> int:
    """How many rows of the sample are exact copies of an earlier row."""
    rows = list(zip(*(list(sample[c]) for c in sample.columns), strict=True))
    return len(rows) - len(set(rows)) if len(rows) > 1 else 0


def _column_warnings(sample: Sample) -> list[HealthWarning]:
    out: list[HealthWarning] = []
    if len(sample) < 5:
        return out
    for col in sample.columns:
        vals = [str(v).strip() for v in sample[col] if not is_missing(v)]
        if len(vals) >= 5 and len(vals) == len(sample) and len(set(vals)) == 1:
            out.append(
                HealthWarning(
                    "constant",
                    str(col),
                    f"“{col}” has the same value (“{vals[0][:40]}”) on every row: it cannot "
                    "split or explain anything.",
                    len(vals),
                )
            )
            continue
        previews = sum(1 for v in vals if v.lower() == "preview")
        if previews and re.search(r"distribution|channel|source|status", str(col), re.I):
            out.append(
                HealthWarning(
                    "preview",
                    str(col),
                    f"“{col}”: {previews:,} response(s) are survey previews (tests by the "
                    "survey's author, not customers). Exclude them before reading KPIs.",
                    previews,
                )
            )
        if not vals:
            continue
        emails = sum(1 for v in vals if _EMAIL.match(v))
        phones = sum(1 for v in vals if _PHONE.match(v) and sum(c.isdigit() for c in v) >= 8)
        if emails >= 0.5 * len(vals) or (
            _PHONE_HEADER.search(str(col)) and phones >= 0.5 * len(vals)
        ):
            what = "e-mail addresses" if emails >= 0.5 * len(vals) else "phone numbers"
            out.append(
                HealthWarning(
                    "personal",
                    str(col),
                    f"“{col}” holds {what}: personal data. Ignore the column unless you need "
                    "it, and share the workspace with care.",
                    max(emails, phones),
                )
            )
    return out
