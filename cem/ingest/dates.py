"""Date format detection for uploaded columns.

A column's format is decided once, from its values, and then applied to every row in
SQL (``try_strptime``), so a column is never read half day-first and half month-first.

Rules, per column:

- ISO dates (``2024-03-01``, ``2024-03-01 14:05``, ``2024-03-01T14:05:00Z``) are read as ISO.
- ``12/03/2024``-style dates (``/``, ``.`` or ``-`` between the parts): if any first part is
  above 12 the column is day-first; if any second part is above 12 it is month-first. When
  every value is ambiguous (both parts <= 12) the column is read **day-first**
  (:data:`AMBIGUOUS_DEFAULT`), and the choice is reported as ambiguous so the page can say so.
- Eight digits (``19970101``) are ``YYYYMMDD``.
- Plain numbers between 20,000 and 80,000 (1954 to 2119) in a column whose header says it is
  a date are Excel serial day numbers (days since 1899-12-30).
- ``5 Jan 2024`` / ``Jan 5, 2024`` (English month names) are read with those patterns.

>>> fmt = detect_date_format(["13/04/2018 20:09", "01/05/2018 20:23"])
>>> fmt.kind, fmt.label
('strptime', 'DD/MM/YYYY hh:mm (day-first)')
>>> detect_date_format(["03/04/2018", "01/05/2018"]).ambiguous
True
>>> detect_date_format(["19970101", "19980630"]).label
'YYYYMMDD'
>>> detect_date_format(["hello", "world"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

AMBIGUOUS_DEFAULT = "day-first"
MIN_SHARE = 0.8  # share of non-blank sample values that must fit one format

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)?"
_ISO = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?$"
)
_YMD_SLASH = re.compile(r"^\d{4}([/.])\d{1,2}\1\d{1,2}" + _TIME + "$")
_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$")
_YYYYMMDD = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_TEXT_MONTH = re.compile(
    r"^\d{1,2}[ -](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ -]\d{2,4}$|"
    r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}, \d{4}$",
    re.IGNORECASE,
)
_TEXT_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y")


@dataclass(frozen=True)
class DateFormat:
    """How one column's dates are written.

    ``kind`` is ``'iso'`` (SQL cast), ``'strptime'`` (``formats`` tried in order),
    or ``'excel'`` (serial day numbers).
    """

    kind: str
    label: str
    formats: tuple[str, ...] = ()
    ambiguous: bool = False
    note: str = ""
    examples: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, object]:
        """A JSON-able form (stored with the import's mapping)."""
        return {"kind": self.kind, "label": self.label, "formats": list(self.formats)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DateFormat:
        """Inverse of :meth:`to_json`."""
        return cls(
            kind=str(data["kind"]),
            label=str(data["label"]),
            formats=tuple(str(f) for f in data.get("formats", []) or []),  # type: ignore[union-attr]
        )


ISO = DateFormat("iso", "ISO (YYYY-MM-DD)")
EXCEL_SERIAL = DateFormat("excel", "Excel serial day number")
YYYYMMDD = DateFormat("strptime", "YYYYMMDD", ("%Y%m%d",))


def _with_times(date_part: str) -> tuple[str, ...]:
    return (
        f"{date_part} %H:%M:%S",
        f"{date_part} %H:%M",
        f"{date_part} %I:%M:%S %p",
        f"{date_part} %I:%M %p",
        f"{date_part}T%H:%M:%S",
        date_part,
    )


def _dmy_format(day_first: bool, sep: str, four_digit_year: bool) -> tuple[str, str]:
    year = "%Y" if four_digit_year else "%y"
    part = f"%d{sep}%m{sep}{year}" if day_first else f"%m{sep}%d{sep}{year}"
    label_year = "YYYY" if four_digit_year else "YY"
    label = f"DD{sep}MM{sep}{label_year}" if day_first else f"MM{sep}DD{sep}{label_year}"
    return part, label


def _clean(values: Iterable[object]) -> list[str]:
    out = []
    for v in values:
        if v is None:
            continue
        s = str(v).strip()
        if s and s.lower() not in {"nan", "nat", "none", "null"}:
            out.append(s)
    return out


def detect_date_format(
    values: Iterable[object], *, allow_serial: bool = False
) -> DateFormat | None:
    """The format that fits at least 80% of the non-blank ``values``, or None.

    ``allow_serial`` lets plain 5-digit numbers count as Excel serial dates (only pass it
    when the column's header says it holds dates).
    """
    vals = _clean(values)
    if not vals:
        return None
    n = len(vals)
    need = max(1, int(n * MIN_SHARE + 0.999999))

    iso = sum(1 for v in vals if _ISO.match(v))
    if iso >= need:
        return DateFormat("iso", "ISO (YYYY-MM-DD)", examples=tuple(vals[:3]))

    ymd = [m for v in vals if (m := _YMD_SLASH.match(v))]
    if len(ymd) >= need:
        sep = ymd[0].group(1)
        return DateFormat(
            "strptime",
            f"YYYY{sep}MM{sep}DD" + (" hh:mm" if any(m.group(2) for m in ymd) else ""),
            _with_times(f"%Y{sep}%m{sep}%d"),
            examples=tuple(vals[:3]),
        )

    ymd8 = sum(1 for v in vals if _YYYYMMDD.match(v))
    if ymd8 >= need:
        return DateFormat("strptime", "YYYYMMDD", ("%Y%m%d",), examples=tuple(vals[:3]))

    dmy = [m for v in vals if (m := _DMY.match(v))]
    if len(dmy) >= need:
        first_big = any(int(m.group(1)) > 12 for m in dmy)
        second_big = any(int(m.group(3)) > 12 for m in dmy)
        sep = dmy[0].group(2)
        four = len(dmy[0].group(4)) == 4
        has_time = any(m.group(5) for m in dmy)
        ambiguous = False
        note = ""
        if first_big and not second_big:
            day_first = True
            note = "a first part above 12 was seen, so the column is day-first"
        elif second_big and not first_big:
            day_first = False
            note = "a second part above 12 was seen, so the column is month-first"
        elif first_big and second_big:
            # Mixed: go with the majority evidence; the other rows will be rejected.
            firsts = sum(1 for m in dmy if int(m.group(1)) > 12)
            seconds = sum(1 for m in dmy if int(m.group(3)) > 12)
            day_first = firsts >= seconds
            note = "both day-first and month-first values were seen; using the majority"
        else:
            day_first = AMBIGUOUS_DEFAULT == "day-first"
            ambiguous = True
            note = f"every value could be either way; read as {AMBIGUOUS_DEFAULT} (the default)"
        part, label = _dmy_format(day_first, sep, four)
        label += (" hh:mm" if has_time else "") + (
            " (day-first)" if day_first else " (month-first)"
        )
        return DateFormat(
            "strptime", label, _with_times(part), ambiguous, note, examples=tuple(vals[:3])
        )

    # English month names: only try the (slow) strptime patterns when most values look so.
    worded = sum(1 for v in vals if _TEXT_MONTH.search(v)) >= need
    for fmt in _TEXT_MONTH_FORMATS if worded else ():
        ok = 0
        for v in vals:
            try:
                datetime.strptime(v, fmt)
                ok += 1
            except ValueError:
                pass
        if ok >= need:
            label = fmt.replace("%d", "D").replace("%b", "Mon").replace("%B", "Month")
            label = label.replace("%Y", "YYYY").replace("%y", "YY")
            return DateFormat("strptime", label, _with_times(fmt), examples=tuple(vals[:3]))

    mixed = _mixed_format(vals, need)
    if mixed is not None:
        return mixed

    if allow_serial:
        serial = [float(v) for v in vals if _SERIAL.match(v)]
        if len(serial) >= need and all(20000 <= s <= 80000 for s in serial):
            return DateFormat("excel", EXCEL_SERIAL.label, examples=tuple(vals[:3]))
    return None


ISO_PATTERNS = (
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


def _mixed_format(vals: list[str], need: int) -> DateFormat | None:
    """ISO and day/month dates in one column: each value is read by the pattern it fits
    (``try_strptime`` tries them in order); the day/month order is decided once for the
    column (from values above 12), so no value is read both ways. Values fitting neither
    are rejected row by row.

    >>> fmt = _mixed_format(["2024-03-01", "15/03/2024", "2024-03-05T10:00:00Z"], 3)
    >>> fmt.label, fmt.kind
    ('mixed: ISO and DD/MM/YYYY (day-first)', 'strptime')
    """
    iso = [v for v in vals if _ISO.match(v)]
    dmy = [m for v in vals if (m := _DMY.match(v))]
    if not iso or not dmy or len(iso) + len(dmy) < need:
        return None
    firsts = sum(1 for m in dmy if int(m.group(1)) > 12)
    seconds = sum(1 for m in dmy if int(m.group(3)) > 12)
    day_first = firsts >= seconds
    ambiguous = firsts == 0 and seconds == 0
    sep = dmy[0].group(2)
    part, label = _dmy_format(day_first, sep, len(dmy[0].group(4)) == 4)
    note = (
        f"ISO and {label} dates are mixed; every {label} value could be either way, read as "
        f"{AMBIGUOUS_DEFAULT}"
        if ambiguous
        else f"ISO and {label} dates are mixed: each value is read by the pattern it fits"
    )
    return DateFormat(
        "strptime",
        f"mixed: ISO and {label} ({'day-first' if day_first else 'month-first'})",
        ISO_PATTERNS + _with_times(part),
        ambiguous,
        note,
        examples=tuple(vals[:3]),
    )


def alternative_format(fmt: DateFormat) -> DateFormat | None:
    """For an ambiguous day/month format, the other reading (used to double-check a whole
    column when the sample could not decide)."""
    if fmt.kind != "strptime" or not fmt.formats or "%d" not in fmt.formats[-1]:
        return None
    base = fmt.formats[-1]
    if not base.startswith(("%d", "%m")):
        return None
    day_first = base.startswith("%m")  # the alternative of month-first is day-first

    def swap(f: str) -> str:
        if f.startswith("%Y"):
            return f  # the ISO patterns of a mixed column stay as they are
        return f.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")

    label = fmt.label.replace(" (day-first)", "").replace(" (month-first)", "")
    label = label.replace("DD", "\0").replace("MM", "DD").replace("\0", "MM")
    label += " (day-first)" if day_first else " (month-first)"
    return DateFormat("strptime", label, tuple(swap(f) for f in fmt.formats), False, "")
