"""The comment token index and BM25 search, in plain DuckDB tables.

Why not DuckDB's ``fts`` extension: it is not published for duckdb 2.0 on PyPI, and Touchpoint
never downloads anything at run time (no ``INSTALL``), so the index is built here, at import
time, as ordinary tables (:mod:`cem.store.ddl.voc`):

- ``voc_texts``: (workspace, response_id, field, text): every searchable text. Any number of
  comment fields per response work: each field is one row. :data:`TEXT_SOURCES` lists the
  SQL that yields those rows (today ``responses.comment``); another comment field is one more
  entry there (see :func:`add_text_source`).
- ``voc_terms``: one row per (response, field, token) with its term frequency and positions
  (clause number × :data:`CLAUSE_STRIDE` + the word's place in its clause).
  Tokens are folded (lower case, accents stripped, apostrophes removed; :func:`cem.voc.query.fold`
  is the same folding in Python). Rows are written sorted by token, so a token lookup reads
  only the row groups whose zone maps contain it.
- ``voc_docs``: the indexed length of each response (BM25 normalises by it).

Search is Okapi BM25 (k1 = 1.2, b = 0.75) over the query's positive words, restricted to the
comments that match the query (phrases by positions, ``-exclusions`` removed, ``OR`` groups
united). This module uses parameterised DuckDB SQL (Ibis cannot express the list-position
checks); every value is bound, and the only names in the SQL are our own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb

from cem.store.db import Database
from cem.voc.query import TOKEN_SQL_PATTERN, Group, Item, Query

K1 = 1.2
B = 0.75
# Positions restart in each clause (text between , . ; : ! ?) at clause number × this stride,
# so consecutive words of a clause have consecutive positions and a clause break is a gap:
# phrases never match across punctuation, and sentiment negation stays inside its clause.
CLAUSE_BREAK = "[.,;:!?]+"
CLAUSE_STRIDE = 10_000

# SQL producing (response_id, field, text) for one workspace (bound as the one parameter ?).
TEXT_SOURCES: list[tuple[str, str]] = [
    (
        "comment",
        "SELECT response_id, 'comment' AS field, comment AS text FROM responses "
        "WHERE workspace = ? AND comment IS NOT NULL AND trim(comment) <> ''",
    ),
]


def add_text_source(name: str, sql: str) -> None:
    """Register another searchable comment field: ``sql`` yields (response_id, field, text)
    for the workspace bound as its only ``?`` parameter. Idempotent per ``name``."""
    for k, (existing, _) in enumerate(TEXT_SOURCES):
        if existing == name:
            TEXT_SOURCES[k] = (name, sql)
            return
    TEXT_SOURCES.append((name, sql))


def fold_sql(expr: str) -> str:
    """The SQL expression folding ``expr`` like :func:`cem.voc.query.fold`."""
    return f"strip_accents(lower(replace(replace({expr}, '''', ''), '\u2019', '')))"


def build_index(
    db: Database, workspace: str, progress: Callable[[float, str], None] | None = None
) -> int:
    """Rebuild the workspace's text rows and token index; returns the number of texts."""
    report = progress or (lambda _f, _m: None)
    with db.transaction() as cur:
        for table in ("voc_texts", "voc_terms", "voc_docs"):
            cur.execute(f"DELETE FROM {table} WHERE workspace = ?", [workspace])
        for _name, sql in TEXT_SOURCES:
            cur.execute(
                f"INSERT INTO voc_texts SELECT ? AS workspace, s.response_id, s.field, s.text "
                f"FROM ({sql}) s",
                [workspace, workspace],
            )
        report(0.3, "Tokenising comments")
        _insert_terms(cur, workspace)
        cur.execute(
            "INSERT INTO voc_docs SELECT workspace, response_id, sum(tf)::INTEGER "
            "FROM voc_terms WHERE workspace = ? GROUP BY ALL",
            [workspace],
        )
        row = cur.execute("SELECT count(*) FROM voc_texts WHERE workspace = ?", [workspace])
        return int(row.fetchall()[0][0])


def _insert_terms(cur: duckdb.DuckDBPyConnection, workspace: str) -> None:
    cur.execute(
        f"""
        INSERT INTO voc_terms
        WITH clauses AS (
            SELECT response_id, field, string_split_regex({fold_sql("text")}, '{CLAUSE_BREAK}')
                AS parts
            FROM voc_texts WHERE workspace = ?
        ), toks AS (
            SELECT response_id, field, unnest(parts) AS clause,
                   generate_subscripts(parts, 1) AS clause_no
            FROM clauses
        ), words AS (
            SELECT response_id, field, clause_no,
                   regexp_extract_all(clause, '{TOKEN_SQL_PATTERN}') AS words
            FROM toks
        ), occ AS (
            SELECT response_id, field, unnest(words) AS token,
                   (clause_no * {CLAUSE_STRIDE} + generate_subscripts(words, 1))::INTEGER AS pos
            FROM words
        )
        SELECT ? AS workspace, token, response_id, field, count(*)::INTEGER AS tf,
               list(pos ORDER BY pos) AS positions
        FROM occ GROUP BY token, response_id, field
        ORDER BY token
        """,
        [workspace, workspace],
    )


