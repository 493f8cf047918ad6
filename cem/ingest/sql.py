"""The SQL generator of an import: typed expressions and validation checks per role.

Every role of a :class:`~cem.ingest.mapping.Mapping` becomes a SQL expression over the raw
text columns ``c0, c1, ...`` (never the user's column names), plus the checks whose failure
makes a row a reject with its reason. Values are bound parameters; the only literals written
into SQL are generated names, numbers and the fixed date patterns of :mod:`cem.ingest.dates`.
DuckDB's CSV reader and ``try_strptime`` have no Ibis equivalent, hence plain SQL here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cem.analytics.attributes import NUMERIC, TEXT, AttributeColumn
from cem.errors import MappingError
from cem.ingest.dates import DateFormat, date_sql
from cem.ingest.detect import (
    DATE_ROLES,
    FALSE_WORDS,
    MISSING_TOKENS,
    ROLE_LABELS,
    ROLES,
    SCORE_RANGES,
    TRUE_WORDS,
    is_question_header,
)
from cem.ingest.health import PLACEHOLDER_DATES, Remedies
from cem.ingest.mapping import ANSWER_ROLES, REQUIRED, Mapping, _date_format_for, _is_rating
from cem.ingest.readers import Upload
from cem.ingest.scales import (
    RATING_LABEL_SHARE,
    LikertScale,
    not_on_scale_sql,
    rank_sql,
    rating_scale,
)
from cem.ingest.vocab import MISSING_SPELLINGS


def _num(col: str, decimal_comma: bool = False) -> str:
    """SQL: a text column as DOUBLE (NULL when blank or not a number). Plain numbers take
    the fast cast; only the others are cleaned of currency signs and thousands separators.
    ``nan``/``inf`` are not numbers."""
    if decimal_comma:
        text = f"replace(replace(trim({col}), '.', ''), ',', '.')"
        value = f"TRY_CAST({text} AS DOUBLE)"
    else:
        cleaned = f"replace(regexp_replace(trim({col}), '^[£$€¥]\\s*|\\s*[£$€¥%]$', ''), ',', '')"
        value = (
            f"coalesce(TRY_CAST({col} AS DOUBLE), CASE WHEN {col} IS NOT NULL THEN "
            f"TRY_CAST({cleaned} AS DOUBLE) END)"
        )
    return f"CASE WHEN NOT isfinite({value}) THEN NULL ELSE {value} END"


def _as_written(col: str, dtype: str) -> str:
    """SQL: a value the reader typed, as text for a reject (a whole number without ``.0``).

    >>> _as_written("t_nps", "TIMESTAMP")
    'CAST(t_nps AS VARCHAR)'
    """
    if dtype != "DOUBLE":
        return f"CAST({col} AS VARCHAR)"
    return (
        f"CASE WHEN {col} = floor({col}) AND abs({col}) < 1e15 THEN "
        f"CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"
    )


def _finite(col: str) -> str:
    """SQL: a DOUBLE column, NULL where it is not finite (``inf``)."""
    return f"CASE WHEN isfinite({col}) THEN {col} END"


WIDE_ATTRIBUTES = 64  # more attribute columns than this are typed as lists (see _role_plan)
MISSING_SQL = "(" + ", ".join("'" + t + "'" for t in sorted(MISSING_TOKENS)) + ")"
LONGEST_TOKEN = max(len(t.encode()) for t in MISSING_TOKENS)  # bytes


def _trimmed(col: str) -> str:
    """SQL: a text column without surrounding spaces, NULL when blank or a missing-value
    token (``NA``, ``N/A``, ``NULL``, ``-``, ...), however it is spelled. Only values that
    start or end with a space pay for ``trim``, only short ones (at most
    ``LONGEST_TOKEN`` bytes) are looked up: most values are neither.

    >>> _trimmed("c0")  # doctest: +ELLIPSIS
    "CASE WHEN prefix(c0, ' ') OR suffix(c0, ' ') THEN CASE WHEN lower(trim(c0)) IN (...)..."
    """
    spaced = (
        f"CASE WHEN lower(trim({col})) IN {MISSING_SQL} THEN NULL ELSE NULLIF(trim({col}), '') END"
    )
    return (
        f"CASE WHEN prefix({col}, ' ') OR suffix({col}, ' ') THEN {spaced} "
        f"WHEN strlen({col}) <= {LONGEST_TOKEN} AND lower({col}) IN {MISSING_SQL} THEN NULL "
        f"ELSE NULLIF({col}, '') END"
    )


def _blank(col: str) -> str:
    """SQL: the cell is blank or a missing-value token, however the source spelled it (the
    import asks only of cells whose typed value is NULL, so every token is looked up)."""
    return f"({_trimmed(col)} IS NULL)"


def _date(col: str, fmt: DateFormat) -> str:
    v = _trimmed(col)
    if (special := date_sql(v, fmt)) is not None:  # ISO with offsets, month names
        return special
    if fmt.kind == "iso":
        return f"TRY_CAST({v} AS TIMESTAMP)"
    if fmt.kind == "excel":
        x = f"TRY_CAST({v} AS DOUBLE)"
        return (
            f"CASE WHEN {x} BETWEEN 1 AND 2958465 THEN TIMESTAMP '1899-12-30' + "
            f"to_microseconds(CAST(round({x} * 86400000000) AS BIGINT)) END"
        )
    formats = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in fmt.formats) + "]"
    return f"try_strptime({v}, {formats})"


def _decimal_comma(upload: Upload, column: str) -> bool:
    if upload.delimiter == ",":
        return False
    vals = [str(v).strip() for v in upload.sample[column] if v is not None]
    comma = sum(1 for v in vals if re.fullmatch(r"-?[£$€]?\s*\d{1,3}(\.\d{3})*,\d+", v))
    dot = sum(1 for v in vals if re.fullmatch(r"-?[£$€]?\s*\d+\.\d+", v))
    return comma > 0 and dot == 0


@dataclass
class _Check:
    column: str | None  # the file's column name (reported); None for a whole row
    sql_col: str  # c<i>: its raw text is kept (for invalid cells only) as the reject's value
    bad: str  # SQL condition over the typed row: this cell is invalid
    reason: str
    value: str | None = None  # SQL over the typed table: the reject's value (else __v_<sql_col>)

    @property
    def value_sql(self) -> str:
        """SQL over the typed table: the invalid cell as the reject shows it."""
        return self.value or f"__v_{self.sql_col}"


@dataclass
class _Attribute:
    name: str  # the file's column name
    text: str  # x<k>: the trimmed text (NULL when blank)
    number: str | None  # n<k>: the number, for columns whose sample is all numbers


@dataclass
class _Plan:
    typed: dict[str, str]  # t_<role> / x<k> / n<k> -> SQL expression over the raw columns
    final: dict[str, str]  # table column -> SQL expression over the typed values
    params: list[Any]  # bound values in ``final`` (constants), in order of appearance
    checks: list[_Check]  # per-cell checks, evaluated while typing
    late_checks: list[_Check]  # checks across rows (window), evaluated over the typed table
    attributes: list[_Attribute]
    scales: dict[str, LikertScale] = field(default_factory=dict)  # verbal scales -> ratings
    reader_types: dict[str, str] = field(default_factory=dict)  # c<i> the reader types itself

    @property
    def stored(self) -> dict[str, str]:
        """What the typed table keeps of each role that has a value: ``t_<role>`` -> its
        final value (SQL over the typed values; a constant is a bound parameter, in
        :attr:`params` order)."""
        return {f"t_{role}": expr for role, expr in self.final.items() if expr != "NULL"}

    def column(self, role: str) -> str:
        """SQL over the typed table: the role's value (``NULL`` when it has none)."""
        return f"t_{role}" if f"t_{role}" in self.stored else "NULL"

    @property
    def row_bit(self) -> int:
        """The bit of ``__bad`` that marks a row failing a check across cells or rows (the
        bits below it are the cell checks, in :attr:`checks` order)."""
        return 1 << len(self.checks)

    @property
    def kept_text_columns(self) -> list[str]:
        """The raw text columns whose invalid cells the typed table keeps (``__v_c<i>``): a
        column the reader typed has its reject's value in its typed column."""
        return [c for c in self.checked_columns if c not in self.reader_types]

    @property
    def checked_columns(self) -> list[str]:
        """The raw columns whose invalid cells are kept for the rejects (``c<i>``)."""
        return sorted({ch.sql_col for ch in self.checks}, key=lambda c: int(c[1:]))


