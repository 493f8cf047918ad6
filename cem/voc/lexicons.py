"""The sentiment lexicons: VADER's English lexicon (read from the pinned ``vaderSentiment``
wheel) plus Touchpoint's own customer-experience phrases, and a Korean lexicon.

The CX additions fix what short service comments defeat a general lexicon with: words that
are neutral in prose but bad news in a comment about a service ("late", "waited", "refund",
"on hold", "never arrived", "no one called back"). The Korean lexicon is written for app and
service reviews (stems matched inside a word, since Korean attaches endings: ``불편`` scores
``불편해요`` and ``불편합니다``). Both were written by hand from general language knowledge,
not fitted to any evaluation file (bench/voc_bench.py measures them on real reviews).

Valences use VADER's scale (−4..+4). Nothing here is downloaded: the VADER file ships inside
its wheel, the rest is in this module.
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

from cem.voc.lexicons_more import FAILED_ACTION
from cem.voc.query import fold

LEXICON_VERSION = 7

# -- English: customer-experience words and phrases (added to / overriding VADER) -------------
EN_CX_WORDS: dict[str, float] = {
    "late": -1.8,
    "later": -0.3,
    "delay": -1.8,
    "delayed": -1.9,
    "delays": -1.8,
    "waited": -1.6,
    "waiting": -1.4,
    "wait": -0.9,
    "refund": -1.3,
    "refunded": -0.6,
    "cancelled": -1.4,
    "canceled": -1.4,
    "cancel": -1.2,
    "cancellation": -1.2,
    "overcharged": -2.6,
    "overcharging": -2.6,
    "charged": -0.8,
    "outage": -2.3,
    "outages": -2.3,
    "disconnected": -2.0,
    "dropped": -1.3,
    "drops": -1.2,
    "dropping": -1.3,
    "slow": -1.6,
    "slower": -1.6,
    "unreliable": -2.2,
    "unresolved": -2.0,
    "unanswered": -1.9,
    "rescheduled": -1.5,
    "escalate": -1.4,
    "escalated": -1.4,
    "complaint": -1.8,
    "complaints": -1.8,
    "chasing": -1.6,
    "chase": -1.3,
    "hassle": -1.8,
    "faulty": -2.2,
    "broken": -2.1,
    "missing": -1.5,
    "lost": -1.6,
    "wrong": -1.8,
    "incorrect": -1.7,
    "error": -1.6,
    "errors": -1.6,
    "crash": -2.0,
    "crashes": -2.0,
    "crashing": -2.0,
    "bug": -1.5,
    "bugs": -1.5,
    "expensive": -1.5,
    "pricey": -1.2,
    "increase": -0.8,
    "increased": -0.9,
    "hike": -1.4,
    "nobody": -1.3,
    "twice": -0.6,
    "again": -0.4,
    "still": -0.3,
    "useless": -2.6,
    "pathetic": -2.8,
    "shocking": -2.4,
    "appalling": -3.0,
    "shambles": -2.8,
    "rubbish": -2.4,
    "nightmare": -2.8,
    "ridiculous": -2.2,
    "unacceptable": -2.8,
    "disgraceful": -3.0,
    "ignored": -2.0,
    "unable": -1.8,
    "impossible": -1.8,
    "fix": -1.0,
    "please": -0.6,
    "why": -0.8,
    "bother": -1.0,
    "leave": -0.8,
    "leaving": -1.0,
    "switch": -0.7,
    "switching": -0.9,
    "ontime": 1.8,
    "quick": 1.5,
    "quickly": 1.5,
    "fast": 1.5,
    "prompt": 1.5,
    "promptly": 1.5,
    "efficient": 1.8,
    "resolved": 1.6,
    "sorted": 1.3,
    "fixed": 1.2,
    "seamless": 2.2,
    "smooth": 1.6,
    "smoothly": 1.6,
    "reliable": 1.9,
    "painless": 1.8,
    "professional": 1.7,
    "polite": 1.6,
    "knowledgeable": 1.7,
    "recommend": 1.8,
    "recommended": 1.6,
    "cheap": 0.6,
    "value": 1.0,
    "affordable": 1.5,
    "tidy": 1.2,
    "neatly": 1.3,
    "clear": 1.2,
    "simple": 1.3,
    "straightforward": 1.5,
    "thanks": 1.9,
    "thank": 1.5,
    "brilliant": 2.8,
    "excellent": 3.0,
    "superb": 3.0,
    "fantastic": 2.9,
    # Apps and self-service: failure words a general lexicon leaves neutral or misreads
    # ("freeze" +0.2 in VADER), and the plain praise of a tool that works. Written with the
    # English development corpus (tests/fixtures/voc_sentiment_en.txt), not an evaluation file.
    "freeze": -1.4,
    "freezes": -1.6,
    "freezing": -1.6,
    "frozen": -1.4,
    "laggy": -1.8,
    "lags": -1.6,
    "glitch": -1.6,
    "glitches": -1.6,
    "glitchy": -1.9,
    "clunky": -1.6,
    "unusable": -2.8,
    "unresponsive": -2.0,
    "uninstall": -2.2,
    "uninstalled": -2.4,
    "uninstalling": -2.2,
    "reinstall": -1.4,
    "reinstalled": -1.4,
    "reinstalling": -1.4,
    "restart": -0.9,
    "reload": -0.8,
    "reloading": -0.9,
    "drains": -1.5,
    "ads": -1.0,
    "adverts": -1.0,
    "anymore": -1.2,
    "keeps": -0.6,
    "hung": -0.8,
    "handy": 1.6,
    "convenient": 1.9,
    "intuitive": 1.9,
    "instant": 1.2,
    "instantly": 1.2,
    "useful": 1.9,
}

EN_CX_PHRASES: dict[tuple[str, ...], float] = {
    ("on", "hold"): -2.0,
    ("never", "arrived"): -2.8,
    ("never", "came"): -2.6,
    ("never", "turned", "up"): -2.8,
    ("didnt", "turn", "up"): -2.6,
    ("didnt", "arrive"): -2.4,
    ("not", "arrived"): -2.2,
    ("never", "answered"): -2.6,
    ("never", "replied"): -2.6,
    ("never", "called"): -2.4,
    ("never", "received"): -2.4,
    ("no", "one"): -1.5,
    ("no", "response"): -2.4,
    ("no", "reply"): -2.4,
    ("no", "answer"): -2.2,
    ("no", "signal"): -2.2,
    ("no", "internet"): -2.4,
    ("no", "service"): -2.2,
    ("call", "back"): -0.8,
    ("called", "back"): 0.6,
    ("still", "waiting"): -2.4,
    ("still", "not"): -1.5,
    ("took", "ages"): -2.2,
    ("took", "forever"): -2.4,
    ("too", "long"): -1.8,
    ("so", "long"): -1.2,
    ("hours", "on"): -0.8,
    ("several", "times"): -1.0,
    ("third", "time"): -1.6,
    ("keeps", "dropping"): -2.2,
    ("cut", "off"): -2.0,
    ("went", "down"): -1.8,
    ("let", "down"): -2.3,
    ("waste", "of"): -2.2,
    ("hidden", "fees"): -2.4,
    ("hidden", "charges"): -2.4,
    ("price", "rise"): -1.6,
    ("price", "increase"): -1.6,
    ("doesnt", "work"): -2.4,
    ("not", "working"): -2.2,
    ("stopped", "working"): -2.4,
    ("cant", "open"): -2.0,
    ("cant", "login"): -2.2,
    ("cant", "log"): -2.2,
    ("cant", "access"): -2.2,
    ("cant", "sign"): -2.0,
    ("wont", "open"): -2.2,
    ("wont", "load"): -2.2,
    ("keeps", "crashing"): -2.6,
    ("keep", "it", "up"): 2.0,
    ("on", "time"): 1.8,
    ("no", "problems"): 2.0,
    ("no", "problem"): 1.6,
    ("no", "issues"): 2.0,
    ("no", "complaints"): 2.0,
    ("hassle", "free"): 2.2,
    ("spot", "on"): 2.2,
    ("above", "and", "beyond"): 2.8,
    ("well", "done"): 2.0,
    ("good", "value"): 2.2,
    ("great", "value"): 2.6,
    ("value", "for", "money"): 1.8,
    # Star words, as app reviewers write them.
    ("1", "star"): -2.6,
    ("one", "star"): -2.6,
    ("0", "stars"): -2.8,
    ("zero", "stars"): -2.8,
    ("2", "stars"): -1.6,
    ("two", "stars"): -1.6,
    ("4", "stars"): 1.6,
    ("four", "stars"): 1.6,
    ("5", "stars"): 2.6,
    ("five", "stars"): 2.6,
    # More CX and app phrases (development corpus, see EN_CX_WORDS).
    ("takes", "forever"): -2.4,
    ("taking", "forever"): -2.4,
    ("takes", "ages"): -2.2,
    ("had", "to"): -0.8,
    ("used", "to", "be"): -3.0,  # a past good ("used to be good") is a present bad
    ("a", "joke"): -3.0,
    ("logs", "me", "out"): -1.8,
    ("logged", "out"): -1.4,
    ("black", "screen"): -2.0,
    ("blank", "screen"): -2.0,
    ("white", "screen"): -1.8,
    ("hung", "up"): -1.6,
    ("user", "friendly"): 2.0,
    ("easy", "to", "use"): 1.0,
    ("just", "works"): 2.2,
    ("works", "fine"): 1.2,
    ("works", "well"): 1.2,
    ("works", "great"): 1.2,
    ("works", "perfectly"): 1.0,
    ("does", "everything"): 1.6,
    ("everything", "i", "need"): 1.6,
    ("couldnt", "be", "easier"): 4.0,
    ("couldnt", "be", "better"): 4.0,
    ("couldnt", "be", "happier"): 4.0,
    ("never", "lets", "me"): 2.4,
}

# Negated actions: a word the lexicon has no valence for, one or two words after one of these,
# counts :data:`FAILED_ACTION` ("can't receive the code", "won't even open", "not able to pay",
# "nothing loads"): in a customer comment a negated action is a failure. Function words
# (:data:`EN_FUNCTION_WORDS`) are skipped ("can't be", "doesn't have").
EN_FAILURE_NEGATORS: tuple[str, ...] = (
    "cant", "cannot", "couldnt", "wont", "wouldnt", "doesnt", "dont", "didnt", "isnt",
    "arent", "wasnt", "werent", "hasnt", "havent", "hadnt", "not", "never", "unable",
    "nothing", "none", "neither", "nor",
)  # fmt: skip
EN_FUNCTION_WORDS: tuple[str, ...] = tuple(
    """a an the to of in on at by for from with about into over after before up out off
    it its this that these those i me my we us our you your he she they them their his her
    be been being is are was were am have has had do does did get got gets go even just
    really actually simply still yet too so very much many more most any all some only
    ever again always also anything everything something one there here then than as
    and or but if when how what why who which where because while sure quite that s t""".split()
)

# Words that negate the sentiment of the next three words (VADER's list is added to these).
EN_NEGATORS_EXTRA: tuple[str, ...] = ("never", "no", "not", "without", "nothing", "hardly")

# -- Korean: stems matched inside a word (longest match wins) ---------------------------------
KO_STEMS: dict[str, float] = {
    # negative
    "불편": -2.2,
    "최악": -3.2,
    "짜증": -2.6,
    "오류": -2.0,
    "에러": -2.0,
    "버그": -1.6,
    "느리": -1.6,
    "느려": -1.6,
    "느림": -1.6,
    "답답": -2.2,
    "실망": -2.5,
    "별로": -1.6,
    "안되": -2.0,
    "안돼": -2.0,
    "안됨": -2.0,
    "안됩": -2.0,
    "안좋": -2.0,
    "문제": -1.2,
    "불만": -2.0,
    "화나": -2.5,
    "화가": -2.2,
    "쓰레기": -3.2,
    "엉망": -2.6,
    "형편없": -3.0,
    "개판": -3.0,
    "구리": -2.0,
    "구려": -2.0,
    "구림": -2.0,
    "튕기": -2.0,
    "튕겨": -2.0,
    "튕김": -2.0,
    "먹통": -2.6,
    "멈춤": -2.0,
    "멈추": -1.6,
    "멈춰": -1.6,
    "끊기": -1.6,
    "끊김": -1.6,
    "끊겨": -1.6,
    "삭제": -1.0,
    "해지": -1.5,
    "탈퇴": -1.5,
    "불가": -1.6,
    "귀찮": -1.6,
    "복잡": -1.6,
    "어렵": -1.3,
    "어려": -1.3,
    "힘들": -1.6,
    "헷갈": -1.3,
    "개선": -0.9,
    "제발": -1.6,
    "도대체": -1.8,
    "왜": -0.8,
    "실패": -2.0,
    "장애": -2.0,
    "점검": -0.8,
    "재설치": -1.3,
    "환불": -1.3,
    "지연": -1.6,
    "늦": -1.3,
    "대기": -0.8,
    "불친절": -2.6,
    "무시": -2.0,
    "비추": -2.6,
    "후회": -2.0,
    "손해": -1.6,
    "망했": -2.2,
    "망함": -2.2,
    "나쁘": -2.0,
    "나빠": -2.0,
    "싫": -2.0,
    "불안": -1.6,
    "황당": -2.2,
    "어이없": -2.6,
    "한심": -2.6,
    "노답": -2.6,
    "불량": -2.0,
    "미흡": -1.6,
    "부족": -1.3,
    "아쉽": -1.1,
    "아쉬": -1.1,
    "번거": -1.6,
    "렉": -1.5,
    "오작동": -2.2,
    "엉터리": -2.6,
    "잘못": -1.6,
    "빵점": -3.0,
    "ㅡㅡ": -1.6,
    "ㅠㅠ": -1.2,
    "ㅜㅜ": -1.2,
    "못쓰": -2.2,
    "못하": -1.4,
    "안들어": -1.6,
    "안열": -1.8,
    "안함": -1.0,
    # positive
    "좋": 2.0,
    "최고": 3.0,
    "편리": 2.2,
    "편해": 2.0,
    "편하": 1.8,
    "편함": 1.8,
    "간편": 2.2,
    "빠르": 1.6,
    "빨라": 1.6,
    "빠름": 1.6,
    "신속": 1.6,
    "감사": 2.0,
    "고마": 2.0,
    "고맙": 2.0,
    "만족": 2.3,
    "훌륭": 2.6,
    "굿": 2.0,
    "짱": 2.6,
    "추천": 2.0,
    "친절": 2.0,
    "깔끔": 1.9,
    "쉽": 1.5,
    "쉬워": 1.5,
    "쉬움": 1.5,
    "유용": 1.6,
    "잘되": 1.6,
    "잘돼": 1.6,
    "잘": 0.9,
    "대박": 2.2,
    "멋지": 2.0,
    "멋져": 2.0,
    "예쁘": 1.5,
    "이뻐": 1.5,
    "사랑": 2.5,
    "행복": 2.0,
    "기쁘": 2.0,
    "든든": 1.9,
    "안심": 1.5,
    "혁신": 1.6,
    "강추": 3.0,
    "만점": 2.6,
    "완벽": 2.6,
    "괜찮": 1.3,
    "무난": 0.9,
    "문제없": 1.6,
    "ㅎㅎ": 0.6,
}
# A word right before one of these is negated ("좋지 않아요", "좋지 못해요").
KO_NEGATING_NEXT: tuple[str, ...] = ("않", "못", "아니", "없")
# A word right after one of these is negated ("안 좋아요", "못 써요").
KO_NEGATING_PREV: tuple[str, ...] = ("안", "못")
KO_BOOSTERS: tuple[str, ...] = (
    "너무",
    "진짜",
    "정말",
    "완전",
    "매우",
    "엄청",
    "아주",
    "넘",
    "제일",
)

# Emoji, scored in every supported language.
EMOJI: dict[str, float] = {
    "😡": -3.0,
    "🤬": -3.2,
    "😠": -2.6,
    "🙁": -1.8,
    "☹": -1.8,
    "😞": -2.0,
    "😢": -2.0,
    "😭": -2.2,
    "👎": -2.0,
    "😐": 0.0,
    "🙂": 1.6,
    "😊": 2.2,
    "😄": 2.6,
    "😃": 2.6,
    "😀": 2.4,
    "😍": 2.8,
    "👍": 2.0,
    "❤": 2.6,
    "⭐": 1.2,
    "🎉": 2.2,
}


@lru_cache(maxsize=1)
def vader_module() -> object:
    """The vaderSentiment module (its lexicon file ships in the wheel)."""
    from vaderSentiment import vaderSentiment

    return vaderSentiment


@lru_cache(maxsize=1)
def english_words() -> dict[str, float]:
    """VADER's single-word lexicon folded like the index, with the CX words on top."""
    text = (
        importlib.resources.files("vaderSentiment")
        .joinpath("vader_lexicon.txt")
        .read_text(encoding="utf-8")
    )
    words: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        token = fold(parts[0])
        if token and token.isalnum():
            words.setdefault(token, float(parts[1]))
    words.update(EN_CX_WORDS)
    return words