# -- search ----------------------------------------------------------------------------
def _item_sql(item: Item, params: list[object], workspace: str) -> str:
    """SQL selecting the response_ids in which ``item`` occurs."""
    if len(item.tokens) == 1:
        tok = item.tokens[0]
        cond = "starts_with(token, ?)" if item.prefix else "token = ?"
        params.extend([workspace, tok])
        return f"SELECT response_id FROM voc_terms WHERE workspace = ? AND {cond}"
    joins, checks = [], []
    for k, tok in enumerate(item.tokens):
        alias = f"a{k}"
        params.extend([workspace, tok])
        if k == 0:
            joins.append(f"voc_terms {alias}")
        else:
            joins.append(
                f"JOIN voc_terms {alias} ON {alias}.response_id = a0.response_id "
                f"AND {alias}.field = a0.field"
            )
            checks.append(f"list_contains({alias}.positions, p + {k})")
    where = " AND ".join(f"a{k}.workspace = ? AND a{k}.token = ?" for k in range(len(item.tokens)))
    # Parameters were appended pairwise per alias in join order, matching the WHERE order.
    return (
        f"SELECT a0.response_id FROM {' '.join(joins)} WHERE {where} "
        f"AND len(list_filter(a0.positions, lambda p: {' AND '.join(checks)})) > 0"
    )


def _group_sql(group: Group, params: list[object], workspace: str) -> str:
    positives = [i for i in group.items if not i.negated]
    negatives = [i for i in group.items if i.negated]
    parts: list[str] = []
    if positives:
        parts.append(" INTERSECT ".join(_item_sql(i, params, workspace) for i in positives))
    else:
        params.append(workspace)
        parts.append("SELECT response_id FROM voc_docs WHERE workspace = ?")
    sql = f"({parts[0]})"
    for item in negatives:
        sql += f" EXCEPT ({_item_sql(item, params, workspace)})"
    return sql


def match_sql(query: Query, workspace: str) -> tuple[str, list[object]]:
    """SQL and parameters for the distinct response_ids matching ``query``."""
    params: list[object] = []
    groups = [f"({_group_sql(g, params, workspace)})" for g in query.groups]
    return " UNION ".join(groups), params


def ranked_sql(query: Query, workspace: str) -> tuple[str, list[object]]:
    """SQL and parameters for (response_id, relevance) of every match, BM25 on the
    query's positive words (prefix words count every token they match)."""
    matched, params = match_sql(query, workspace)
    words = list(query.positive_tokens())
    prefixes = set(query.prefix_tokens())
    if not words:
        return f"SELECT response_id, 0.0 AS relevance FROM ({matched})", params
    conds = []
    for w in words:
        conds.append("starts_with(token, ?)" if w in prefixes else "token = ?")
    sql = f"""
        WITH m AS ({matched}),
        stats AS (SELECT count(*) AS n, avg(length) AS avgdl FROM voc_docs WHERE workspace = ?),
        qt AS (
            SELECT token, response_id, sum(tf) AS tf FROM voc_terms
            WHERE workspace = ? AND ({" OR ".join(conds)}) GROUP BY ALL
        ),
        df AS (SELECT token, count(DISTINCT response_id) AS df FROM qt GROUP BY token)
        SELECT m.response_id,
               coalesce(sum(ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5))
                   * qt.tf * ({K1} + 1)
                   / (qt.tf + {K1} * (1 - {B} + {B} * d.length / s.avgdl))), 0) AS relevance
        FROM m
        CROSS JOIN stats s
        LEFT JOIN qt ON qt.response_id = m.response_id
        LEFT JOIN df ON df.token = qt.token
        LEFT JOIN voc_docs d ON d.workspace = ? AND d.response_id = m.response_id
        GROUP BY m.response_id
    """
    return sql, [*params, workspace, workspace, *words, workspace]


def search(
    db: Database, workspace: str, query: Query, limit: int | None = None
) -> list[tuple[int, float]]:
    """(response_id, relevance) of the comments matching ``query``, best first."""
    if query.is_empty:
        return []
    sql, params = ranked_sql(query, workspace)
    sql = f"SELECT * FROM ({sql}) ORDER BY relevance DESC, response_id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [(int(r), float(s)) for r, s in db.execute(sql, params).fetchall()]


def rows_for_responses(
    db: Database, sql: str, workspace: str, ids: Sequence[int]
) -> list[tuple[object, ...]]:
    """Run ``sql`` (which joins the registered ``wanted_ids(response_id)`` and takes the
    workspace as its one parameter) for the given responses; returns its rows."""
    import pandas as pd  # loads with the comments' pages, not with every import

    cur = db.cursor()
    cur.register("wanted_ids", pd.DataFrame({"response_id": list(ids)}))
    try:
        return cur.execute(sql, [workspace]).fetchall()
    finally:
        cur.unregister("wanted_ids")