def placeholder_sql(t: str) -> str:
    """SQL: the timestamp ``t`` is a placeholder date (see :mod:`cem.ingest.health`)."""
    days = ", ".join(f"DATE '{d}'" for d in PLACEHOLDER_DATES)
    return f"(CAST({t} AS DATE) IN ({days}) OR year({t}) >= 9999)"


def _role_plan(
    upload: Upload,
    mapping: Mapping,
    numeric: set[str],
    remedies: Remedies | None = None,
    native: dict[str, str] | None = None,
) -> _Plan:
    """Typed expressions (computed once, into a typed table straight from the file) and the
    validation checks over them, for every role of the mapping. ``numeric``: the attribute
    columns whose sample is all numbers (they get a number besides their text). ``remedies``
    the user chose: placeholder dates read as missing, exact duplicate rows excluded.
    ``native``: the columns the CSV reader types itself (:func:`_native_columns`: column ->
    DOUBLE or TIMESTAMP); their cells arrive typed, so only blanks and ranges are checked
    (a cell the reader cannot type makes the import read the file again without them)."""
    remedies = remedies or Remedies()
    native = native or {}
    kind = mapping.kind
    idx = {c: f"c{i}" for i, c in enumerate(upload.columns)}
    reader_types = {idx[col]: dtype for col, dtype in native.items()}
    typed: dict[str, str] = {}
    final: dict[str, str] = {}
    params: list[Any] = []
    checks: list[_Check] = []
    late: list[_Check] = []
    for role in ROLES[kind]:
        col = mapping.roles.get(role)
        label = ROLE_LABELS[role]
        t = f"t_{role}"
        if col is None:
            if role in mapping.constants:
                final[role] = f"CAST({_param(params, mapping.constants[role])} AS VARCHAR)"
            else:
                final[role] = "NULL"
            continue
        c = idx[col]
        # A cell is looked at again only where its typed value is NULL (CASE, unlike AND
        # in a projection, evaluates the token test on those rows only).
        blank = _blank(c)
        unreadable = f"CASE WHEN {t} IS NULL THEN NOT {blank} ELSE false END"
        missing = f"CASE WHEN {t} IS NULL THEN {blank} ELSE false END"
        value = None
        if c in reader_types:  # typed by the reader: NULL is a blank, inf no date
            unreadable = f"NOT isfinite({c})"
            missing = f"({c} IS NULL)"
            value = _as_written(t, reader_types[c])
        if role in SCORE_RANGES:
            lo, hi = SCORE_RANGES[role]
            typed[t] = c if c in reader_types else _num(c)
            final[role] = t  # kept as read; whole and in range where valid (the view's type)
            verbal = upload.read_as_ranks.get(col)
            not_a_score = (
                f"not an answer of the {role.upper()} scale "
                f"({verbal.labels[0]} … {verbal.labels[-1]}, or {lo}-{hi})"
                if verbal is not None
                else f"{role.upper()} is not a number"
            )
            if c not in reader_types:  # a typed score is a number (inf: out of range)
                checks.append(_Check(col, c, unreadable, not_a_score, value))
            checks.append(
                _Check(
                    col,
                    c,
                    f"({t} <> floor({t}) OR {t} < {lo} OR {t} > {hi})",
                    f"{role.upper()} must be a whole number from {lo} to {hi}",
                    value,
                )
            )
        elif role in DATE_ROLES:
            fmt = mapping.date_formats.get(col) or _date_format_for(upload, col)
            if fmt is None:
                raise MappingError(f"Column “{col}” does not look like dates; choose another.")
            mapping.date_formats[col] = fmt
            typed[t] = c if c in reader_types else _date(c, fmt)
            final[role] = t
            checks.append(
                _Check(col, c, unreadable, f"not a date in the format {fmt.label}", value)
            )
            if remedies.placeholder_dates_missing:
                final[role] = f"CASE WHEN {placeholder_sql(t)} THEN NULL ELSE {t} END"
                if role in REQUIRED[kind]:
                    checks.append(
                        _Check(
                            col,
                            c,
                            f"coalesce({placeholder_sql(t)}, false)",
                            f"a placeholder date, treated as missing: {label} is required",
                        )
                    )
        elif role == "churned":
            trues = ", ".join("'" + w + "'" for w in sorted(TRUE_WORDS))
            falses = ", ".join("'" + w + "'" for w in sorted(FALSE_WORDS))
            typed[t] = (
                f"CASE WHEN lower(trim({c})) IN ({trues}) THEN true "
                f"WHEN lower(trim({c})) IN ({falses}) THEN false END"
            )
            final[role] = t
            checks.append(_Check(col, c, unreadable, "not a yes/no value"))
        elif role == "revenue":
            typed[t] = _num(c, _decimal_comma(upload, col))
            final[role] = t
            checks.append(_Check(col, c, unreadable, "revenue is not a number"))
        else:
            typed[t] = _trimmed(c)
            final[role] = t
        if role in REQUIRED[kind]:
            checks.append(_Check(col, c, missing, f"missing {label}", value))
    if kind == "customers" and mapping.roles.get("customer_id"):
        # One row per customer: a later row with the same id is rejected, naming the reason
        # (the first one is kept, so re-exports with repeated rows still load cleanly).
        late.append(
            _Check(
                mapping.roles["customer_id"],
                "t_customer_id",
                "(t_customer_id IS NOT NULL AND row_number() OVER "
                "(PARTITION BY t_customer_id ORDER BY rowid) > 1)",
                "the same customer id is on an earlier row of this file",
            )
        )
    attrs: list[_Attribute] = []
    scales: dict[str, LikertScale] = {}
    columns = mapping.attribute_columns(upload.columns)
    plain: list[str] = []  # a wide file's plain columns: typed by one list expression
    for k, col in enumerate(columns):
        c = idx[col]
        typed[f"x{k}"] = _trimmed(c)
        number = None
        scale = None if col in numeric else rating_scale(list(upload.sample[col]))
        if scale is not None:  # Likert labels: a rating 1..k; "Don't know" is missing
            scales[col] = scale
            typed[f"x{k}"] = f"CASE WHEN {not_on_scale_sql(c)} THEN NULL ELSE {_trimmed(c)} END"
            number = f"n{k}"
            typed[number] = rank_sql(c, scale)
        elif len(columns) > WIDE_ATTRIBUTES and not _decimal_comma(upload, col):
            del typed[f"x{k}"]
            plain.append(c)
            j = len(plain)
            number = f"__ns[{j}]" if col in numeric else None
            attrs.append(_Attribute(col, f"__xs[{j}]", number))
            continue
        elif c in reader_types:  # a number in every cell (else the file is read again)
            del typed[f"x{k}"]
            number = f"n{k}"
            typed[number] = _finite(c)
            attrs.append(_Attribute(col, number, number))
            continue
        elif col in numeric:
            number = f"n{k}"
            typed[number] = _num(c, _decimal_comma(upload, col))
        attrs.append(_Attribute(col, f"x{k}", number))
    if plain:  # one expression for all (DuckDB plans thousands of per-column ones slowly)
        raw = "[" + ", ".join(plain) + "]"
        typed["__xs"] = f"list_transform({raw}, lambda v: {_trimmed('v')})"
        typed["__ns"] = f"list_transform({raw}, lambda v: {_num('v')})"
    preview_col = remedies.exclude_previews_in
    if preview_col and preview_col in idx:
        c = idx[preview_col]
        checks.append(
            _Check(
                preview_col,
                c,
                f"coalesce(lower(trim({c})) = 'preview', false)",
                "a survey preview, not a customer's response: excluded as you chose",
            )
        )
    if remedies.exclude_duplicates and typed:
        late.append(
            _Check(
                None,
                "NULL::VARCHAR",
                f"(row_number() OVER (PARTITION BY {', '.join(typed)} ORDER BY rowid) > 1)",
                "an exact copy of an earlier row: excluded (you chose to exclude duplicates)",
            )
        )
    return _Plan(typed, final, params, checks, late, attrs, scales, reader_types)