@lru_cache(maxsize=1)
def english_negators() -> tuple[str, ...]:
    """VADER's negations, folded (``don't`` → ``dont``), plus a few more."""
    vader = vader_module()
    folded = {fold(w) for w in vader.NEGATE}  # type: ignore[attr-defined]
    return tuple(sorted(folded | set(EN_NEGATORS_EXTRA)))


@lru_cache(maxsize=1)
def english_boosters() -> dict[str, float]:
    """VADER's intensifiers (positive boost) and dampeners (negative), folded."""
    vader = vader_module()
    return {fold(k): float(v) for k, v in vader.BOOSTER_DICT.items() if " " not in k}  # type: ignore[attr-defined]


def lexicon_rows() -> list[tuple[str, str, str, str | None, str | None, float]]:
    """Every lexicon entry as (language, kind, token, token2, token3, value) rows, for the
    ``voc_lexicon`` table the DuckDB scoring joins against."""
    rows: list[tuple[str, str, str, str | None, str | None, float]] = []
    for token, value in english_words().items():
        rows.append(("en", "word", token, None, None, value))
    for phrase, value in EN_CX_PHRASES.items():
        padded = [*phrase, None, None][:3]
        rows.append(("en", "phrase", padded[0], padded[1], padded[2], value))  # type: ignore[arg-type]
    for token in english_negators():
        rows.append(("en", "negator", token, None, None, 0.0))
    for token, value in english_boosters().items():
        rows.append(("en", "booster", token, None, None, value))
    rows.extend(("en", "fail_negator", t, None, None, FAILED_ACTION) for t in EN_FAILURE_NEGATORS)
    rows.extend(("en", "function", t, None, None, 0.0) for t in set(EN_FUNCTION_WORDS))
    rows.append(("en", "but", "but", None, None, 0.0))
    rows.append(("en", "but", "however", None, None, 0.0))
    for stem, value in KO_STEMS.items():
        rows.append(("ko", "stem", stem, None, None, value))
    for token in KO_BOOSTERS:
        rows.append(("ko", "booster", token, None, None, 0.293))
    for token in KO_NEGATING_PREV:
        rows.append(("ko", "negator", token, None, None, 0.0))
    for prefix in KO_NEGATING_NEXT:
        rows.append(("ko", "negate_next", prefix, None, None, 0.0))
    for emoji, value in EMOJI.items():
        rows.append(("*", "word", emoji, None, None, value))
    from cem.voc import lexicons_more

    rows.extend(lexicons_more.lexicon_rows())
    return rows
