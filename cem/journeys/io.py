"""Journey exports and imports: JSON (lossless), CSV of touchpoints, PNG/SVG of the map.

* JSON is :func:`cem.journeys.reads.journey_to_dict` without ids and versions: exporting and
  importing gives the same journey (names, order, every touchpoint field, the lanes with
  their names/order/visibility, every lane text and the persona card: name, quote,
  goals, avatar and picture, the picture as base64).
* CSV has one row per touchpoint in journey order with the columns
  :data:`CSV_COLUMNS`; cells that a spreadsheet would run as a formula are neutralised
  with a leading ``'`` (and the quote is removed again on import).
* Imports validate everything first and report problems with their row number (the
  header is row 1, the first touchpoint row 2); nothing is created unless the whole
  file is valid.

>>> rows = "stage,touchpoint,channel,emotion\\nBuy,Checkout,web,+1\\nBuy,Receipt,email,\\n"
>>> name, outline = parse_csv(rows.encode())
>>> outline
[('Buy', [{'name': 'Checkout', 'channel': 'web', 'emotion': 1}, {'name': 'Receipt', 'channel': 'email', 'emotion': None}])]
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from cem.access.principal import Principal
from cem.errors import FileFormatError, InputError
from cem.export import (
    FORMULA_PREFIXES,
    chart_on_paper_pdf,
    chart_to_pdf,
    chart_to_png,
    chart_to_svg,
    frame_to_csv_bytes,
)
from cem.journeys.fields import CSV_COLUMNS, CSV_FIELDS, EDITABLE_TOUCHPOINT_FIELDS, FIELDS
from cem.journeys.lanes import clean_lanes, lane_to_dict
from cem.journeys.model import SNAPSHOT_FORMAT, Journey, clean_name, clean_text
from cem.journeys.model import clean_touchpoint_fields as _clean_touchpoint_fields
from cem.journeys.persona import clean_avatar, clean_goals, picture_from_json, picture_to_json
from cem.journeys.reads import journey_to_dict, list_journeys
from cem.journeys.writes import create_journey
from cem.store.db import Database

# CSV_COLUMNS / CSV_FIELDS come from the one field list (cem.journeys.fields).
MAX_IMPORT_BYTES = 5_000_000
MAX_ERRORS_SHOWN = 20


# -- export -------------------------------------------------------------------------------
def journey_to_json(journey: Journey) -> str:
    """The journey as pretty JSON (no ids, no versions; the persona's picture as base64)."""
    data = journey_to_dict(journey, with_ids=False)
    data["persona_picture"] = picture_to_json(journey.persona_picture, journey.persona_picture_type)
    return json.dumps(data, ensure_ascii=False, indent=2)


def touchpoints_frame(journey: Journey) -> pd.DataFrame:
    """One row per touchpoint in journey order, with the CSV columns."""
    rows = []
    for stage in journey.stages:
        for tp in stage.touchpoints:
            row: dict[str, Any] = {"stage": stage.name}
            for column in CSV_COLUMNS[1:]:
                spec = FIELDS[CSV_FIELDS[column]]
                value = getattr(tp, spec.name)
                row[column] = ("yes" if value else "no") if spec.kind == "flag" else value
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    frame["emotion"] = frame["emotion"].astype("Int64")
    return frame


def journey_to_csv(journey: Journey) -> bytes:
    """UTF-8 CSV of the touchpoints (formula-looking cells neutralised)."""
    return frame_to_csv_bytes(touchpoints_frame(journey))


def journey_to_png(chart: Any) -> bytes:
    """PNG of a map chart (see :func:`cem.charts.journey.journey_map_chart`)."""
    return chart_to_png(chart)


def journey_to_svg(chart: Any) -> str:
    """SVG of a map chart."""
    return chart_to_svg(chart)


PAPER_PT = {"A3": (1190.55, 841.89), "A2": (1683.78, 1190.55)}  # landscape, in points


def journey_to_pdf(chart: Any, paper: str | None = None) -> bytes:
    """PDF of a map chart: on an A3 or A2 page (``paper``, the poster for printing at
    actual size), else a page the chart's size."""
    if paper is None:
        return chart_to_pdf(chart)
    if paper not in PAPER_PT:
        raise InputError(f"Unknown paper size '{paper}': use A3 or A2.")
    return chart_on_paper_pdf(chart, PAPER_PT[paper])


# -- import ---------------------------------------------------------------------------------
def _unneutralise(value: str) -> str:
    """Drop the quote that :mod:`cem.export` put before a formula-looking cell."""
    if len(value) > 1 and value[0] == "'" and value[1] in "".join(FORMULA_PREFIXES):
        return value[1:]
    return value


def _raise_collected(what: str, errors: list[str]) -> None:
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        tail = f"\n… and {more} more problem(s)." if more > 0 else ""
        raise InputError(
            f"{what} could not be imported; nothing was created:\n" + "\n".join(shown) + tail
        )


def _decode(content: bytes, file_name: str) -> str:
    """An uploaded file's text (FileFormatError when it is too large or not UTF-8)."""
    if len(content) > MAX_IMPORT_BYTES:
        raise FileFormatError(f"{file_name}: the file is larger than 5 MB.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{file_name}: the file is not UTF-8 text.") from exc


def parse_csv(
    content: bytes, file_name: str = "journey.csv"
) -> tuple[str, list[tuple[str, list[dict[str, Any]]]]]:
    """Validate a touchpoints CSV; return (suggested journey name, outline).

    Stages appear in the order of their first row; touchpoints in row order.
    """
    text = _decode(content, file_name)
    if not text.strip():
        raise FileFormatError(f"{file_name}: the file is empty.")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise FileFormatError(f"{file_name}: not a readable CSV file ({exc}).") from exc
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [c for c in ("stage", "touchpoint") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{file_name}: the column(s) {', '.join(missing)} are missing; expected "
            f"{', '.join(CSV_COLUMNS)}."
        )
    if frame.empty:
        raise InputError(f"{file_name}: there are no touchpoint rows.")
    errors: list[str] = []
    stages: dict[str, list[dict[str, Any]]] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row_no = index + 2  # the header is row 1
        try:
            stage = clean_name(_unneutralise(record["stage"]), "The stage")
        except InputError as exc:
            errors.append(f"Row {row_no}, column stage: {exc}")
            continue
        raw = {
            field: _unneutralise(str(record[col]))
            for col, field in CSV_FIELDS.items()
            if col in record
        }
        item: dict[str, Any] = {}
        for field, value in raw.items():
            try:
                item |= _clean_touchpoint_fields({field: value})
            except InputError as exc:
                column = FIELDS[field].csv
                errors.append(f"Row {row_no}, column {column}: {exc}")
        stages.setdefault(stage, []).append(item)
    _raise_collected(file_name, errors)
    name = file_name.rsplit(".", 1)[0].strip() or "Imported journey"
    return name, list(stages.items())


def parse_json(content: bytes | str, file_name: str = "journey.json") -> dict[str, Any]:
    """Validate a journey JSON export; return clean data for :func:`create_journey`."""
    if isinstance(content, bytes):
        content = _decode(content, file_name)
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{file_name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("stages"), list):
        raise InputError(
            f"{file_name}: not a Touchpoint journey export (it needs a 'stages' list)."
        )
    if data.get("format") not in (None, SNAPSHOT_FORMAT):
        raise InputError(f"{file_name}: unknown format '{data.get('format')}'.")
    errors: list[str] = []
    try:
        name = clean_name(data.get("name"), "The journey name")
    except InputError as exc:
        errors.append(str(exc))
        name = ""
    outline: list[tuple[str, list[dict[str, Any]]]] = []
    stage_cells: list[dict[str, str]] = []
    for s_no, stage in enumerate(data["stages"], start=1):
        if not isinstance(stage, Mapping):
            errors.append(f"Stage {s_no}: not an object.")
            continue
        try:
            stage_name = clean_name(stage.get("name"), "The stage name")
        except InputError as exc:
            errors.append(f"Stage {s_no}: {exc}")
            stage_name = f"stage {s_no}"
        tps = stage.get("touchpoints", [])
        if not isinstance(tps, list):
            errors.append(f"Stage {s_no} '{stage_name}': 'touchpoints' is not a list.")
            continue
        items = []
        for t_no, tp in enumerate(tps, start=1):
            where = f"Stage {s_no} '{stage_name}', touchpoint {t_no}"
            if not isinstance(tp, Mapping):
                errors.append(f"{where}: not an object.")
                continue
            if "name" not in tp:
                errors.append(f"{where}: it needs a name.")
                continue
            fields = {k: tp[k] for k in EDITABLE_TOUCHPOINT_FIELDS if k in tp}
            try:
                items.append(_clean_touchpoint_fields(fields))
            except InputError as exc:
                errors.append(f"{where}: {exc}")
        outline.append((stage_name, items))
        cells = stage.get("cells") or {}
        if not isinstance(cells, Mapping):
            errors.append(f"Stage {s_no} '{stage_name}': 'cells' is not an object.")
            cells = {}
        try:
            stage_cells.append(
                {str(k): clean_text(v, f"Stage {s_no}, lane {k}") or "" for k, v in cells.items()}
            )
        except InputError as exc:
            errors.append(str(exc))
    lanes = None
    if data.get("lanes") is not None:
        try:
            lanes = [lane_to_dict(lane) for lane in clean_lanes(list(data["lanes"]))]
        except (InputError, TypeError) as exc:
            errors.append(f"Lanes: {exc}")
    persona: dict[str, Any] = {}
    for key, check in (
        ("persona_goals", clean_goals),
        ("persona_avatar", clean_avatar),
        ("persona_picture", picture_from_json),
    ):
        try:
            persona[key] = check(data.get(key))
        except InputError as exc:
            errors.append(f"{key.replace('_', ' ').capitalize()}: {exc}")
    _raise_collected(file_name, errors)
    return persona | {
        "name": name,
        "description": data.get("description"),
        "persona": data.get("persona"),
        "persona_quote": data.get("persona_quote"),
        "outline": outline,
        "stage_cells": stage_cells,
        "lanes": lanes,
    }


def import_journey(
    db: Database,
    workspace: str,
    content: bytes,
    file_name: str,
    *,
    actor: Principal,
    name: str | None = None,
    author: str | None = None,
) -> int:
    """Create a journey from a JSON export or a touchpoints CSV; returns its id."""
    lowered = file_name.lower()
    stripped = content.lstrip()[:1]
    if lowered.endswith(".json") or stripped in (b"{", b"["):
        data = parse_json(content, file_name)
        return create_journey(
            db,
            workspace,
            name or _imported_name(db, workspace, data["name"]),
            actor=actor,
            description=data["description"],
            persona=data["persona"],
            persona_quote=data["persona_quote"],
            persona_goals=data["persona_goals"],
            persona_avatar=data["persona_avatar"],
            persona_picture=data["persona_picture"],
            outline=data["outline"],
            stage_cells=data["stage_cells"],
            lanes=data["lanes"],
            author=author,
            action=f"Imported journey from {file_name}",
        )
    suggested, outline = parse_csv(content, file_name)
    return create_journey(
        db,
        workspace,
        name or _imported_name(db, workspace, suggested),
        actor=actor,
        outline=outline,
        author=author,
        action=f"Imported journey from {file_name}",
    )


def _imported_name(db: Database, workspace: str, wanted: str) -> str:
    """``wanted``, or ``wanted (imported)`` (``(imported 2)``, …) when the workspace has a
    journey of that name already: the picker never lists two maps alike."""
    taken = {s.name for s in list_journeys(db, workspace)}
    if wanted not in taken:
        return wanted
    candidate, k = f"{wanted} (imported)", 2
    while candidate in taken:
        candidate, k = f"{wanted} (imported {k})", k + 1
    return candidate
