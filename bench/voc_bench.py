"""Voice-of-the-customer benchmark: sentiment quality on real comments, and speed at scale.

**Quality** — ROC AUC of sentiment for separating low from high scores (NPS 0–6 vs 9–10;
stars 1–2 vs 4–5) on the shared real datasets, per detected language, beside plain VADER's
compound score, twice:

- *text only*: Touchpoint's lexicon score (the figure that matters: no score is used);
- *blended*: ``0.5 · lexicon + 0.5 · model`` where the model is the workspace's weak-label
  TF-IDF + logistic regression, scored **out of fold** (5 folds, fixed seed), so no comment
  is scored by a model that saw its own label.

Each figure is given for three lexicons: the *full* one; *held out*, without the English
app-review entries (:data:`APP_REVIEW_WORDS`, :data:`APP_REVIEW_PHRASES`), which an earlier
round wrote after the googleplay file had been looked at; and *no CX entries at all* (the
shipped lexicons with the scoring rules only: negation in its clause, failed actions,
contrast, intensifiers). **Held out is the English figure that counts**: every English entry
it keeps was written from general CX knowledge or against the English *development corpus*
``tests/fixtures/voc_sentiment_en.txt`` (100 comments and app reviews written for this
project, committed before the scorer changes it checked); no entry or rule was fitted to
the rows of the shared files, which are evaluated, never inspected row by row.

The small hand-labelled corpora in ``tests/fixtures`` are scored too (no scores, so no
blend): the English development corpus (100; not held out, by construction), and 40
comments each for fr, de, nl, pt, da and es, written before each lexicon was wired in. The
shared datasets hold no Spanish or Italian comments, so those corpora are the only
non-English/Korean figures.

A comment the lexicon cannot score (an unsupported language) counts as neutral (0), as it
would on screen. Files are imported through ``cem.ingest`` like a user's upload; where the
detection picks the wrong comment column the bench confirms the right one, as a user would on
the import page (``COMMENT_OVERRIDES``).

**Speed** — on N synthetic comments (default 1,000,000; the machine has 2 cores shared with
other agents, so figures are noisy): index build, sentiment (languages + lexicon + model),
themes (automatic + rule membership), search, and the verbatims first page (cold and warm),
beside the baseline of plain VADER row by row in Python on a sample, extrapolated.

Run::

    .venv/bin/python bench/voc_bench.py --rows 1000000
    .venv/bin/python bench/voc_bench.py --quality-only
    .venv/bin/python bench/voc_bench.py --speed-only --rows 1000000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cem.access.principal import CLI_ADMIN  # noqa: E402
from cem.ingest.load import import_file  # noqa: E402
from cem.store.db import Database  # noqa: E402
from cem.voc import sentiment as voc_sentiment  # noqa: E402
from cem.voc.index import build_index  # noqa: E402

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SOURCES: tuple[tuple[str, str], ...] = (
    ("nps_verbatims", "nps_verbatims/nps_verbatims.csv"),
    ("googleplay_kr_banks", "googleplay_kr_banks/google_play_reviews.csv"),
)
# What a user confirms on the import page: the comment column where detection guessed
# another one, and the star rating as CSAT (detection leaves a bare 1-5 "score" unmapped).
COMMENT_OVERRIDES: dict[str, dict[str, str]] = {
    "googleplay_kr_banks": {"comment": "content", "csat": "score"}
}
FOLDS = 5


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC (ties count half); NaN when a class is missing."""
    from sklearn.metrics import roc_auc_score

    if len(set(labels.tolist())) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))


def _load(db: Database, name: str, relative: str) -> pd.DataFrame:
    path = DATASETS / relative
    import_file(db, name, path, "responses", actor=CLI_ADMIN, overrides=COMMENT_OVERRIDES.get(name))
    build_index(db, name)
    languages = voc_sentiment.detect_languages(db, name)
    lex = voc_sentiment.lexicon_scores(db, name, languages)
    labels = voc_sentiment.weak_labels(db, name)
    texts = db.execute(
        "SELECT response_id, comment FROM responses WHERE workspace = ?", [name]
    ).df()
    frame = labels.merge(lex, on="response_id").merge(texts, on="response_id")
    docs = voc_sentiment.token_lists(db, name, frame.response_id.tolist())
    frame["tokens"] = [docs.get(i, []) for i in frame.response_id]
    return frame


def _out_of_fold(frame: pd.DataFrame) -> np.ndarray:
    rng = np.random.default_rng(0)
    fold = rng.integers(0, FOLDS, len(frame))
    out = np.full(len(frame), np.nan)
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        fitted = voc_sentiment.fit_model(frame.tokens[train].tolist(), frame.label[train].tolist())
        if fitted is None:
            continue
        terms, intercept = fitted
        probs = voc_sentiment.model_probability(terms, intercept, frame.tokens[test].tolist())
        out[test] = [np.nan if p is None else 2 * p - 1 for p in probs]
    return out


