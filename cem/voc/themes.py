"""Themes: automatic per workspace, editable as keyword/phrase rules, re-applied on import.

**Automatic themes.** TF-IDF over word 1–3-grams of the folded comments (stop words of the
workspace's detected languages from the pinned ``stopwordsiso`` wheel, plus survey filler),
factorised by NMF (``init="nndsvd"``, ``random_state=0``): the same data gives the same themes.
A theme's label is its two strongest phrases; its rule is its three strongest phrases joined
by ``OR``, so an automatic theme is a rule like any other and membership is the same indexed
match (:mod:`cem.voc.index`) at any scale. A sample of at most :data:`MAX_THEME_DOCS`
comments (chosen by a hash of the response id: deterministic) is factorised.

**Rule themes** (``delivery OR courier OR "arrived late"``, :mod:`cem.voc.query`) are created
from a search in one click, renamed, merged (their rules joined by ``OR``) and deleted. An
automatic theme that a person renames or edits becomes a rule theme and is kept when themes
are recomputed; a deleted automatic theme is remembered (kind ``dismissed``) and not proposed
again. Every edit takes ``actor`` and checks ``theme.edit``.
"""

from __future__ import annotations

import pandas as pd

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.errors import InputError
from cem.store.db import Database, bump_revision
from cem.voc.index import match_sql
from cem.voc.query import fold, parse_query, tokens

MAX_THEME_DOCS = 10_000
MAX_THEMES = 10
FILLER_WORDS = (
    "company really just also would could get got one thing things time times lot bit "
    "much many way yes ok okay etc still even well please dont didnt im ive cant wont "
    "thats theres us will can"
).split()


def _stop_words(languages: list[str]) -> list[str]:
    import stopwordsiso

    words: set[str] = set(FILLER_WORDS)
    for lang in languages:
        if stopwordsiso.has_lang(lang):
            words |= {fold(w) for w in stopwordsiso.stopwords(lang)}
    return sorted(words)


def _sample(db: Database, workspace: str) -> pd.DataFrame:
    return db.execute(
        "SELECT v.response_id, string_agg(v.text, ' ') AS text, any_value(s.language) AS lang "
        "FROM voc_texts v LEFT JOIN voc_sentiment s ON s.workspace = v.workspace "
        "AND s.response_id = v.response_id WHERE v.workspace = ? GROUP BY v.response_id "
        "ORDER BY hash(v.response_id), v.response_id LIMIT ?",
        [workspace, MAX_THEME_DOCS],
    ).df()


