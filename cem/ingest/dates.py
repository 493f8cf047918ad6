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
- Month names in English, Spanish, French, German, Danish and Portuguese, day first
  (``13. november 2023``, ``3 de marzo de 2024``, ``3 mars 2024``, ``3. März 2024``, with an
  optional time) are read by :func:`worded_sql` (kind ``'worded'``).
- ISO times with a UTC offset (``2024-03-01T10:00:00+02:00``, ``...Z``, ``... UTC``,
  ``2024-03-01 10:00:00 +0200``) are
  **normalised to UTC** (kind ``'iso_utc'``: ``08:00`` here); ISO times without an offset
  are kept as written (local time of the export).
- Durations (``0:42:10``, ``12:05``) are never dates.

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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

AMBIGUOUS_DEFAULT = "day-first"
MIN_SHARE = 0.8  # share of non-blank sample values that must fit one format

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)?"
_ISO = re.compile(  # groups: year, month, day, hour, minute, second, fraction, offset
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"(?:Z| ?UTC| ?([+-])(\d{2})(?::?(\d{2}))?)?$"
)
# An offset after the time, also after a space (``2024-01-01 10:00:00 -0500``, as Delighted
# and Shopify export). Not Z: that is UTC.
_OFFSET = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)? ?[+-]\d{2}(?::?\d{2})?$")
_OFFSET_SQL = "(Z| ?UTC| ?[+-][0-9]{2}(:?[0-9]{2})?)$"
_SPACED_OFFSET_SQL = " ([+-][0-9]{2}(:?[0-9]{2})?)$"  # DuckDB reads the offset only unspaced
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
    ``'excel'`` (serial day numbers) or ``'epoch'`` (Unix time; ``formats`` holds the unit).
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


def _month_label(fmt: str) -> str:
    """``%b %d, %Y`` -> ``Mon D, YYYY``."""
    label = fmt.replace("%d", "D").replace("%b", "Mon").replace("%B", "Month")
    return label.replace("%Y", "YYYY").replace("%y", "YY")


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


_DIGIT = re.compile(r"\d")


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
    if sum(1 for v in vals if _DIGIT.search(v)) < need:
        return None  # every date format has digits (a day, a year or a serial)

    iso = [v for v in vals if _ISO.match(v)]
    if len(iso) >= need:
        if any(_OFFSET.search(v) for v in iso):
            return DateFormat(
                "iso_utc",
                "ISO with UTC offsets (read as UTC)",
                note="times with an offset (+02:00, Z) are converted to UTC",
                examples=tuple(vals[:3]),
            )
        timed = any(re.search(r"[T ]\d{1,2}:\d{2}", v) for v in iso)
        label = "ISO (YYYY-MM-DD hh:mm)" if timed else "ISO (YYYY-MM-DD)"  # as it reads
        return DateFormat("iso", label, examples=tuple(vals[:3]))

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
    english = sum(1 for v in vals if _TEXT_MONTH.search(v)) >= need
    used: list[str] = []
    ok = 0
    for v in vals if english else ():
        for fmt in _TEXT_MONTH_FORMATS:  # each value by the first pattern it fits
            try:
                datetime.strptime(v, fmt)
            except ValueError:
                continue
            ok += 1
            if fmt not in used:
                used.append(fmt)
            break
    if used and ok >= need:
        label = " / ".join(dict.fromkeys(_month_label(f) for f in used))
        formats = tuple(f for fmt in used for f in _with_times(fmt))
        return DateFormat("strptime", label, formats, examples=tuple(vals[:3]))

    worded = [m for v in vals if (m := _WORDED.match(_fold(v)))]
    if len(worded) >= need and sum(1 for m in worded if m.group(2) in MONTHS) >= need:
        return DateFormat(
            "worded",
            "D month YYYY (month names)" + (" hh:mm" if any(m.group(4) for m in worded) else ""),
            examples=tuple(vals[:3]),
        )

    mixed = _mixed_format(vals, need)
    if mixed is not None:
        return mixed

    if allow_serial:
        serial = [float(v) for v in vals if _SERIAL.match(v)]
        if len(serial) >= need and all(20000 <= s <= 80000 for s in serial):
            return DateFormat("excel", EXCEL_SERIAL.label, examples=tuple(vals[:3]))
        epoch = epoch_unit(vals)
        if epoch is not None:
            return DateFormat(
                "epoch",
                f"Unix time ({EPOCH_UNITS[epoch][1]} since 1970, UTC)",
                (epoch,),
                examples=tuple(vals[:3]),
            )
    return None