# English entries written for app reviews after the googleplay file had been looked at: the
# held-out figure leaves them out.
APP_REVIEW_WORDS = (
    "crash",
    "crashes",
    "crashing",
    "bug",
    "bugs",
    "error",
    "errors",
    "fix",
    "please",
    "why",
    "unable",
    "impossible",
    "update",
)
APP_REVIEW_PHRASES = (
    ("doesnt", "work"), ("not", "working"), ("stopped", "working"), ("cant", "open"),
    ("cant", "login"), ("cant", "log"), ("cant", "access"), ("cant", "sign"), ("wont", "open"),
    ("wont", "load"), ("keeps", "crashing"),
)  # fmt: skip
VARIANTS = ("full", "held out: no app-review entries", "no CX entries at all")
HAND_LABELLED = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


@contextlib.contextmanager
def lexicon_variant(variant: str) -> Iterator[None]:
    """Score with Touchpoint's hand-written entries partly or wholly removed (for the
    held-out figures); restores them afterwards."""
    from cem.voc import lexicons, lexicons_more

    saved = (dict(lexicons.EN_CX_WORDS), dict(lexicons.EN_CX_PHRASES), dict(lexicons_more._CX_CORE))
    if variant == "held out: no app-review entries":
        for word in APP_REVIEW_WORDS:
            lexicons.EN_CX_WORDS.pop(word, None)
        for phrase in APP_REVIEW_PHRASES:
            lexicons.EN_CX_PHRASES.pop(phrase, None)
    elif variant == "no CX entries at all":
        lexicons.EN_CX_WORDS.clear()
        lexicons.EN_CX_PHRASES.clear()
        lexicons_more._CX_CORE.clear()
    lexicons.english_words.cache_clear()
    lexicons_more.words.cache_clear()
    try:
        yield
    finally:
        for target, value in zip(
            (lexicons.EN_CX_WORDS, lexicons.EN_CX_PHRASES, lexicons_more._CX_CORE),
            saved,
            strict=True,
        ):
            target.clear()
            target.update(value)  # type: ignore[arg-type]
        lexicons.english_words.cache_clear()
        lexicons_more.words.cache_clear()


def _auc_row(dataset: str, variant: str, lang: str, part: pd.DataFrame) -> dict[str, object]:
    y = part.label.to_numpy()
    return {
        "dataset": dataset,
        "lexicon": variant,
        "language": lang,
        "n": len(part),
        "low": int((y == 0).sum()),
        "high": int((y == 1).sum()),
        "vader_auc": auc(y, part.vader.to_numpy()),
        "text_only_auc": auc(y, part.text_only.to_numpy()),
        "blended_auc": auc(y, part.blended.to_numpy()) if "blended" in part else float("nan"),
    }


