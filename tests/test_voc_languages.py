"""Sentiment beyond English and Korean: lexicons read from pinned packages (Spanish through
Snowball stems), negation per language, and the AUC on small hand-labelled corpora
(tests/fixtures/voc_sentiment_*.txt, 40 comments per language, written before the lexicons
were wired)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cem.voc import lexicons_more
from cem.voc.sentiment import score_texts, sentiment_note

FIXTURES = Path(__file__).parent / "fixtures"
LANGUAGES = ("fr", "de", "nl", "pt", "da", "es")


def labelled(language: str) -> tuple[list[str], list[int]]:
    """The hand-labelled corpus of one language: (texts, labels 1 = satisfied)."""
    lines = (FIXTURES / f"voc_sentiment_{language}.txt").read_text(encoding="utf-8")
    rows = [ln.split("\t", 1) for ln in lines.splitlines() if ln and not ln.startswith("#")]
    return [text for _label, text in rows], [int(label) for label, _text in rows]


def test_lexicons_are_read_from_installed_packages() -> None:
    assert lexicons_more.supported_languages() == LANGUAGES
    for language in LANGUAGES:
        package, relative, _kind, _scale = lexicons_more.SOURCES[language]
        base = lexicons_more._package_dir(package)
        assert base is not None and "site-packages" in str(base)
        assert (base / relative).is_file()
        assert len(lexicons_more.words(language, with_cx=False)) > 2000


def test_spanish_words_are_matched_through_their_snowball_stems() -> None:
    # SentiLeak's lexicon holds stems; every inflection of a word meets the same stem, and
    # the accent the index drops is put back where the stem needs it.
    values = lexicons_more.stem_values("es", ["pesimo", "pesima", "reclamacion", "mesa"])
    assert values["pesimo"] == values["pesima"] < 0
    assert "reclamacion" in values and "mesa" not in values


def test_folding_never_turns_a_word_into_a_function_word() -> None:
    # "schön" folds to "schon" (already), which would make every "schon" very positive.
    assert "schon" not in lexicons_more.words("de")
    # French elision: the index drops the apostrophe of "d'excellents".
    assert lexicons_more.words("fr")["dexcellent"] == lexicons_more.words("fr")["excellent"]


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Très bon service, merci", 1),
        ("Le service n'est pas bon", -1),
        ("Die App ist gut", 1),
        ("Die App ist nicht gut", -1),
        ("Ich kann es nicht empfehlen", -1),
        ("Het werkt niet goed", -1),
        ("Ik ben heel tevreden", 1),
        ("Gostei muito do atendimento", 1),
        ("Não gostei do atendimento", -1),
        ("Jeg er meget tilfreds", 1),
        ("Jeg er ikke tilfreds", -1),
        ("El servicio es excelente", 1),
        ("El servicio no es bueno", -1),
        ("La aplicación no funciona", -1),  # a failed action
        ("Me atendieron rápido, muy amables", 1),
    ],
)
def test_clear_phrases_and_negation_per_language(text: str, sign: int) -> None:
    out = score_texts([text])
    assert out.lexicon_score[0] * sign > 0.05


def test_negation_after_the_word_in_german_dutch_danish() -> None:
    # The verb-second languages put "nicht/niet/ikke" after the word it negates.
    out = score_texts(["Zufrieden bin ich nicht", "Hjælper det ikke", "Tevreden ben ik niet"])
    assert (out.lexicon_score < 0).all(), out


def test_unsupported_language_is_said_not_scored() -> None:
    out = score_texts(
        ["La consegna è arrivata in ritardo e nessuno ha risposto al telefono, pessimo"]
    )
    assert out.language[0] == "it" and pd.isna(out.sentiment[0])
    assert sentiment_note(None, "sv") == "no sentiment for Swedish"
    assert sentiment_note(None, "it") == "no sentiment for Italian"
    assert sentiment_note(0.4, "fr") is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_auc_on_hand_labelled_corpus_beats_vader(language: str) -> None:
    texts, y = labelled(language)
    assert len(texts) >= 40 and sum(y) == 20
    out = score_texts(texts)
    assert (out.language == language).mean() >= 0.9
    ours = roc_auc_score(y, out.lexicon_score.fillna(0))
    vader = SentimentIntensityAnalyzer()
    plain = roc_auc_score(y, [vader.polarity_scores(t)["compound"] for t in texts])
    assert ours >= 0.75 and ours > plain + 0.15, (ours, plain)


def test_comment_card_says_which_language_has_no_sentiment() -> None:
    from cem.ui.voc import sentiment_badge

    assert "no sentiment for Italian" in sentiment_badge(None, None, "it")
    assert "no sentiment (language not recognised)" in sentiment_badge(None, None, "und")
    assert "+0.40" in sentiment_badge(0.4, "positive", "fr")