# Unix time: (the unit's size in seconds, its name), by unit code.
EPOCH_UNITS = {"s": (1, "seconds"), "ms": (1e-3, "milliseconds"), "us": (1e-6, "microseconds")}
_EPOCH = re.compile(r"^\d{10}(\d{3}|\d{6})?(\.\d+)?$")
_EPOCH_RANGE = (946684800, 2524608000)  # 2000-01-01 .. 2050-01-01, in seconds


def epoch_unit(values: list[str]) -> str | None:
    """``'s'``, ``'ms'`` or ``'us'`` when every value is Unix time in that unit between 2000
    and 2050 (Mixpanel's ``time``, GA4's ``event_timestamp``), else None. Only asked for
    columns whose header says they hold times.

    >>> epoch_unit(["1717200000", "1717200097"]), epoch_unit(["1717200000123456"])
    ('s', 'us')
    >>> epoch_unit(["1717200000", "42"]), epoch_unit(["0171720000"])
    (None, None)
    """
    units = set()
    for v in values:
        if not _EPOCH.match(v):
            return None
        digits = len(v.split(".")[0])
        unit = {10: "s", 13: "ms", 16: "us"}[digits]
        seconds = float(v) * EPOCH_UNITS[unit][0]
        if not _EPOCH_RANGE[0] <= seconds <= _EPOCH_RANGE[1]:
            return None
        units.add(unit)
    return units.pop() if len(units) == 1 else None


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


# Month names (folded: lower case, no accents) in en/es/fr/de/da/pt/it/nl, with abbreviations.
_MONTH_WORDS: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "enero", "ene", "janvier", "janv", "januar", "janner", "janeiro")
    + ("gennaio", "gen", "januari"),
    ("february", "feb", "febrero", "fevrier", "fevr", "fev", "februar", "fevereiro")
    + ("febbraio", "februari"),
    ("march", "mar", "marzo", "mars", "marz", "mrz", "marts", "marco", "maart", "mrt"),
    ("april", "apr", "abril", "abr", "avril", "avr", "aprile"),
    ("may", "mayo", "mai", "maj", "maio", "maggio", "mag", "mei"),
    ("june", "jun", "junio", "juin", "juni", "junho", "giugno", "giu"),
    ("july", "jul", "julio", "juillet", "juil", "juli", "julho", "luglio", "lug"),
    ("august", "aug", "agosto", "ago", "aout", "augustus"),
    ("september", "sep", "sept", "septiembre", "setiembre", "set", "septembre", "setembro")
    + ("settembre",),
    ("october", "oct", "octubre", "octobre", "oktober", "okt", "outubro", "out", "ottobre")
    + ("ott",),
    ("november", "nov", "noviembre", "novembre", "novembro"),
    ("december", "dec", "diciembre", "dic", "decembre", "dezember", "dez", "dezembro"),
)
MONTHS: dict[str, int] = {w: i + 1 for i, words in enumerate(_MONTH_WORDS) for w in words}
_WORDED = re.compile(
    r"^(\d{1,2})\.?\s+(?:de\s+)?([a-z]+)\.?,?\s+(?:de\s+)?(\d{4})"
    r"(?:,?\s+(?:kl\.?\s+|a las\s+|um\s+|a\s+|as\s+|at\s+)?(\d{1,2})[:h.](\d{2})(?::(\d{2}))?)?$"
)
_WORDED_SQL = (
    "^([0-9]{1,2})\\.?\\s+(de\\s+)?([a-z]+)\\.?,?\\s+(de\\s+)?([0-9]{4})"
    "(,?\\s+(kl\\.?\\s+|a las\\s+|um\\s+|a\\s+|as\\s+|at\\s+)?([0-9]{1,2})[:h.]([0-9]{2})"
    "(:([0-9]{2}))?)?$"
)


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.strip().lower())
    return re.sub(r"\s+", " ", "".join(ch for ch in s if not unicodedata.combining(ch)))