def quality_table(variants: tuple[str, ...] = VARIANTS) -> pd.DataFrame:
    """The AUC table: one row per dataset, lexicon variant and language (and 'all')."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    rows = []
    for variant in variants:
        with lexicon_variant(variant):
            db = Database(":memory:")
            for name, relative in SOURCES:
                if not (DATASETS / relative).exists():
                    print(f"(skipped {name}: {DATASETS / relative} not found)")
                    continue
                frame = _load(db, name, relative)
                frame["vader"] = [vader.polarity_scores(t)["compound"] for t in frame.comment]
                frame["text_only"] = frame.lexicon_score.fillna(0.0)
                model = _out_of_fold(frame)
                frame["blended"] = np.where(
                    np.isnan(model),
                    frame.text_only,
                    np.where(
                        frame.lexicon_score.isna(),
                        model,
                        (1 - voc_sentiment.MODEL_WEIGHT) * frame.text_only
                        + voc_sentiment.MODEL_WEIGHT * np.nan_to_num(model),
                    ),
                )
                groups = [("all", frame)] + [
                    (lang, part) for lang, part in frame.groupby("language") if len(part) >= 30
                ]
                rows.extend(_auc_row(name, variant, lang, part) for lang, part in groups)
            db.close()
            rows.extend(_hand_labelled_rows(variant, vader))
    return pd.DataFrame(rows)


def _hand_labelled_rows(variant: str, vader: object) -> list[dict[str, object]]:
    """The small hand-labelled corpora (40 comments per language, no scores: no blend)."""
    rows = []
    for path in sorted(HAND_LABELLED.glob("voc_sentiment_*.txt")):
        lang = path.stem.removeprefix("voc_sentiment_")
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln[:1] in "01"]
        texts = [ln.split("\t", 1)[1] for ln in lines]
        part = pd.DataFrame({"label": [int(ln[0]) for ln in lines], "comment": texts})
        part["vader"] = [vader.polarity_scores(t)["compound"] for t in texts]  # type: ignore[attr-defined]
        part["text_only"] = voc_sentiment.score_texts(texts).lexicon_score.fillna(0.0).to_numpy()
        rows.append(_auc_row("hand-labelled (tests/fixtures)", variant, lang, part))
    return rows


# -- speed -----------------------------------------------------------------------------
_NEG = [
    "delivery was {d} days late and support never answered",
    "on hold for {m} minutes, nobody called back",
    "the router never arrived, I want a refund",
    "installer came late and the wifi keeps dropping",
    "billing was wrong again, overcharged £{p}",
    "app crashes every time I log in",
]
_POS = [
    "installation was quick and the engineer was very helpful",
    "great speed, no problems at all",
    "support sorted it in {m} minutes, thank you",
    "delivery arrived on time, easy setup",
    "good value for money and reliable",
]
_NEU = ["it was ok", "average service, nothing special", "router arrived in {d} days"]


def synthetic_comments(n: int, seed: int = 0) -> pd.DataFrame:
    """n responses with a comment, an NPS answer and the standard dimensions."""
    rng = np.random.default_rng(seed)
    nps = rng.integers(0, 11, n)
    texts = []
    for score, d, m, p in zip(
        nps, rng.integers(2, 15, n), rng.integers(5, 90, n), rng.integers(5, 80, n), strict=False
    ):
        bank = _NEG if score <= 6 else _POS if score >= 9 else _NEU
        text = bank[int(rng.integers(0, len(bank)))].format(d=d, m=m, p=p)
        texts.append(text)
    start = np.datetime64("2025-01-01T00:00:00")
    return pd.DataFrame(
        {
            "response_id": np.arange(1, n + 1, dtype="int64"),
            "nps": nps.astype("int16"),
            "comment": texts,
            "submitted_at": start + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]"),
            "segment": rng.choice(["SMB", "Enterprise", "Consumer"], n),
            "touchpoint": rng.choice(["Order", "Delivery", "Installation", "Billing"], n),
        }
    )


def _timed(func, repeat: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def speed_table(rows: int) -> pd.DataFrame:
    """Timings at ``rows`` comments, beside plain VADER in Python (extrapolated)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from cem.analytics.engine import duckdb_engine
    from cem.analytics.filters import Filters
    from cem.voc.jobs import analyse_workspace
    from cem.voc.verbatims import VerbatimQuery, verbatims_page

    data = synthetic_comments(rows)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.duckdb")
        ws = "bench"
        db.execute("INSERT INTO workspaces(name) VALUES (?)", [ws])
        cur = db.cursor()
        cur.register("bench_rows", data)
        cur.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, submitted_at, nps, "
            "comment, segment, touchpoint) SELECT response_id, ?, 1, submitted_at, nps, "
            "comment, segment, touchpoint FROM bench_rows",
            [ws],
        )
        cur.unregister("bench_rows")
        marks: list[tuple[str, float]] = []

        def progress(_fraction: float, message: str) -> None:
            marks.append((message, time.perf_counter()))

        seconds, _ = _timed(lambda: analyse_workspace(db, ws, progress=progress))
        out.append(("analysis: index + sentiment + themes", rows, seconds, ""))
        for (message, at), (_next, until) in zip(marks, marks[1:], strict=False):
            out.append(("  step: " + message.split(" of ")[0], rows, until - at, ""))
        sample = data.comment.head(20_000).tolist()
        vader = SentimentIntensityAnalyzer()
        started = time.perf_counter()
        for text in sample:
            vader.polarity_scores(text)
        per_row = (time.perf_counter() - started) / len(sample)
        out.append(("baseline: plain VADER in Python (extrapolated)", rows, per_row * rows, ""))
        engine = duckdb_engine(db)
        for label, q in (
            ("first page, newest first", VerbatimQuery()),
            ("first page, most negative", VerbatimQuery(sort="sentiment")),
            ("search 'late' by relevance", VerbatimQuery(search="late", sort="relevance")),
            ('search "never arrived" -refund', VerbatimQuery(search='"never arrived" -refund')),
            ("first page, segment filter", VerbatimQuery()),
        ):
            filters = Filters.make(segment=["SMB"]) if "segment" in label else Filters()
            cold, _ = _timed(lambda q=q, f=filters: verbatims_page(engine, ws, f, q))
            warm, page = _timed(lambda q=q, f=filters: verbatims_page(engine, ws, f, q), 5)
            out.append((label + " (cold)", rows, cold, f"{page.total:,} matches"))
            out.append((label + " (warm, median of 5)", rows, warm, ""))
        db.close()
    return pd.DataFrame(out, columns=["step", "comments", "seconds", "note"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    if not args.speed_only:
        quality = quality_table()
        print("\nSentiment ROC AUC, low vs high scores (baseline: plain VADER compound)")
        print("(blended_auc: NaN where the corpus has no scores to learn from)")
        print(quality.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"load average: {os.getloadavg()}")
    if not args.quality_only:
        print(f"load average before: {os.getloadavg()}")
        speed = speed_table(args.rows)
        print(f"\nSpeed at {args.rows:,} comments (2 shared cores shared with other agents)")
        print(speed.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
