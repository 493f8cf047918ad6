"""The mapping model: which column of an upload plays which role, and how it was decided.

:func:`detect_mapping` proposes a mapping (the one saved for a file with the same columns in
the workspace, completed by detection, or detection alone); :func:`apply_overrides` applies the
user's choices (the page's editor, ``--map``/``--set``); :func:`check_mapping` refuses a
mapping that cannot load (a required role without a column), in words a browser user can act
on. Plain parameterised SQL reads/writes ``column_mappings``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cem.errors import InputError, MappingError
from cem.ingest.dates import DateFormat, detect_date_format
from cem.ingest.detect import (
    ATTRIBUTE,
    COMMENT_FIELD,
    DATE_ROLES,
    IGNORE,
    ROLE_LABELS,
    ROLES,
    ColumnGuess,
    detect_kind,
    detect_roles,
    fallback_touchpoint,
    normalise_header,
)
from cem.ingest.readers import Upload
from cem.ingest.scales import rating_scale
from cem.ingest.verbal_scores import verbal_score_hints, verbal_score_scales
from cem.store.db import Database

if TYPE_CHECKING:  # the page's tables (pandas loads only when one is asked for)
    import pandas as pd

NO_COLUMN = "(none)"  # the mapping editor's "no column" choice
CONSTANT_ROLES = frozenset({"channel", "touchpoint", "stage", "segment", "persona"})
REQUIRED: dict[str, tuple[str, ...]] = {
    "responses": (),
    "events": ("customer_id", "occurred_at", "touchpoint"),
    "customers": ("customer_id",),
}
ANSWER_ROLES = ("nps", "csat", "ces", "comment")


@dataclass
class Mapping:
    """Which column plays which role, for one kind of data.

    ``roles`` maps a role to a column name; ``constants`` gives a value for a role the file
    lacks; ``ignored`` columns are not loaded at all; every other column is an attribute.
    ``guesses`` keeps detection's per-column reasons for the page.
    """

    kind: str
    roles: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    date_formats: dict[str, DateFormat] = field(default_factory=dict)
    guesses: list[ColumnGuess] = field(default_factory=list)
    source: str = "detected"  # 'detected' | 'saved' | 'edited'
    notes: list[str] = field(default_factory=list)
    comment_fields: list[str] = field(default_factory=list)  # further free text (searchable)
    kind_reason: str = ""  # why this kind was detected ("" when the user chose it)
    saved_from: str | None = None  # the file whose saved mapping is reused

    def role_of(self, column: str) -> str:
        """The role(s) of a column (``'channel + touchpoint'``), ``attribute`` or ``ignore``."""
        roles = [r for r, c in self.roles.items() if c == column]
        if roles:
            return " + ".join(roles)
        if column in self.comment_fields:
            return COMMENT_FIELD
        return IGNORE if column in self.ignored else ATTRIBUTE

    def attribute_columns(self, columns: list[str]) -> list[str]:
        """Columns kept as attributes (no role, not ignored)."""
        used = set(self.roles.values()) | set(self.ignored)
        return [c for c in columns if c not in used]

    def to_json(self) -> dict[str, Any]:
        """JSON-able form, stored with the import and in ``column_mappings``."""
        return {
            "kind": self.kind,
            "roles": dict(self.roles),
            "constants": dict(self.constants),
            "ignored": list(self.ignored),
            "date_formats": {c: f.to_json() for c, f in self.date_formats.items()},
            "comment_fields": list(self.comment_fields),
        }

    def summary(self) -> str:
        """One line: ``nps=NPS_SCORE, submitted_at=Date (DD/MM/YYYY), touchpoint='purchase'``."""
        parts = []
        for role in ROLES[self.kind]:
            if role in self.roles:
                col = self.roles[role]
                fmt = self.date_formats.get(col)
                parts.append(f"{role}={col}" + (f" ({fmt.label})" if fmt else ""))
            elif role in self.constants:
                parts.append(f"{role}='{self.constants[role]}'")
        return ", ".join(parts) or "(no roles)"

    def editor_frame(self, upload: Upload) -> pd.DataFrame:
        """One row per role of the kind: the column used, or a constant (for the page)."""
        rows = []
        for role in ROLES[self.kind]:
            col = self.roles.get(role)
            guess = next((g for g in self.guesses if g.column == col), None)
            fmt = self.date_formats.get(col) if col else None
            rows.append(
                {
                    "role": role,
                    "meaning": ROLE_LABELS[role]
                    + (" (required)" if role in REQUIRED[self.kind] else ""),
                    "column": col or NO_COLUMN,
                    "constant": self.constants.get(role, ""),
                    "date format": fmt.label if fmt else "",
                    "why": (
                        guess.why
                        if guess and guess.role == role
                        else "no touchpoint column: the channel column is used"
                        if guess and role == "touchpoint" and guess.role == "channel"
                        else "chosen by you"
                        if col
                        else ""
                    ),
                }
            )
        import pandas as pd

        return pd.DataFrame(rows)

    def columns_frame(self, upload: Upload) -> pd.DataFrame:
        """One row per file column: its role, confidence, reason and sample values."""
        rows = []
        guesses = {g.column: g for g in self.guesses}
        for col in upload.columns:
            g = guesses.get(col)
            role = self.role_of(col)
            values = [str(v) for v in list(upload.sample[col])[:50] if v is not None]
            examples = ", ".join(list(dict.fromkeys(values))[:3])
            rows.append(
                {
                    "column": col,
                    "role": role,
                    "confidence": g.confidence if g and g.role in role.split(" + ") else None,
                    "why": g.why
                    if g and g.role in role.split(" + ")
                    else (
                        "chosen by you" if role not in (ATTRIBUTE, IGNORE) else (g.why if g else "")
                    ),
                    "examples": examples[:80],
                }
            )
        import pandas as pd

        return pd.DataFrame(rows)


def columns_signature(columns: list[str]) -> str:
    """Identifies a file layout: the sorted, normalised column names, hashed.

    >>> columns_signature(["NPS", "Date"]) == columns_signature([" date", "nps"])
    True
    """
    key = "\x1f".join(sorted(normalise_header(c) or c.strip().lower() for c in columns))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _date_format_for(upload: Upload, column: str) -> DateFormat | None:
    norm = normalise_header(column)
    hint = bool(re.search(r"\b(date|time|ts|ds|day|since|at|on|when|seen|timestamp|dt)\b", norm))
    return detect_date_format(list(upload.sample[column]), allow_serial=hint or True)


def detect_mapping(
    upload: Upload,
    kind: str | None = None,
    db: Database | None = None,
    workspace: str | None = None,
) -> Mapping:
    """Propose a mapping: the one saved for this layout in the workspace (completed by
    detection, never silently losing a role), else detection. ``kind=None`` detects it."""
    kind_reason = ""
    if kind is None:
        guess = detect_kind(upload.sample)
        kind, kind_reason = guess.kind, f"{guess.reason} ({guess.confidence:.0%} sure)"
    if kind not in ROLES:
        raise InputError(f"Unknown kind “{kind}”: choose responses, events or customers.")
    guesses = detect_roles(upload.sample, kind)
    detected = _from_guesses(kind, guesses)
    detected.kind_reason = kind_reason
    detected.notes.extend(verbal_score_hints(detected.roles, upload.sample))
    detected.notes.extend(
        f"“{col}”: answers such as “10 - Extremely likely” are read as their number."
        for col in upload.anchored
    )
    if db is not None and workspace is not None:
        saved = _saved_mapping(db, workspace, kind, upload)
        if saved is not None:
            saved.guesses = guesses
            saved.kind_reason = kind_reason
            _complete_saved(saved, detected, upload)
            return saved
    return detected


def _from_guesses(kind: str, guesses: list[ColumnGuess]) -> Mapping:
    roles = {g.role: g.column for g in guesses if g.role not in (ATTRIBUTE, IGNORE, COMMENT_FIELD)}
    ignored = [g.column for g in guesses if g.role == IGNORE]
    date_formats = {
        g.column: g.date_format for g in guesses if g.role in DATE_ROLES and g.date_format
    }
    notes: list[str] = []
    if kind == "events" and "touchpoint" not in roles:
        fb = fallback_touchpoint(guesses)
        if fb is not None:
            roles["touchpoint"] = fb.column
            notes.append(
                f"No touchpoint column: the channel column “{fb.column}” is used as the "
                "touchpoint too (the journey is the path across channels/devices). Choose "
                "another column or set a constant to change it."
            )
    for g in guesses:
        if g.role in DATE_ROLES and g.date_format and g.date_format.ambiguous:
            notes.append(f"“{g.column}”: {g.date_format.note}.")
    checks = [g for g in guesses if g.please_check]
    if checks:
        notes.append(
            "Please check: "
            + ", ".join(f"“{g.column}” as {ROLE_LABELS.get(g.role, g.role)}" for g in checks)
            + " (low confidence)."
        )
    comment_fields = [g.column for g in guesses if g.role == COMMENT_FIELD]
    return Mapping(
        kind,
        roles,
        {},
        ignored,
        date_formats,
        guesses,
        "detected",
        notes,
        comment_fields=comment_fields,
    )


def _complete_saved(saved: Mapping, detected: Mapping, upload: Upload) -> None:
    """A saved mapping reused for a new file keeps every role it had, and gains the roles
    detection finds for columns it left unused (said in a note, never silently); a saved
    date format that does not read this file's dates is re-detected."""
    used = set(saved.roles.values()) | set(saved.ignored)
    added = []
    for role, col in detected.roles.items():
        if role not in saved.roles and role not in saved.constants and col not in used:
            saved.roles[role] = col
            used.add(col)
            if col in detected.date_formats:
                saved.date_formats[col] = detected.date_formats[col]
            added.append(f"{ROLE_LABELS[role]} = “{col}”")
    for col in list(saved.date_formats):
        vals = (
            [v for v in upload.sample[col] if v is not None][:200] if col in upload.sample else []
        )
        fresh = detect_date_format(vals, allow_serial=True)
        if (
            fresh is not None
            and fresh.formats != saved.date_formats[col].formats
            and fresh.kind != saved.date_formats[col].kind
        ):
            saved.date_formats[col] = fresh
    if not saved.comment_fields:
        saved.comment_fields = [c for c in detected.comment_fields if c not in used]
    if added:
        saved.notes.append("Detected besides the saved mapping: " + ", ".join(added) + ".")