def discover_themes(
    texts: list[str], languages: list[str], k: int | None = None
) -> list[tuple[str, list[str]]]:
    """(label, top phrases) of automatic themes in ``texts`` (deterministic)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [t for t in texts if t and t.strip()]
    if len(docs) < 20:
        return []
    n_topics = k or max(3, min(MAX_THEMES, len(docs) // 150))
    stop = frozenset(_stop_words(languages or ["en"]))
    vectorizer = TfidfVectorizer(
        analyzer=lambda text: phrases_of(text, stop),
        min_df=max(3, int(0.002 * len(docs))),
        max_df=0.5,
        sublinear_tf=True,
        max_features=20_000,
    )
    try:
        x = vectorizer.fit_transform(docs)
    except ValueError:  # nothing left after stop words
        return []
    n_topics = min(n_topics, x.shape[1] - 1, x.shape[0] - 1)
    if n_topics < 2:
        return []
    model = NMF(n_components=n_topics, init="nndsvd", random_state=0, max_iter=400)
    model.fit(x)
    vocab = vectorizer.get_feature_names_out()
    themes: list[tuple[str, list[str]]] = []
    seen_labels: set[str] = set()
    for component in model.components_:
        order = component.argsort()[::-1]
        strongest = component[order[0]]
        phrases: list[str] = []
        for idx in order[:30]:
            phrase = str(vocab[idx])
            if component[idx] < 0.25 * strongest:
                break
            words = set(phrase.split())
            if any(words & set(p.split()) for p in phrases):
                continue
            phrases.append(phrase)
            if len(phrases) == 5:
                break
        if not phrases:
            continue
        label = _label(phrases)
        if label in seen_labels:
            continue
        seen_labels.add(label)
        themes.append((label, phrases))
    return themes


def phrases_of(text: str, stop: frozenset[str]) -> list[str]:
    """The 1–3-word phrases of a text that neither start nor end with a stop word (so a
    phrase is always words next to each other in the comment, and so a valid rule).

    >>> phrases_of("The router never arrived", frozenset({"the"}))
    ['router', 'never', 'arrived', 'router never', 'never arrived', 'router never arrived']
    """
    words = [w for w in tokens(text) if not w.isdigit()]
    out = [w for w in words if w not in stop and len(w) > 1]
    for n in (2, 3):
        for k in range(len(words) - n + 1):
            gram = words[k : k + n]
            if gram[0] in stop or gram[-1] in stop or any(w.isdigit() for w in gram):
                continue
            out.append(" ".join(gram))
    return out


def _label(phrases: list[str]) -> str:
    """A readable label: the strongest multi-word phrase, else the two strongest words."""
    multi = [p for p in phrases[:3] if " " in p]
    chosen = multi[:1] if multi else phrases[:2]
    return " · ".join(chosen).capitalize()


def rule_for(phrases: list[str]) -> str:
    """The OR rule of a theme's phrases (multi-word ones quoted).

    >>> rule_for(["late", "arrived late"])
    'late OR "arrived late"'
    """
    return " OR ".join(f'"{p}"' if " " in p else p for p in phrases)


def refresh_automatic_themes(db: Database, workspace: str) -> int:
    """Recompute the automatic themes (kept: rule themes and dismissed labels)."""
    sample = _sample(db, workspace)
    counts = sample.lang.value_counts(normalize=True)
    languages = [str(lang) for lang, share in counts.items() if share >= 0.05 and lang != "und"]
    found = discover_themes(sample.text.tolist(), languages)
    with db.transaction() as cur:
        kept = {
            r[0]
            for r in cur.execute(
                "SELECT lower(label) FROM voc_themes WHERE workspace = ? AND kind <> 'auto'",
                [workspace],
            ).fetchall()
        }
        old = [
            r[0]
            for r in cur.execute(
                "SELECT theme_id FROM voc_themes WHERE workspace = ? AND kind = 'auto'", [workspace]
            ).fetchall()
        ]
        for theme_id in old:
            cur.execute("DELETE FROM voc_theme_members WHERE theme_id = ?", [theme_id])
        cur.execute("DELETE FROM voc_themes WHERE workspace = ? AND kind = 'auto'", [workspace])
        added = 0
        for label, phrases in found:
            if label.lower() in kept:
                continue
            cur.execute(
                "INSERT INTO voc_themes(theme_id, workspace, label, kind, rule, phrases) "
                "VALUES (nextval('voc_theme_id_seq'), ?, ?, 'auto', ?, ?)",
                [workspace, label, rule_for(phrases[:3]), phrases],
            )
            added += 1
    return added


def apply_themes(db: Database, workspace: str, theme_ids: list[int] | None = None) -> None:
    """(Re)compute who mentions each theme (all of the workspace's, or ``theme_ids``)."""
    with db.transaction() as cur:
        _apply(cur, workspace, theme_ids)


def _apply(cur, workspace: str, theme_ids: list[int] | None) -> None:  # type: ignore[no-untyped-def]
    rows = cur.execute(
        "SELECT theme_id, rule FROM voc_themes WHERE workspace = ? AND kind <> 'dismissed'",
        [workspace],
    ).fetchall()
    for theme_id, rule in rows:
        if theme_ids is not None and theme_id not in theme_ids:
            continue
        cur.execute("DELETE FROM voc_theme_members WHERE theme_id = ?", [theme_id])
        query = parse_query(rule or "")
        if query.is_empty:
            continue
        sql, params = match_sql(query, workspace)
        cur.execute(
            f"INSERT INTO voc_theme_members SELECT ?, ?, response_id, 1.0 FROM ({sql})",
            [workspace, theme_id, *params],
        )


def list_themes(db: Database, workspace: str) -> pd.DataFrame:
    """The workspace's themes: theme_id, label, kind, rule, phrases, n (mentions)."""
    return db.execute(
        "SELECT t.theme_id, t.label, t.kind, t.rule, t.phrases, count(m.response_id) AS n "
        "FROM voc_themes t LEFT JOIN voc_theme_members m ON m.theme_id = t.theme_id "
        "WHERE t.workspace = ? AND t.kind <> 'dismissed' GROUP BY ALL ORDER BY n DESC, label",
        [workspace],
    ).df()


def _check_rule(rule: str) -> str:
    query = parse_query(rule)
    if query.is_empty:
        raise InputError("A theme needs at least one word or phrase in its rule.")
    return rule.strip()


def _check_label(label: str) -> str:
    clean = " ".join((label or "").split())
    if not clean:
        raise InputError("A theme needs a name.")
    if len(clean) > 80:
        raise InputError("A theme name has at most 80 characters.")
    return clean


def _theme_workspace(cur, theme_id: int) -> str:  # type: ignore[no-untyped-def]
    row = cur.execute("SELECT workspace FROM voc_themes WHERE theme_id = ?", [theme_id]).fetchall()
    if not row:
        raise InputError(f"Theme #{theme_id} does not exist.")
    return str(row[0][0])


def create_theme(db: Database, workspace: str, label: str, rule: str, *, actor: Principal) -> int:
    """A new rule theme (e.g. from the current search); returns its id."""
    require(actor, "theme.edit", workspace)
    label, rule = _check_label(label), _check_rule(rule)
    with db.transaction() as cur:
        theme_id = int(cur.execute("SELECT nextval('voc_theme_id_seq')").fetchall()[0][0])
        cur.execute(
            "INSERT INTO voc_themes(theme_id, workspace, label, kind, rule, phrases) "
            "VALUES (?, ?, ?, 'rule', ?, [])",
            [theme_id, workspace, label, rule],
        )
        _apply(cur, workspace, [theme_id])
        bump_revision(cur, workspace)
    record(db, actor, "theme.create", workspace, f"theme #{theme_id}", label)
    return theme_id


def update_theme(
    db: Database,
    workspace: str,
    theme_id: int,
    *,
    actor: Principal,
    label: str | None = None,
    rule: str | None = None,
) -> None:
    """Rename a theme and/or change its rule (an automatic theme becomes a rule theme)."""
    require(actor, "theme.edit", workspace)
    with db.transaction() as cur:
        if _theme_workspace(cur, theme_id) != workspace:
            raise InputError(f"Theme #{theme_id} is not in workspace '{workspace}'.")
        if label is not None:
            cur.execute(
                "UPDATE voc_themes SET label = ?, kind = 'rule', updated_at = "
                "current_localtimestamp() WHERE theme_id = ?",
                [_check_label(label), theme_id],
            )
        if rule is not None:
            cur.execute(
                "UPDATE voc_themes SET rule = ?, kind = 'rule', updated_at = "
                "current_localtimestamp() WHERE theme_id = ?",
                [_check_rule(rule), theme_id],
            )
            _apply(cur, workspace, [theme_id])
        bump_revision(cur, workspace)
    record(db, actor, "theme.update", workspace, f"theme #{theme_id}", label)


def merge_themes(
    db: Database, workspace: str, theme_ids: list[int], label: str, *, actor: Principal
) -> int:
    """Merge themes into one rule theme (rules joined by OR); returns the new id."""
    require(actor, "theme.edit", workspace)
    if len(set(theme_ids)) < 2:
        raise InputError("Choose at least two themes to merge.")
    with db.transaction() as cur:
        rules = []
        for theme_id in theme_ids:
            if _theme_workspace(cur, theme_id) != workspace:
                raise InputError(f"Theme #{theme_id} is not in workspace '{workspace}'.")
            rules.append(
                cur.execute(
                    "SELECT rule FROM voc_themes WHERE theme_id = ?", [theme_id]
                ).fetchall()[0][0]
            )
        rule = " OR ".join(r for r in rules if r)
        new_id = int(cur.execute("SELECT nextval('voc_theme_id_seq')").fetchall()[0][0])
        cur.execute(
            "INSERT INTO voc_themes(theme_id, workspace, label, kind, rule, phrases) "
            "VALUES (?, ?, ?, 'rule', ?, [])",
            [new_id, workspace, _check_label(label), rule],
        )
        for theme_id in theme_ids:
            _delete(cur, theme_id)
        _apply(cur, workspace, [new_id])
        bump_revision(cur, workspace)
    merged = ", ".join(f"#{t}" for t in theme_ids)
    record(db, actor, "theme.merge", workspace, f"theme #{new_id}", f"merged {merged}")
    return new_id


def _delete(cur, theme_id: int) -> None:  # type: ignore[no-untyped-def]
    cur.execute("DELETE FROM voc_theme_members WHERE theme_id = ?", [theme_id])
    cur.execute(
        "UPDATE voc_themes SET kind = 'dismissed', updated_at = current_localtimestamp() "
        "WHERE theme_id = ? AND kind = 'auto'",
        [theme_id],
    )
    cur.execute("DELETE FROM voc_themes WHERE theme_id = ? AND kind = 'rule'", [theme_id])


def delete_theme(db: Database, workspace: str, theme_id: int, *, actor: Principal) -> None:
    """Delete a theme (an automatic one is remembered so it is not proposed again)."""
    require(actor, "theme.edit", workspace)
    with db.transaction() as cur:
        if _theme_workspace(cur, theme_id) != workspace:
            raise InputError(f"Theme #{theme_id} is not in workspace '{workspace}'.")
        _delete(cur, theme_id)
        bump_revision(cur, workspace)
    record(db, actor, "theme.delete", workspace, f"theme #{theme_id}")
