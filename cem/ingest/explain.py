"""What detection decided about an upload, and why: one report for the page and the CLI.

:func:`detection_report` gathers, without writing anything, the detected (or given) kind and
its reason, how many header rows the file has, each column's role (or attribute type) with
its confidence and reason (a column without a role: what it is kept as, the words the page
shows), and the data-health warnings. ``python -m cem detect`` prints it
as JSON or text; the import page shows the same fields.
"""

from __future__ import annotations

import shlex
from typing import Any

from cem.ingest.detect import ATTRIBUTE, COMMENT_FIELD, IGNORE, LOW_CONFIDENCE, ROLE_LABELS
from cem.ingest.health import HealthWarning, health_check
from cem.ingest.mapping import Mapping
from cem.ingest.profile import profile_column
from cem.ingest.readers import Upload
from cem.ingest.vocab import MONEY_WORDS, NOT_SCORE_WORDS

NPS_QUESTION_MIN_DISTINCT = 6  # an 11-point answer scale shows several of its points


def role_label(role: str) -> str:
    """A role in words for the page (``comment_field`` -> ``further comment (searchable)``)."""
    if role == COMMENT_FIELD:
        return "further comment (searchable)"
    if role == ATTRIBUTE:
        return "attribute"
    if role == IGNORE:
        return "ignored"
    return " + ".join(ROLE_LABELS.get(r, r) for r in role.split(" + "))


def column_role_text(role: str, kept_as: str | None) -> str:
    """A column's role as the Import page and ``python -m cem detect`` both word it: a
    column without a role says what it is kept as.

    >>> column_role_text("attribute", "a rating (1-5)"), column_role_text("nps", None)
    ('kept as a rating (1-5)', 'NPS (0-10)')
    """
    if role == ATTRIBUTE and kept_as:
        return f"kept as {kept_as}"
    return role_label(role)


def possible_nps_columns(upload: Upload, mapping: Mapping) -> list[str]:
    """Columns that may be the NPS question although their header does not say so, for the
    page to ask (never to decide): whole numbers 0-10 (or 1-10) reaching 10, several points
    used, no role yet, not a count, id or amount. Empty when NPS is mapped already.

    Delighted's ``Score`` and a bare ``Likelihood`` are such columns; a star rating (1-5) or
    a count of visits is not.
    """
    if mapping.kind != "responses" or "nps" in mapping.roles:
        return []
    out = []
    for col in upload.columns:
        if mapping.role_of(col) != ATTRIBUTE:
            continue
        p = profile_column(str(col), upload.sample[col])
        if (
            p.integer
            and p.vmin is not None
            and p.vmax == 10
            and p.vmin >= 0
            and p.distinct >= NPS_QUESTION_MIN_DISTINCT
            and not NOT_SCORE_WORDS.search(p.norm)
            and not MONEY_WORDS.search(p.norm)
        ):
            out.append(str(col))
    return out


def upload_warnings(upload: Upload, mapping: Mapping) -> list[HealthWarning]:
    """The data-health warnings of an upload under a mapping."""
    return health_check(upload.sample, mapping.roles, mapping.date_formats)


def detection_report(upload: Upload, mapping: Mapping) -> dict[str, Any]:
    """The JSON-able report (see the module docstring); ``roles`` maps role -> column."""
    guesses = {g.column: g for g in mapping.guesses}
    columns = []
    for col in upload.columns:
        role = mapping.role_of(col)
        g = guesses.get(col)
        matches = g is not None and g.role in role.split(" + ")
        attribute_type = g.dtype if g is not None else None
        confidence = (
            g.confidence
            if matches and g is not None
            else (1.0 if role not in (ATTRIBUTE, IGNORE, COMMENT_FIELD) else 0.0)
        )
        reason = (
            g.why
            if matches and g is not None
            else "chosen by you or saved with an earlier file"
            if role not in (ATTRIBUTE, IGNORE, COMMENT_FIELD)
            else (g.why if g is not None else "")
        )
        columns.append(
            {
                "name": col,
                "role": role,
                "type": attribute_type,
                "kept_as": (g.kept_as or None) if role == ATTRIBUTE and g is not None else None,
                "confidence": round(float(confidence), 2),
                "reason": reason,
                "please_check": role not in (ATTRIBUTE, IGNORE, COMMENT_FIELD)
                and confidence < LOW_CONFIDENCE,
            }
        )
    return {
        "file": upload.file_name,
        "kind": mapping.kind,
        "kind_reason": mapping.kind_reason or "chosen by you",
        "header_rows": getattr(upload, "header_rows", 1),
        "sheet": upload.sheet,
        "sheets": list(upload.sheets),
        "roles": dict(mapping.roles),
        "constants": dict(mapping.constants),
        "comment_fields": list(mapping.comment_fields),
        "date_formats": {c: f.label for c, f in mapping.date_formats.items()},
        "columns": columns,
        "notes": list(mapping.notes)
        + [
            f"“{col}” holds whole numbers 0-10 but its header does not ask about "
            f"recommending: kept as a rating. If it is your NPS question, import with "
            f"--map {shlex.quote(f'nps={col}')}."
            for col in possible_nps_columns(upload, mapping)
        ],
        "warnings": [w.to_json() for w in upload_warnings(upload, mapping)],
    }


def report_text(report: dict[str, Any]) -> str:
    """The report as plain text (the CLI's ``--format text``)."""
    lines = [
        f"{report['file']}: {report['kind']} ({report['kind_reason']})",
        f"header rows: {report['header_rows']}"
        + (
            f"; sheet “{report['sheet']}” of {', '.join(report['sheets'])}"
            if report["sheet"]
            else ""
        ),
        "",
        "columns:",
    ]
    for c in report["columns"]:
        mark = "  ⚠ please check" if c["please_check"] else ""
        has_role = c["role"] not in (ATTRIBUTE, IGNORE)  # the page shows no confidence then
        confidence = f" ({c['confidence']:.0%})" if has_role else ""
        role = column_role_text(c["role"], c.get("kept_as"))
        lines.append(f"  {c['name']}: {role}{confidence} — {c['reason']}{mark}")
    if report["notes"]:
        lines += ["", "notes:"] + [f"  {n}" for n in report["notes"]]
    lines += ["", "data health:"]
    lines += [f"  ⚠ {w['message']}" for w in report["warnings"]] or ["  no problems found"]
    return "\n".join(lines)