def _param(params: list[Any], value: Any) -> str:
    params.append(value)
    return "?"


def _numeric_in_sample(cur: Any, upload: Upload, columns: list[str]) -> set[str]:
    """The columns whose sample values all read as numbers (with the import's own SQL): only
    they can be numeric over the whole file, so only they are typed as numbers too. One
    query over the sample in long form (column number, decimal comma, value), however wide."""
    if not columns:
        return set()
    numbers: list[int] = []
    commas: list[bool] = []
    values: list[str | None] = []
    for k, col in enumerate(columns):
        comma = _decimal_comma(upload, col)
        for value in upload.sample[col]:
            numbers.append(k)
            commas.append(comma)
            values.append(None if value is None else str(value))
    v = "s"
    rows = cur.execute(
        f"SELECT k, count(NULLIF(trim({v}), '')) = count(CASE WHEN dc THEN {_num(v, True)} "
        f"ELSE {_num(v)} END) FROM (SELECT unnest(?::INTEGER[]) AS k, "
        "unnest(?::BOOLEAN[]) AS dc, unnest(?::VARCHAR[]) AS s) GROUP BY k",
        [numbers, commas, values],
    ).fetchall()
    ok = {int(k) for k, same in rows if same}
    return {col for k, col in enumerate(columns) if k in ok}