def parse_worded(text: str) -> datetime | None:
    """A day-first date with a month name (any of six languages), or None.

    >>> parse_worded("13. november 2023"), parse_worded("3 de marzo de 2024 14:05")
    (datetime.datetime(2023, 11, 13, 0, 0), datetime.datetime(2024, 3, 3, 14, 5))
    >>> parse_worded("3. März 2024"), parse_worded("31 février 2024")
    (datetime.datetime(2024, 3, 3, 0, 0), None)
    """
    m = _WORDED.match(_fold(text))
    if m is None or m.group(2) not in MONTHS:
        return None
    try:
        return datetime(
            int(m.group(3)),
            MONTHS[m.group(2)],
            int(m.group(1)),
            int(m.group(4) or 0),
            int(m.group(5) or 0),
            int(m.group(6) or 0),
        )
    except ValueError:
        return None


def parse_iso(text: str) -> datetime | None:
    """An ISO date or time (the forms :data:`_ISO` accepts) as a naive datetime; a time with
    an offset is converted to UTC, as the import does. None when it is not one.

    >>> parse_iso("2024-3-1"), parse_iso("2024-03-01T10:00:00+02:00")
    (datetime.datetime(2024, 3, 1, 0, 0), datetime.datetime(2024, 3, 1, 8, 0))
    >>> parse_iso("2024-03-01 10:00:00.5 UTC"), parse_iso("2024-02-30")
    (datetime.datetime(2024, 3, 1, 10, 0, 0, 500000), None)
    """
    m = _ISO.match(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = m.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), micro,
        )  # fmt: skip
    except ValueError:
        return None
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        moment = moment - offset if sign == "+" else moment + offset
    return moment


def date_sql(value_sql: str, fmt: DateFormat) -> str | None:
    """SQL for the kinds that need more than a cast or ``try_strptime`` (else None):

    - ``iso_utc``: a value with an offset is an instant, converted to UTC; one without is
      read as written;
    - ``worded``: day, month name and year (and a time) taken apart with a regular
      expression, the month name looked up, the parts put together and parsed (an
      impossible date such as 31 February is NULL, so a reject).
    """
    if fmt.kind == "iso_utc":
        unspaced = f"regexp_replace({value_sql}, '{_SPACED_OFFSET_SQL}', '\\1')"
        return (
            f"CASE WHEN regexp_matches({value_sql}, '{_OFFSET_SQL}') THEN "
            f"timezone('UTC', TRY_CAST({unspaced} AS TIMESTAMPTZ)) "
            f"ELSE TRY_CAST({value_sql} AS TIMESTAMP) END"
        )
    if fmt.kind == "epoch":
        size = EPOCH_UNITS[fmt.formats[0]][0]
        micros = f"CAST(round(TRY_CAST({value_sql} AS DOUBLE) * {size * 1e6:g}) AS BIGINT)"
        return (
            f"CASE WHEN TRY_CAST({value_sql} AS DOUBLE) BETWEEN {_EPOCH_RANGE[0] / size:.0f} "
            f"AND {_EPOCH_RANGE[1] / size:.0f} THEN make_timestamp({micros}) END"
        )
    if fmt.kind != "worded":
        return None
    folded = f"regexp_replace(lower(strip_accents(trim({value_sql}))), '\\s+', ' ', 'g')"
    names = "['d', 'g2', 'm', 'g4', 'y', 'g6', 'g7', 'hh', 'mi', 'g10', 'ss']"
    parts = f"regexp_extract({folded}, '{_WORDED_SQL}', {names})"
    whens = " ".join(f"WHEN '{w}' THEN '{n}'" for w, n in MONTHS.items())
    text = (
        f"printf('%s-%s-%s %s:%s:%s', p.y, CASE p.m {whens} END, p.d, "
        "coalesce(nullif(p.hh, ''), '0'), coalesce(nullif(p.mi, ''), '0'), "
        "coalesce(nullif(p.ss, ''), '0'))"
    )
    # One regexp per value: the parts are bound to ``p`` through a one-item list.
    return f"list_transform([{parts}], lambda p: try_strptime({text}, '%Y-%m-%d %H:%M:%S'))[1]"
