"""The persona card at a journey map's head: name, picture, quote and goals.

The card's text lives on the journey (``persona``, ``persona_quote``, ``persona_goals``
— one goal a line — and ``persona_avatar``, an emoji or short text the team picks) and
is edited with :func:`cem.journeys.writes.update_journey`. The picture is an uploaded
PNG, JPEG, WebP or GIF of at most :data:`MAX_PICTURE_BYTES`, stored in DuckDB as a BLOB
on the journey. Its type is read from the bytes themselves (never from the file name or
what the browser says), so an SVG or HTML file cannot pass as a picture. Without a
picture the card shows the avatar, else the persona's initials.

The picture is part of the JSON export (base64); a version snapshot holds its digest and
the bytes are kept once per journey (``journey_pictures``), so undo, redo and restoring
a version bring the picture of that version back.

>>> initials("Maya Chen"), initials("  léa "), initials(None)
('MC', 'L', '')
>>> goal_list(clean_goals(" Fast setup \\n\\n  No surprises on the bill "))
['Fast setup', 'No surprises on the bill']
>>> picture_type(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(8))
'image/png'
"""

from __future__ import annotations

import base64
from typing import Any

from cem.access.principal import Principal
from cem.errors import InputError
from cem.journeys.edit import journey_edit
from cem.journeys.model import MAX_NAME_LENGTH
from cem.store.db import Database

MAX_PICTURE_BYTES = 300_000
MAX_GOALS = 8
MAX_GOAL_LENGTH = 200
MAX_AVATAR_LENGTH = 8
PICTURE_TYPES: tuple[str, ...] = ("image/png", "image/jpeg", "image/webp", "image/gif")


def picture_type(data: bytes) -> str:
    """The image type from the file's first bytes (InputError for anything else)."""
    head = bytes(data[:12])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise InputError("The persona's picture must be a PNG, JPEG, WebP or GIF image.")


def clean_picture(data: bytes | None) -> tuple[bytes, str] | None:
    """(bytes, type) of an acceptable picture; None for no picture."""
    if data is None or len(data) == 0:
        return None
    if len(data) > MAX_PICTURE_BYTES:
        raise InputError(
            f"The persona's picture is {len(data) / 1000:.0f} kB; the limit is "
            f"{MAX_PICTURE_BYTES / 1000:.0f} kB (a square of about 400 px is plenty)."
        )
    return bytes(data), picture_type(data)


def clean_goals(value: object) -> str | None:
    """Goals as one per line: trimmed, blank lines dropped, at most :data:`MAX_GOALS`."""
    if value is None:
        return None
    lines = [line.strip() for line in str(value).splitlines() if line.strip()]
    if len(lines) > MAX_GOALS:
        raise InputError(f"A persona can have at most {MAX_GOALS} goals (one a line).")
    for line in lines:
        if len(line) > MAX_GOAL_LENGTH:
            raise InputError(f"A goal can have at most {MAX_GOAL_LENGTH} characters.")
        if any(ord(ch) < 32 for ch in line):
            raise InputError("A goal cannot contain control characters.")
    return "\n".join(lines) or None


def clean_avatar(value: object) -> str | None:
    """An emoji or a few letters (at most :data:`MAX_AVATAR_LENGTH` characters)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if len(text) > MAX_AVATAR_LENGTH or any(ord(ch) < 32 for ch in text):
        raise InputError(
            f"The avatar is an emoji or at most {MAX_AVATAR_LENGTH} characters (e.g. 🧑‍💼)."
        )
    return text


def goal_list(goals: str | None) -> list[str]:
    """The goals as a list (one a line)."""
    return [line for line in (goals or "").splitlines() if line.strip()]


def initials(name: str | None) -> str:
    """The first letters of the first and last word of a name, upper case."""
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    if not words:
        return ""
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()[:MAX_NAME_LENGTH]


def avatar_text(persona: str | None, avatar: str | None) -> str:
    """What the card shows when there is no picture: the avatar, the initials, or 👤."""
    return avatar or initials(persona) or "👤"


def picture_to_json(data: bytes | None, mime: str | None) -> dict[str, str] | None:
    """The picture as JSON-ready data (type and base64) for the export."""
    if not data:
        return None
    return {"type": mime or picture_type(data), "base64": base64.b64encode(data).decode()}


def picture_from_json(value: Any) -> bytes | None:
    """The picture bytes from an export (validated; InputError when it is not one)."""
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("base64"), str):
        raise InputError("persona_picture must be an object with 'type' and 'base64'.")
    try:
        data = base64.b64decode(value["base64"], validate=True)
    except ValueError as exc:
        raise InputError("persona_picture: the base64 text is damaged.") from exc
    cleaned = clean_picture(data)
    return None if cleaned is None else cleaned[0]


def data_url(data: bytes | None, mime: str | None) -> str | None:
    """``data:<type>;base64,…`` of a stored picture (for the poster), or None."""
    if not data:
        return None
    return f"data:{mime or picture_type(data)};base64,{base64.b64encode(data).decode()}"


def set_persona_picture(
    db: Database,
    workspace: str,
    journey_id: int,
    data: bytes | None,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
) -> int:
    """Store (or with ``data`` None remove) the persona's picture; the new journey version.

    Conflicts when someone changed the journey's details since ``expected_version``.
    """
    picture = clean_picture(data)
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        _, version = edit.journey_unchanged(
            journey_id, expected_version, "journey", "The persona's details"
        )
        current = edit.cur.execute(
            "SELECT persona_picture FROM journeys WHERE journey_id = ?", [journey_id]
        ).fetchone()[0]
        new = None if picture is None else picture[0]
        if (bytes(current) if current is not None else None) == new:
            return version
        edit.cur.execute(
            "UPDATE journeys SET persona_picture = ?, persona_picture_type = ? "
            "WHERE journey_id = ?",
            [new, None if picture is None else picture[1], journey_id],
        )
        edit.done(
            "Removed the persona's picture" if new is None else "Changed the persona's picture",
            "journey",
        )
    return int(edit.version or version)