def _native_columns(
    cur: Any, upload: Upload, mapping: Mapping, numeric: set[str], remedies: Remedies | None
) -> dict[str, str]:
    """The columns of a CSV file that DuckDB's reader can type itself: scores and numeric
    attributes whose every sample cell is a plain number (DOUBLE), and dates in plain ISO
    form (TIMESTAMP). Reading them typed is the cheapest parse there is (reading every cell
    as text and casting it costs about a third more at 10M rows); a cell the reader then
    cannot type makes the import read the file again as text (:func:`_read_typed` raises
    :class:`ReaderCastError`). Columns read as scale ranks, with anchored labels, with a
    decimal comma, or checked as previews stay text."""
    if upload.format != "csv":
        return {}
    skip = set(upload.read_as_ranks) | set(upload.anchored)
    if remedies is not None and remedies.exclude_previews_in:
        skip.add(remedies.exclude_previews_in)
    placeholders = remedies is not None and remedies.placeholder_dates_missing
    wanted: dict[str, str] = {}
    for role, col in mapping.roles.items():
        if col is None or col in skip:
            continue
        if role in SCORE_RANGES:
            wanted[col] = "DOUBLE"
        elif role in DATE_ROLES and not placeholders:
            fmt = mapping.date_formats.get(col) or _date_format_for(upload, col)
            if fmt is not None and fmt.kind == "iso":
                wanted[col] = "TIMESTAMP"
    attributes = mapping.attribute_columns(upload.columns)
    if len(attributes) <= WIDE_ATTRIBUTES:
        for col in attributes:
            if col in numeric and col not in skip and not _decimal_comma(upload, col):
                wanted[col] = "DOUBLE"
    if not wanted:
        return {}
    names, types, values = [], [], []
    for col, dtype in wanted.items():
        for value in upload.sample[col]:
            text = None if value is None else str(value)
            if text is None or text == "" or text in MISSING_SPELLINGS:
                continue  # the reader makes these NULL
            names.append(col)
            types.append(dtype)
            values.append(text)
    if not names:
        return wanted
    failed = {
        str(col)
        for (col,) in cur.execute(
            "SELECT DISTINCT c FROM (SELECT unnest(?::VARCHAR[]) AS c, unnest(?::VARCHAR[]) AS t, "
            "unnest(?::VARCHAR[]) AS v) WHERE (t = 'DOUBLE' AND TRY_CAST(v AS DOUBLE) IS NULL) "
            "OR (t = 'TIMESTAMP' AND TRY_CAST(v AS TIMESTAMP) IS NULL)",
            [names, types, values],
        ).fetchall()
    }
    return {col: dtype for col, dtype in wanted.items() if col not in failed}


