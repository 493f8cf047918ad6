"""The journey map's public surface in one import (``from cem.journeys import api as jm``).

Each name lives in its one-concern module: value types and validation in
:mod:`~cem.journeys.model`, display in :mod:`~cem.journeys.presentation`, reads in
:mod:`~cem.journeys.reads`, changes in :mod:`~cem.journeys.writes` (through the one
skeleton of :mod:`~cem.journeys.edit`), undo and history in :mod:`~cem.journeys.history`,
copies and diffs in :mod:`~cem.journeys.copies`, lanes in :mod:`~cem.journeys.lanes`.
"""

from __future__ import annotations

from cem.journeys.copies import Change, create_journey_from_dict, duplicate_journey, journey_diff
from cem.journeys.fields import EDITABLE_TOUCHPOINT_FIELDS, TOUCHPOINT_FIELDS
from cem.journeys.history import (
    can_redo,
    can_undo,
    redo,
    restore_version,
    snapshot_at,
    undo,
)
from cem.journeys.lanes import DEFAULT_LANES
from cem.journeys.model import (
    DEFAULT_AUTHOR,
    FACES,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    SNAPSHOT_FORMAT,
    Journey,
    JourneySummary,
    Lane,
    Stage,
    Touchpoint,
    VersionInfo,
    clean_emotion,
    clean_flag,
    clean_name,
    clean_text,
    clean_touchpoint_fields,
)
from cem.journeys.persona import MAX_PICTURE_BYTES, set_persona_picture
from cem.journeys.presentation import (
    CHANNEL_ICONS,
    CHANNELS,
    channel_icon,
    describe_touchpoint_change,
    format_emotion,
)
from cem.journeys.reads import (
    changes_since,
    find_journey,
    get_journey,
    journey_to_dict,
    journey_version,
    list_journeys,
    list_personas,
    list_versions,
    persona_description,
    subset_journey,
    with_touchpoint,
)
from cem.journeys.writes import (
    add_stage,
    add_touchpoint,
    create_journey,
    delete_journey,
    delete_stage,
    delete_touchpoint,
    move_stage,
    move_touchpoint,
    rename_stage,
    set_lane_cell,
    update_journey,
    update_lanes,
    update_touchpoint,
)

__all__ = [
    "CHANNELS",
    "CHANNEL_ICONS",
    "Change",
    "DEFAULT_AUTHOR",
    "DEFAULT_LANES",
    "EDITABLE_TOUCHPOINT_FIELDS",
    "FACES",
    "Journey",
    "JourneySummary",
    "Lane",
    "MAX_NAME_LENGTH",
    "MAX_PICTURE_BYTES",
    "MAX_TEXT_LENGTH",
    "SNAPSHOT_FORMAT",
    "Stage",
    "TOUCHPOINT_FIELDS",
    "Touchpoint",
    "VersionInfo",
    "add_stage",
    "add_touchpoint",
    "can_redo",
    "can_undo",
    "changes_since",
    "channel_icon",
    "clean_emotion",
    "clean_flag",
    "clean_name",
    "clean_text",
    "clean_touchpoint_fields",
    "create_journey",
    "create_journey_from_dict",
    "delete_journey",
    "delete_stage",
    "delete_touchpoint",
    "describe_touchpoint_change",
    "duplicate_journey",
    "find_journey",
    "format_emotion",
    "get_journey",
    "journey_diff",
    "journey_to_dict",
    "journey_version",
    "list_journeys",
    "list_personas",
    "list_versions",
    "move_stage",
    "move_touchpoint",
    "persona_description",
    "redo",
    "rename_stage",
    "restore_version",
    "set_lane_cell",
    "set_persona_picture",
    "snapshot_at",
    "subset_journey",
    "undo",
    "update_journey",
    "update_lanes",
    "update_touchpoint",
    "with_touchpoint",
]
