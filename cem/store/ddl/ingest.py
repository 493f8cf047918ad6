"""Schema part of :mod:`cem.ingest`: the free-text fields of each import.

``comment_fields`` lists, per import, the columns that hold customers' own words: the
primary ``comment`` (stored in ``responses.comment``) and the further free-text columns
(stored as text attributes of the import under the same name). The voice-of-the-customer
search indexes all of them; a company's reply to a review is never listed.

``attribute_scale_labels`` keeps, per import, the labels of a verbal scale read as a rating
(:mod:`cem.ingest.scales`): attribute ``name``'s rating ``number`` reads as ``label``
(``4 · Agree``) in filters and splits.
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS comment_fields ("
    " workspace VARCHAR NOT NULL,"
    " import_id BIGINT NOT NULL,"
    " kind VARCHAR NOT NULL,"
    " name VARCHAR NOT NULL,"
    " is_primary BOOLEAN NOT NULL,"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (import_id, name))",
    "CREATE TABLE IF NOT EXISTS attribute_scale_labels ("
    " import_id BIGINT NOT NULL,"
    " name VARCHAR NOT NULL,"
    " number DOUBLE NOT NULL,"
    " label VARCHAR NOT NULL,"
    " PRIMARY KEY (import_id, name, number))",
)