def _saved_mapping(db: Database, workspace: str, kind: str, upload: Upload) -> Mapping | None:
    columns = upload.columns
    row = db.execute(
        "SELECT mapping FROM column_mappings WHERE workspace = ? AND kind = ? "
        "AND columns_signature = ?",
        [workspace, kind, columns_signature(columns)],
    ).fetchone()
    if row is None:
        return None
    data = json.loads(row[0])
    by_norm = {c.strip().lower(): c for c in columns}

    def find(col: str) -> str | None:
        return col if col in columns else by_norm.get(col.strip().lower())

    roles = {
        r: c2 for r, c in data.get("roles", {}).items() if (c2 := find(c)) and r in ROLES[kind]
    }
    ignored = [c2 for c in data.get("ignored", []) if (c2 := find(c))]
    formats = {}
    for c, f in data.get("date_formats", {}).items():
        c2 = find(c)
        if c2:
            formats[c2] = DateFormat.from_json(f)
    source_file = str(data.get("file_name") or "an earlier file")
    return Mapping(
        kind,
        roles,
        dict(data.get("constants", {})),
        ignored,
        formats,
        [],
        "saved",
        [f"Same columns as {source_file}: its mapping is reused. Change it below if needed."],
        comment_fields=[c2 for c in data.get("comment_fields", []) if (c2 := find(c))],
        saved_from=source_file,
    )