def _attribute_stats(
    cur: Any, plan: _Plan, typed: str
) -> tuple[list[AttributeColumn], set[str], list[str]]:
    """Describe every attribute column over the whole file (from the typed table): numeric
    if every non-blank value is a number; min/max; distinct values; and which are ratings
    (whole numbers from 0 up to 4-10, at least three values), with ``zero_means_na``. A
    verbal scale stays a rating when at least 95% of its answers are labels: the notes
    say how many others read as no answer."""
    if not plan.attributes:
        return [], set(), []
    parts = []
    listed = [a for a in plan.attributes if a.text.startswith("__xs[")]
    for a in plan.attributes:
        if a in listed:
            continue
        n = a.number or "NULL::DOUBLE"
        parts.append(
            f"count({a.text}), count({n}), min({n}), max({n}), "
            f"count(*) FILTER (WHERE {n} <> floor({n})), approx_count_distinct({a.text})"
        )
    by_name: dict[str, tuple[Any, ...]] = {}
    if parts:
        row = cur.execute(f"SELECT {', '.join(parts)} FROM {typed}").fetchall()[0]
        others = [a for a in plan.attributes if a not in listed]
        by_name = {a.name: tuple(row[k * 6 : k * 6 + 6]) for k, a in enumerate(others)}
    if listed:  # the wide file's list-typed columns: one grouped scan of the lists
        for k, *stats in cur.execute(
            "SELECT k, count(x), count(n), min(n), max(n), count(*) FILTER (WHERE n <> floor(n)),"
            " approx_count_distinct(x) FROM (SELECT unnest(range(1, len(__xs) + 1)) AS k, "
            f"unnest(__xs) AS x, unnest(__ns) AS n FROM {typed}) GROUP BY k"
        ).fetchall():
            a = listed[int(k) - 1]  # a column not numeric in the sample has no number
            numbers = stats[1:5] if a.number is not None else [0, None, None, 0]
            by_name[a.name] = (stats[0], *numbers, stats[5])
    row = [v for a in plan.attributes for v in by_name[a.name]]
    out = []
    ratings = set()
    notes = []
    for k, a in enumerate(plan.attributes):
        nonblank, numeric, vmin, vmax, fractional, distinct = row[k * 6 : k * 6 + 6]
        is_num = nonblank > 0 and numeric == nonblank
        scale = plan.scales.get(a.name)
        if scale is not None and numeric and numeric < nonblank:
            is_num = numeric >= RATING_LABEL_SHARE * nonblank
            stray = nonblank - numeric
            notes.append(
                f"“{a.name}”: {stray:,} of {nonblank:,} answers are not labels of its scale, "
                f"{scale.describe()}: "
                + ("read as no answer." if is_num else "so it is kept as text.")
            )
        integer = is_num and fractional == 0
        rating = bool(is_num and _is_rating(vmin, vmax, integer, int(distinct or 0)))
        if rating:
            ratings.add(a.name)
        out.append(
            AttributeColumn(
                a.name,
                a.number if is_num and a.number else a.text,
                NUMERIC if is_num else TEXT,
                float(vmin) if is_num else None,
                float(vmax) if is_num else None,
                bool(rating and vmin == 0 and vmax in (5, 10)),
                int(distinct or 0),
            )
        )
    return out, ratings, notes


def _answer_condition(
    mapping: Mapping, plan: _Plan, attributes: list[AttributeColumn], ratings: set[str]
) -> str | None:
    """Responses: SQL over the typed row, "this row has an answer" (a score, a comment, a
    further comment field, a rating, or any answer to a column headed as a question; a 0 in
    a zero-means-n/a rating is no answer). ``None`` for other kinds."""
    if mapping.kind != "responses":
        return None
    parts = [f"t_{r} IS NOT NULL" for r in ANSWER_ROLES if r in mapping.roles]
    for a in attributes:
        if a.name in ratings:
            parts.append(
                f"coalesce({a.column}, 0) <> 0" if a.zero_means_na else f"{a.column} IS NOT NULL"
            )
        elif a.name in mapping.comment_fields or is_question_header(a.name):
            parts.append(f"{a.column} IS NOT NULL")  # free text, or the answer to a question
    return "(" + " OR ".join(parts) + ")" if parts else "false"
