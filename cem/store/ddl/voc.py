"""Tables of the voice-of-the-customer domain (:mod:`cem.voc`).

- ``voc_texts``: every searchable text of a response, one row per (response, field): the
  ``comment`` column and any other comment fields an import adds.
- ``voc_terms``: the token index: one row per (response, field, token) with its term
  frequency and positions (for phrases). Rebuilt per workspace, written sorted by token so
  DuckDB's zone maps skip most row groups on a token lookup.
- ``voc_docs``: per response, its indexed length in tokens (BM25's document length).
- ``voc_sentiment``: sentiment per response, computed once per import.
- ``voc_model_terms``: the workspace's weak-label model (token, idf, coefficient).
- ``voc_themes`` / ``voc_theme_members``: automatic and rule themes and who mentions them.
- ``voc_lexicon``: the sentiment lexicons (:mod:`cem.voc.lexicons`), loaded once.
- ``voc_status``: which responses (a fingerprint) the analysis was computed for and its progress.
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS voc_texts (
        workspace VARCHAR NOT NULL,
        response_id BIGINT NOT NULL,
        field VARCHAR NOT NULL,
        text VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS voc_terms (
        workspace VARCHAR NOT NULL,
        token VARCHAR NOT NULL,
        response_id BIGINT NOT NULL,
        field VARCHAR NOT NULL,
        tf INTEGER NOT NULL,
        positions INTEGER[] NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS voc_docs (
        workspace VARCHAR NOT NULL,
        response_id BIGINT NOT NULL,
        length INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS voc_sentiment (
        workspace VARCHAR NOT NULL,
        response_id BIGINT NOT NULL,
        language VARCHAR,
        lexicon_score DOUBLE,
        model_score DOUBLE,
        sentiment DOUBLE,
        label VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS voc_model_terms (
        workspace VARCHAR NOT NULL,
        token VARCHAR NOT NULL,
        idf DOUBLE NOT NULL,
        coef DOUBLE NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS voc_model (
        workspace VARCHAR PRIMARY KEY,
        intercept DOUBLE NOT NULL,
        trained_on BIGINT NOT NULL,
        label_source VARCHAR NOT NULL
    )""",
    "CREATE SEQUENCE IF NOT EXISTS voc_theme_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS voc_themes (
        theme_id BIGINT PRIMARY KEY,
        workspace VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        rule VARCHAR,
        phrases VARCHAR[],
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
    """CREATE TABLE IF NOT EXISTS voc_theme_members (
        workspace VARCHAR NOT NULL,
        theme_id BIGINT NOT NULL,
        response_id BIGINT NOT NULL,
        weight DOUBLE NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS voc_lexicon (
        version INTEGER NOT NULL,
        language VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        token VARCHAR NOT NULL,
        token2 VARCHAR,
        token3 VARCHAR,
        value DOUBLE NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS voc_status (
        workspace VARCHAR PRIMARY KEY,
        fingerprint VARCHAR NOT NULL,
        state VARCHAR NOT NULL,
        progress DOUBLE NOT NULL DEFAULT 0,
        message VARCHAR,
        seconds DOUBLE,
        updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
)