def _find_column(upload: Upload, name: str) -> str:
    if name in upload.columns:
        return name
    lowered = {c.lower(): c for c in upload.columns}
    if name.strip().lower() in lowered:
        return lowered[name.strip().lower()]
    normed = {normalise_header(c): c for c in upload.columns}
    if normalise_header(name) in normed and normalise_header(name):
        return normed[normalise_header(name)]
    raise MappingError(
        f"{upload.file_name} has no column “{name}”. Its columns are: "
        + ", ".join(upload.columns[:40])
        + ("…" if len(upload.columns) > 40 else "")
    )


def apply_overrides(
    mapping: Mapping,
    upload: Upload,
    overrides: dict[str, str | None] | None = None,
    constants: dict[str, str | None] | None = None,
    ignored: list[str] | None = None,
    date_formats: dict[str, DateFormat] | None = None,
) -> Mapping:
    """A new mapping with the user's choices: ``overrides`` role -> column (``None``/"" =
    no column), ``constants`` role -> value (``None``/"" removes it), ``ignored`` columns.
    """
    kind = mapping.kind
    roles = dict(mapping.roles)
    consts = dict(mapping.constants)
    formats = dict(mapping.date_formats)
    for role, column in (overrides or {}).items():
        if role not in ROLES[kind]:
            raise MappingError(
                f"“{role}” is not a role of {kind}; roles are: {', '.join(ROLES[kind])}."
            )
        if column is None or str(column).strip() == "":
            roles.pop(role, None)
            continue
        col = _find_column(upload, str(column))
        # A column plays one role, except the events fallback (touchpoint = channel).
        for other, c in list(roles.items()):
            if c == col and other != role and {other, role} != {"channel", "touchpoint"}:
                roles.pop(other)
        roles[role] = col
        consts.pop(role, None)
        if role in DATE_ROLES and col not in formats:
            fmt = _date_format_for(upload, col)
            if fmt is None:
                examples = [str(v) for v in upload.sample[col] if v is not None][:3]
                raise MappingError(
                    f"Column “{col}” does not look like dates (e.g. {', '.join(examples)!s}); "
                    f"choose another column for {ROLE_LABELS[role]}."
                )
            formats[col] = fmt
    for role, value in (constants or {}).items():
        if role not in ROLES[kind]:
            raise MappingError(
                f"“{role}” is not a role of {kind}; roles are: {', '.join(ROLES[kind])}."
            )
        if value is None or str(value).strip() == "":
            consts.pop(role, None)
            continue
        if role not in CONSTANT_ROLES:
            raise MappingError(
                f"A constant can be set only for {', '.join(sorted(CONSTANT_ROLES))}, "
                f"not for {role}."
            )
        if role in roles and role not in (overrides or {}):
            roles.pop(role)
        consts[role] = str(value).strip()
    ign = list(mapping.ignored if ignored is None else ignored)
    for col in ign:
        if col not in upload.columns:
            raise MappingError(f"{upload.file_name} has no column “{col}”.")
    if date_formats:
        formats.update(date_formats)
    verbal_score_scales(roles, upload.sample)  # a verbal scale that cannot be the score
    used = set(roles.values())
    formats = {c: f for c, f in formats.items() if c in used}
    changed = roles != mapping.roles or consts != mapping.constants or ign != mapping.ignored
    return Mapping(
        kind,
        roles,
        consts,
        [c for c in ign if c not in used],
        formats,
        mapping.guesses,
        "edited" if changed else mapping.source,
        mapping.notes,
        comment_fields=[c for c in mapping.comment_fields if c not in used and c not in ign],
        kind_reason=mapping.kind_reason,
        saved_from=mapping.saved_from,
    )


