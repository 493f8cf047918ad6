"""How journey values read on screen and in the history: channels, icons, faces, actions.

>>> format_emotion(-1), channel_icon("Phone")
('-1 🙁', '📞')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cem.journeys.fields import FIELDS
from cem.journeys.model import FACES

CHANNELS: tuple[str, ...] = (
    "web",
    "app",
    "email",
    "phone",
    "chat",
    "store",
    "social",
    "sms",
    "field",
    "courier",
    "mail",
    "in person",
    "other",
)
CHANNEL_ICONS: dict[str, str] = {
    "web": "🌐",
    "app": "📱",
    "email": "✉️",
    "phone": "📞",
    "chat": "💬",
    "store": "🏬",
    "social": "📣",
    "sms": "📨",
    "field": "🔧",
    "courier": "📦",
    "mail": "📮",
    "in person": "🤝",
    "other": "•",
}


def format_emotion(score: int | None) -> str:
    """'−1 🙁'-style text of an emotion (used in actions and selects).

    >>> format_emotion(-1), format_emotion(2), format_emotion(None)
    ('-1 🙁', '+2 😄', 'not set')
    """
    if score is None:
        return "not set"
    return f"{score:+d} {FACES[score]}" if score else f"0 {FACES[0]}"


def channel_icon(channel: str | None) -> str:
    """An icon for a channel word (a dot for unknown ones)."""
    return CHANNEL_ICONS.get((channel or "").strip().lower(), "•")


def describe_touchpoint_change(name: str, diff: Mapping[str, Any]) -> str:
    """A human action for a touchpoint edit.

    >>> describe_touchpoint_change("Installation", {"pain_point": True})
    "Marked 'Installation' as a pain point"
    >>> describe_touchpoint_change("Bill", {"owner": "Ana", "channel": "email"})
    "Edited 'Bill': channel, owner"
    """
    if set(diff) == {"name"}:
        return f"Renamed touchpoint '{name}' to '{diff['name']}'"
    if set(diff) == {"emotion"}:
        return f"Set emotion of '{name}' to {format_emotion(diff['emotion'])}"
    if set(diff) == {"pain_point"}:
        return (
            f"Marked '{name}' as a pain point"
            if diff["pain_point"]
            else f"Cleared the pain point on '{name}'"
        )
    if set(diff) == {"moment_of_truth"}:
        return (
            f"Marked '{name}' as a moment of truth"
            if diff["moment_of_truth"]
            else f"Cleared the moment of truth on '{name}'"
        )
    return f"Edited '{name}': " + ", ".join(sorted(FIELDS[k].label for k in diff))
