"""The verbatims listing: every comment with its scores, dimensions, sentiment and themes,
under the shared filters, searched, sorted and paged.

The shared filter bar is applied through :func:`cem.analytics.filters.filtered_table` (an Ibis
expression); its SQL (compiled by Ibis, which quotes every value) is the first CTE of one
parameterised DuckDB query that adds the search matches and sentiment, sorts, and returns one
page with the total count. Search and paging need DuckDB (the token index is DuckDB tables);
on another engine this module is not available.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import ibis
import pandas as pd

from cem.analytics.engine import Engine
from cem.analytics.filters import Filters, filtered_table
from cem.errors import InputError
from cem.voc.index import ranked_sql
from cem.voc.query import Query, fold, parse_query

SORTS: dict[str, tuple[str, bool]] = {
    # name: (column, descending by default)
    "date": ("r.submitted_at", True),
    "score": ("r.nps", False),
    "sentiment": ("s.sentiment", False),
    "relevance": ("relevance", True),
}
SORT_LABELS: dict[str, str] = {
    "date": "Newest first",
    "score": "Lowest score first",
    "sentiment": "Most negative first",
    "relevance": "Best match first",
}
MAX_PAGE_SIZE = 500
COLUMNS: tuple[str, ...] = (
    "response_id",
    "customer_id",
    "submitted_at",
    "nps",
    "csat",
    "ces",
    "segment",
    "persona",
    "channel",
    "touchpoint",
    "comment",
    "sentiment",
    "sentiment_label",
    "language",
    "relevance",
)


@dataclass(frozen=True)
class VerbatimQuery:
    """What the listing shows: search, theme, sentiment label, sort and page."""

    search: str = ""
    theme_id: int | None = None
    sentiment_label: str | None = None
    sort: str = "date"
    descending: bool | None = None
    page: int = 1
    page_size: int = 25

    def parsed(self) -> Query:
        return parse_query(self.search)


@dataclass
class VerbatimPage:
    """One page of comments and how many there are in all."""

    rows: pd.DataFrame
    total: int
    page: int
    page_size: int
    query: Query = field(default_factory=lambda: parse_query(""))

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _filtered_sql(engine: Engine, workspace: str, filters: Filters | None) -> str:
    if not engine.is_duckdb:
        raise InputError("Comment search needs the DuckDB engine.")
    expr = filtered_table(engine, workspace, "responses", filters)
    return str(ibis.to_sql(expr, dialect="duckdb"))


DETAIL_COLUMNS = (
    "r.response_id, r.customer_id, r.submitted_at, r.nps, r.csat, r.ces, r.segment, "
    "r.persona, r.channel, r.touchpoint, r.comment, s.sentiment, "
    "s.label AS sentiment_label, s.language"
)
KEY_COLUMNS = "r.response_id, r.submitted_at, r.nps, s.sentiment"


def _needs_sentiment(q: VerbatimQuery, columns: str) -> bool:
    """Whether the selection reads ``voc_sentiment``: for its columns, the sort or the
    sentiment filter (the newest-first listing of a million comments skips that join)."""
    return columns != KEY_COLUMNS or bool(q.sentiment_label) or q.sort == "sentiment"


def _selection(
    engine: Engine,
    workspace: str,
    filters: Filters | None,
    q: VerbatimQuery,
    columns: str = DETAIL_COLUMNS,
) -> tuple[str, list[object], Query]:
    """SQL (and parameters) of the matching comments: ``columns`` and the relevance."""
    query = q.parsed()
    params: list[object] = []
    ctes = [f"f AS ({_filtered_sql(engine, workspace, filters)})"]
    if not query.is_empty:
        ranked, ranked_params = ranked_sql(query, workspace)
        ctes.append(f"m AS ({ranked})")
        params.extend(ranked_params)
        join_m = "JOIN m ON m.response_id = r.response_id"
        relevance = "m.relevance"
    else:
        join_m = ""
        relevance = "NULL::DOUBLE"
    # A response counts when it has a comment or another indexed text field.
    where = [
        "(r.comment IS NOT NULL OR r.response_id IN (SELECT response_id FROM voc_texts "
        "WHERE workspace = ? AND field <> 'comment'))"
    ]
    join_theme = ""
    if q.theme_id is not None:
        join_theme = (
            "JOIN voc_theme_members tm ON tm.workspace = ? AND tm.theme_id = ? "
            "AND tm.response_id = r.response_id"
        )
    if q.sentiment_label:
        where.append("s.label = ?")
    join_s = "LEFT JOIN voc_sentiment s ON s.workspace = ? AND s.response_id = r.response_id"
    sentiment = _needs_sentiment(q, columns)
    if not sentiment:
        join_s = ""
        columns = columns.replace("s.sentiment", "NULL::DOUBLE AS sentiment")
    sql = f"""
        WITH {", ".join(ctes)}
        SELECT {columns}, {relevance} AS relevance
        FROM f r
        {join_m}
        {join_s}
        {join_theme}
        WHERE {" AND ".join(where)}
    """
    if sentiment:
        params.append(workspace)
    if q.theme_id is not None:
        params.extend([workspace, int(q.theme_id)])
    params.append(workspace)
    if q.sentiment_label:
        params.append(q.sentiment_label)
    return sql, params, query


def _order(q: VerbatimQuery, query: Query) -> str:
    sort = q.sort if q.sort in SORTS else "date"
    if sort == "relevance" and query.is_empty:
        sort = "date"
    column, default_desc = SORTS[sort]
    column = column.split(".")[-1]
    desc = default_desc if q.descending is None else q.descending
    return f"{column} {'DESC' if desc else 'ASC'} NULLS LAST, response_id DESC"


def verbatims_page(
    engine: Engine, workspace: str, filters: Filters | None, q: VerbatimQuery
) -> VerbatimPage:
    """One page of the listing, with every text field, themes and the total count."""
    if q.page_size < 1 or q.page_size > MAX_PAGE_SIZE:
        raise InputError(f"Page size must be 1 to {MAX_PAGE_SIZE}.")
    db = engine.database
    if db is None:
        raise InputError("Comment search needs the DuckDB engine.")
    page = max(1, int(q.page))
    # Phase 1 on narrow rows (id and sort keys): the page's ids and the total count.
    keys, params, query = _selection(engine, workspace, filters, q, KEY_COLUMNS)
    cur = db.cursor()
    cur.execute(f"CREATE OR REPLACE TEMP TABLE voc_page_keys AS {keys}", params)
    total = int(cur.execute("SELECT count(*) FROM voc_page_keys").fetchall()[0][0])
    ids = cur.execute(
        f"SELECT response_id, relevance FROM voc_page_keys ORDER BY {_order(q, query)} "
        f"LIMIT {int(q.page_size)} OFFSET {int((page - 1) * q.page_size)}"
    ).df()
    cur.execute("DROP TABLE IF EXISTS voc_page_keys")
    # Phase 2: the full rows of those ids only.
    cur.register("voc_page_ids", ids.assign(rank=range(len(ids))))
    try:
        frame = cur.execute(
            f"SELECT {DETAIL_COLUMNS}, p.relevance FROM voc_page_ids p "
            "JOIN responses r ON r.workspace = ? AND r.response_id = p.response_id "
            "LEFT JOIN voc_sentiment s ON s.workspace = ? AND s.response_id = p.response_id "
            "ORDER BY p.rank",
            [workspace, workspace],
        ).df()
    finally:
        cur.unregister("voc_page_ids")
    frame = _with_texts_and_themes(engine, workspace, frame)
    return VerbatimPage(frame, total, page, q.page_size, query)


def all_verbatims(
    engine: Engine, workspace: str, filters: Filters | None, q: VerbatimQuery, limit: int | None
) -> pd.DataFrame:
    """Every matching comment (up to ``limit``), sorted, with texts and themes (the CLI)."""
    sql, params, query = _selection(engine, workspace, filters, q)
    db = engine.database
    if db is None:
        raise InputError("Comment search needs the DuckDB engine.")
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    frame = db.execute(f"SELECT * FROM ({sql}) ORDER BY {_order(q, query)}{tail}", params).df()
    return _with_texts_and_themes(engine, workspace, frame)


def _with_texts_and_themes(engine: Engine, workspace: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``texts`` (field → text, every indexed field) and ``themes`` (labels) per row."""
    out = frame.copy()
    out["themes"] = [[] for _ in range(len(out))]
    out["texts"] = [{} for _ in range(len(out))]
    if out.empty or engine.database is None:
        return out
    cur = engine.database.cursor()
    cur.register("page_ids", pd.DataFrame({"response_id": out.response_id.astype("int64")}))
    try:
        themes = cur.execute(
            "SELECT m.response_id, list(t.label ORDER BY t.label) FROM voc_theme_members m "
            "JOIN page_ids p USING (response_id) JOIN voc_themes t ON t.theme_id = m.theme_id "
            "WHERE m.workspace = ? AND t.kind <> 'dismissed' GROUP BY 1",
            [workspace],
        ).fetchall()
        texts = cur.execute(
            "SELECT v.response_id, list(v.field ORDER BY v.field), list(v.text ORDER BY v.field) "
            "FROM voc_texts v JOIN page_ids p USING (response_id) WHERE v.workspace = ? "
            "GROUP BY 1",
            [workspace],
        ).fetchall()
    finally:
        cur.unregister("page_ids")
    by_theme = {int(r): list(labels) for r, labels in themes}
    by_text = {int(r): dict(zip(fields, values, strict=False)) for r, fields, values in texts}
    out["themes"] = [by_theme.get(int(r), []) for r in out.response_id]
    out["texts"] = [
        by_text.get(int(r)) or ({"comment": c} if isinstance(c, str) else {})
        for r, c in zip(out.response_id, out.comment, strict=False)
    ]
    return out


_WORD_SPLIT = re.compile(r"([^\W_]+)", re.UNICODE)


def highlight_spans(text: str, query: Query) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) for the query's words (folded like the index).

    >>> highlight_spans("Arrived LATE, café", parse_query("late cafe"))
    [('Arrived ', False), ('LATE', True), (', ', False), ('café', True)]
    """
    wanted = set(query.positive_tokens())
    prefixes = tuple(query.prefix_tokens())
    if not wanted:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    for k, part in enumerate(_WORD_SPLIT.split(text)):
        if not part:
            continue
        is_word = k % 2 == 1
        folded = fold(part) if is_word else ""
        hit = is_word and (folded in wanted or (bool(prefixes) and folded.startswith(prefixes)))
        if pieces and pieces[-1][1] == hit:
            pieces[-1] = (pieces[-1][0] + part, hit)
        else:
            pieces.append((part, hit))
    return pieces
