"""Schema of the journey maps: journeys, stages, touchpoints, lane cells, versions.

The touchpoint columns come from :data:`cem.journeys.fields.TOUCHPOINT_FIELDS` (one
list for the table, validation, JSON, CSV and the editors). ``ADD COLUMN IF NOT EXISTS``
statements bring an older database up to date when a field or the lanes are added.
"""

from __future__ import annotations

from cem.journeys.fields import TOUCHPOINT_FIELDS

_TOUCHPOINT_COLUMNS = ",\n        ".join(f.column_ddl for f in TOUCHPOINT_FIELDS)

DDL: tuple[str, ...] = (
    "CREATE SEQUENCE IF NOT EXISTS journey_id_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS stage_id_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS touchpoint_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS journeys (
        journey_id BIGINT PRIMARY KEY,
        workspace VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR,
        persona VARCHAR,
        version BIGINT NOT NULL DEFAULT 1,
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
    # The persona's quote on the map head, the lane set (JSON list; NULL = the default
    # lanes) and the journey this one is a future-state copy of.
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS persona_quote VARCHAR",
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS lanes JSON",
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS based_on BIGINT",
    # The persona card: goals (one a line), an avatar (emoji/letters) and a picture (a
    # PNG/JPEG/WebP/GIF checked by cem.journeys.persona) with its type.
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS persona_goals VARCHAR",
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS persona_avatar VARCHAR",
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS persona_picture BLOB",
    "ALTER TABLE journeys ADD COLUMN IF NOT EXISTS persona_picture_type VARCHAR",
    """CREATE TABLE IF NOT EXISTS stages (
        stage_id BIGINT PRIMARY KEY,
        journey_id BIGINT NOT NULL,
        position INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        version BIGINT NOT NULL DEFAULT 1
    )""",
    f"""CREATE TABLE IF NOT EXISTS touchpoints (
        touchpoint_id BIGINT PRIMARY KEY,
        journey_id BIGINT NOT NULL,
        stage_id BIGINT NOT NULL,
        position INTEGER NOT NULL,
        {_TOUCHPOINT_COLUMNS},
        version BIGINT NOT NULL DEFAULT 1
    )""",
    *(
        f"ALTER TABLE touchpoints ADD COLUMN IF NOT EXISTS {f.add_column_ddl}"
        for f in TOUCHPOINT_FIELDS
        if f.kind != "name"
    ),
    # The text of one lane (customer goals, thoughts, backstage, …) in one stage.
    """CREATE TABLE IF NOT EXISTS journey_lane_cells (
        journey_id BIGINT NOT NULL,
        stage_id BIGINT NOT NULL,
        lane_key VARCHAR NOT NULL,
        text VARCHAR NOT NULL,
        version BIGINT NOT NULL DEFAULT 1,
        PRIMARY KEY (stage_id, lane_key)
    )""",
    # Every persona picture a journey has shown, by the digest its version snapshots
    # hold, so undo, redo and restoring a version bring the picture back.
    """CREATE TABLE IF NOT EXISTS journey_pictures (
        journey_id BIGINT NOT NULL,
        digest VARCHAR NOT NULL,
        picture BLOB NOT NULL,
        picture_type VARCHAR,
        PRIMARY KEY (journey_id, digest)
    )""",
    # Full snapshots (JSON) of a journey after each change: undo and version history.
    """CREATE TABLE IF NOT EXISTS journey_versions (
        journey_id BIGINT NOT NULL,
        version BIGINT NOT NULL,
        action VARCHAR NOT NULL,
        author VARCHAR,
        snapshot JSON NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        PRIMARY KEY (journey_id, version)
    )""",
)