def check_mapping(mapping: Mapping, upload: Upload) -> None:
    """Raise :class:`MappingError` when the kind's required roles have no column/constant,
    or a score's column holds a verbal scale that cannot be that score.

    The message says what is missing and what to do in words that fit the page (the CLI
    adds its flags). A score column the user confirmed on a verbal scale fits: the upload
    then reads it as its ranks 1..k (:attr:`Upload.read_as_ranks`)."""
    kind = mapping.kind
    upload.read_as_ranks = verbal_score_scales(mapping.roles, upload.sample)
    missing = [r for r in REQUIRED[kind] if r not in mapping.roles and r not in mapping.constants]
    if missing:
        extra = ""
        if "touchpoint" in missing:
            extra = (
                " If every row is the same kind of touchpoint (e.g. a purchase log), type it "
                "as a constant for the touchpoint instead."
            )
        raise MappingError(
            f"{upload.file_name}: no column was recognised as the "
            + ", ".join(ROLE_LABELS[r] for r in missing)
            + f" that {kind} need. Pick the column for each in the mapping table "
            "(“Column in the file” next to the role)."
            + extra
            + " Or choose another kind of data if this file is not "
            + f"{KIND_NOUNS.get(kind, kind)}."
        )
    if kind == "responses" and not any(r in mapping.roles for r in ANSWER_ROLES):
        if not _sample_has_rating(mapping, upload):
            raise MappingError(
                f"{upload.file_name}: no column was recognised as an answer (an NPS, CSAT or "
                "CES score, a comment or a rating). Pick the column that holds the "
                "answers in the mapping table, or choose another kind of data (events or "
                "customers) if this file is not survey answers or reviews."
            )


KIND_NOUNS = {
    "responses": "survey answers or reviews",
    "events": "a log of what customers did",
    "customers": "a customer list",
}


def _sample_has_rating(mapping: Mapping, upload: Upload) -> bool:
    for col in mapping.attribute_columns(upload.columns):
        scale = rating_scale(list(upload.sample[col]))
        if scale is not None and scale.points >= 4:
            return True  # a verbal scale: a rating 1..k
        vals = [str(v).strip() for v in upload.sample[col] if v is not None]
        vals = [v for v in vals if v]
        try:
            nums = [float(v) for v in vals]
        except ValueError:
            continue
        if nums and _is_rating(
            min(nums), max(nums), all(x.is_integer() for x in nums), len(set(nums))
        ):
            return True
    return False


def _is_rating(vmin: float, vmax: float, integer: bool, distinct: int) -> bool:
    return integer and vmin >= 0 and 4 <= vmax <= 10 and distinct >= 3
