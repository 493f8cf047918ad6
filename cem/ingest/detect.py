"""Role detection: which column of an upload is the NPS, the date, the customer id, ...

Each column gets a role (one of :data:`ROLES` for the kind of data), or stays an
*attribute* (kept as is: numeric attributes become ratings/drivers and filters, text
ones filter dimensions), or is *ignored* (a leftover row index). Every guess comes with
a confidence (0-1) and a one-line reason that the import page shows.

How a column earns a role (generic rules, no file-specific names):

1. Its **header**, normalised (``customerID`` -> ``customer id``, ``NPS_SCORE`` ->
   ``nps score``), is matched against English words and common variants for each role
   ("How likely are you to recommend ..." -> NPS, "Review Text" -> comment, "Created at"
   -> date, "TotalCharges" -> revenue, ...). Headers starting with ``next``/``prev`` (a
   pre-computed following row) are penalised.
2. Its **values** must fit the role: NPS whole numbers 0-10, CSAT 1-5, CES 1-7, dates in a
   recognisable format, churn flags yes/no/true/false/1/0, revenue numeric.
3. A role can be earned by values alone (no header hint) only when exactly one column fits:
   whole numbers 0-10 reaching 7 or more -> NPS, 1-5 -> CSAT, 1-7 reaching 6 -> CES, a single
   date column -> the date, a single long free-text column -> the comment.
4. Each role goes to its best-scoring column; each column takes at most one role.
5. Events need a touchpoint; when no column is named like one, the channel column is used
   for it too (a path across devices/channels is the journey), with a low confidence and a
   note; otherwise the user sets a constant (``--set touchpoint=purchase``).

A leftover index column (blank header, ``Unnamed: 0``, ``index``, ``number``, ``#``, ``row``,
with values counting 0,1,2,... or 1,2,3,...) is ignored.

>>> import pandas as pd
>>> df = pd.DataFrame({"Date": ["01/02/2024"], "How likely are you to recommend us?": ["9"]})
>>> guesses = detect_roles(df, "responses")
>>> [(g.column, g.role) for g in guesses]
[('Date', 'submitted_at'), ('How likely are you to recommend us?', 'nps')]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from cem.ingest.dates import DateFormat, detect_date_format

ROLES: dict[str, tuple[str, ...]] = {
    "responses": (
        "customer_id",
        "submitted_at",
        "nps",
        "csat",
        "ces",
        "comment",
        "channel",
        "touchpoint",
        "stage",
        "segment",
        "persona",
    ),
    "events": ("customer_id", "occurred_at", "touchpoint", "channel", "stage"),
    "customers": (
        "customer_id",
        "segment",
        "persona",
        "first_seen",
        "churned",
        "churned_at",
        "revenue",
    ),
}
KIND_HELP: dict[str, str] = {
    "responses": "survey answers or reviews: one row per response (NPS, CSAT, CES, comment, "
    "ratings).",
    "events": "a touchpoint log: one row per thing a customer did (customer, time, touchpoint).",
    "customers": "a customer list: one row per customer (segment, first seen, churn, revenue).",
}
ROLE_LABELS: dict[str, str] = {
    "customer_id": "customer id",
    "submitted_at": "date of the response",
    "occurred_at": "time of the event",
    "nps": "NPS (0-10)",
    "csat": "CSAT (1-5)",
    "ces": "CES (1-7)",
    "comment": "comment",
    "channel": "channel",
    "touchpoint": "touchpoint",
    "stage": "journey stage",
    "segment": "segment",
    "persona": "persona",
    "first_seen": "first seen / sign-up date",
    "churned": "churn flag",
    "churned_at": "churn date",
    "revenue": "revenue",
}
DATE_ROLES = frozenset({"submitted_at", "occurred_at", "first_seen", "churned_at"})
SCORE_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SCORE_SHARE = 0.6  # a score column named like one: this share of values must be in range
ATTRIBUTE = "attribute"
IGNORE = "ignore"

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "churned", "churn", "lost", "left"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "active", "retained", "stayed"})
# Cells that mean "no value" in real exports (R, SPSS, Excel, databases): blanks, not rejects.
MISSING_TOKENS = frozenset({"na", "n/a", "#n/a", "null", "nan", "-", "—", "–", "--"})
COMMENT_FIELD = "comment_field"  # a further free-text column: searchable, not the comment
_ID_SUBJECTS = (
    "customer|client|user|visitor|member|account|cust|respondent|passenger|buyer|shopper|"
    "guest|patient|subscriber|contact|person|consumer|household|lead|prospect|profile|"
    "student|learner|player|reviewer|kunde|kunden|cliente|usuario|utilisateur|klant|"
    "gebruiker|bruger|kund|utente|deltager|participant|viewer"
)
# Whose id it is not: a ticket/order/review key, or a company-side person.
_NOT_CUSTOMER = re.compile(
    r"\b(agent|employee|staff|owner|operator|ticket|review|order|invoice|transaction|"
    r"session|product|item|survey|response|message|case|collector|distribution|device|"
    r"app|version|thread|post|article|course|group)\b"
)
# Likelihood to recommend, in en/es/fr/de/pt/it/nl/da (headers are normalised: no accents).
NPS_WORDS = re.compile(
    r"\b(nps|net promoter|promoter score|ltr|likelihood to recommend)\b|recommend|"
    r"recomend|recomiend|recommand|empfehl|empfiehl|raccomand|consiglier|consigli[ae]re|"
    r"aanbevel|aanbeveel|aanraden|aan te bevelen|anbefal|indicaria|\bindicar\b"
)
CSAT_WORDS = re.compile(
    r"\bcsat\b|satisf|soddisf|zufrieden|tevreden|tilfreds|\bcontent(e|o)? (de|con|avec)\b"
)
CES_WORDS = re.compile(
    r"\b(ces|customer effort|effort score|effort)\b|\bhow easy\b|\bease of\b|\beasy (was|is|it)\b|"
    r"esfuerzo|aufwand|\binspanning\b|\bindsats\b|sforzo|\bfacil\b|\bfacile\b|\beinfach\b|"
    r"gemakkelijk|makkelijk|\bnemt\b"
)
# Header words of numbers that are never a score: counts, ids, versions, years, money, time.
NOT_SCORE_WORDS = re.compile(
    r"\b(count|counts|number|num|nb|nr|no of|qty|quantity|interactions|visits|views|clicks|"
    r"sessions|id|ids|uid|version|year|years|age|duration|minutes?|mins?|seconds?|secs?|"
    r"hours?|hrs?|days|weeks|months|delay|votes?|thumbs|likes|upvotes|helpful|total|sum|rank|"
    r"position|index|size|length|weight|height|zip|postcode|phone|code|how many|how much|"
    r"anzahl|nombre de|numero de|cantidad|aantal|antal|times|tickets|orders|purchases|items|"
    r"pages|replies)\b"
)
# Money is never a score either (but "satisfied with the price" is a CSAT question).
MONEY_WORDS = re.compile(
    r"\b(price|prices|cost|costs|amount|fee|fees|revenue|spend|spent|preis|prix|precio)\b"
)
_LITERAL_SCORE = re.compile(
    r"^(nps|csat|ces|nps score|csat score|ces score|net promoter score|score nps|nps rating)$"
)
_COMMENT_WORDS = (
    r"\b(comments?|feedback|verbatims?|review text|review|reviews|free text|open text|"
    r"remarks?|reason|why|what could we|tell us|suggestions?|complaint|text|message|"
    r"body|notes?|answer text|opinion|content|description|explain|improve|like best|"
    r"like least|anything else|other thoughts|commentaire|commentaires|remarque|avis|"
    r"pourquoi|kommentar|kommentare|anmerkung|bemerkung|warum|comentario|comentarios|"
    r"observaciones|opinion|por que|porque|motivo|commento|commenti|perche|opmerking|"
    r"opmerkingen|toelichting|waarom|bemaerkning|kommentarer|hvorfor|sugestao|sugerencia)\b"
)
# A reply by the company (app developer, owner, agent) is not the customer's words or time.
_REPLY = re.compile(
    r"\b(reply|replies|replied|developer|owner response|management response|response from|"
    r"staff response|company response|merchant|answered by|antwort|respuesta de|reponse de)\b"
)
# A date that is not when the response/event happened.
_OTHER_DATE = re.compile(
    r"\b(experience|flown|flight|travel|visit|stay|trip|birth|dob|born|expiry|expires|due|"
    r"resolved|closed|updated|modified|changed|last|end|ended|deleted|shipped|delivered|"
    r"initial|first response)\b"
)

# (role, regex over the normalised header, score). The first matching pattern per role counts.
_NAME_RULES: dict[str, tuple[tuple[str, float], ...]] = {
    "customer_id": (
        (rf"\b({_ID_SUBJECTS}) ?(id|no|number|key|code|ref|nr|nummer|numero|num)\b", 1.0),
        (rf"\b(id|no|nr|num|numero) ({_ID_SUBJECTS})\b", 1.0),
        (rf"^(({_ID_SUBJECTS}) ?(name|email|e mail|login)?|username|email|e mail)$", 0.7),
        (r"^(id|uid|guid)$", 0.55),
    ),
    "nps": ((NPS_WORDS.pattern, 1.0),),
    "csat": ((CSAT_WORDS.pattern, 0.95),),
    "ces": ((CES_WORDS.pattern, 0.95),),
    "comment": ((_COMMENT_WORDS, 0.9),),
    "channel": (
        (r"\b(channel|medium|source channel|device|platform|via|device app|device type)\b", 0.9),
        (r"^(source|origin|acquisition origin|lead source|acquisition channel)$", 0.7),
        (r"\b(canal|kanal|herkunft|origine|origen|source)\b", 0.6),
    ),
    "touchpoint": (
        (r"\b(touch ?points?|interaction|event( type| name)?|action|activity|page)\b", 0.9),
        (r"\b(survey (sub )?type|survey name|trigger|sub type)\b", 0.75),
    ),
    "stage": ((r"\b(journey stage|stage|phase|lifecycle|funnel step|step)\b", 0.9),),
    "segment": ((r"\b(segment|customer type|customer segment|tier|plan|cohort group)\b", 0.9),),
    "persona": ((r"\bpersonas?\b", 1.0),),
    "submitted_at": (
        (
            r"\b(response date|survey date|submitted( at| on| date)?|submission( date)?|"
            r"completed( at| on| date)?|created( at| on| date| time)?|responded( at| on)?|"
            r"date submitted|date completed|recorded( at)?|end date)\b",
            1.0,
        ),
        (r"\b(date|datetime|timestamp|time stamp|ts|time|when|day|fecha|datum|dato|data)\b", 0.85),
        (r"^(at|on)$", 0.8),
    ),
    "occurred_at": (
        (
            r"\b(event (date|time)|occurred( at| on)?|timestamp|time stamp|datetime|"
            r"start time|started( at)?)\b",
            1.0,
        ),
        (r"\b(ts|date|time|created( at| on)?|when|day|ds|fecha|datum|dato)\b", 0.85),
        (r"^(at|on)$", 0.8),
    ),
    "first_seen": (
        (
            r"\b(first seen|sign ?up( date)?|signed up|joined( at| on)?|join date|"
            r"registration( date)?|registered( at| on)?|customer since|member since|"
            r"first purchase|first contact|first contact date|acquired( at| on)?|"
            r"acquisition date|start date|created( at| on)?|lead date)\b",
            1.0,
        ),
        (r"^(date|since)$", 0.5),
    ),
    "churned": (
        (r"\b(churn|churned|is churned|attrition|attrited|exited|cancelled|canceled)\b", 1.0),
        (r"\b(left|lost)\b", 0.6),
    ),
    "churned_at": (
        (
            r"\b(churn(ed)? (date|at|on)|cancell?ed (at|on|date)|cancellation date|"
            r"end date|left (at|on)|lost (at|on))\b",
            1.0,
        ),
    ),
    "revenue": (
        (
            r"\b(total (charges|revenue|spend|spent|sales|amount|value)|lifetime value|clv|ltv|"
            r"revenue to date|total)\b",
            1.0,
        ),
        (r"\b(revenue|sales|spend|spent|amount|charges|value|monetary|arpu|price)\b", 0.8),
    ),
}
# Events only: what kind of thing happened (a ticket's type, a queue) is the touchpoint.
_EVENT_TOUCHPOINT = re.compile(r"\b(type|category|topic|group|queue|subject|reason)\b")
_NEGATIVE = re.compile(r"^(next|prev|previous|last|prior) ")
_INDEX_NAMES = re.compile(r"^(|unnamed( \d+)?|index|idx|number|no|#|row|row number|row id)$")
_TIME_HINT = re.compile(r"\b(start|min|begin|first|from)\b")
_END_HINT = re.compile(r"\b(end|max|until|to|stop)\b")
_DATE_HINT = re.compile(r"\b(date|time|ts|ds|day|since|at|on|when|seen|timestamp|dt|fecha|datum)\b")
# Values that are codes, not words: UUIDs, hashes, URLs, e-mails, versions, ids.
_CODE = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|"
    r"https?://\S+|www\.\S+|\S+@\S+\.\S+|v?\d+(\.\d+){1,3}([-+.]\w+)?|(?=\S*\d)[A-Za-z0-9_\-:/.#]{1,40})$",
    re.IGNORECASE,
)
_DURATION = re.compile(r"^\d{1,3}:\d{2}(:\d{2})?$")
FREE_TEXT_MIN_LEN = 12.0  # mean characters of a comment column's values
LOW_CONFIDENCE = 0.6  # below this a guess is marked "please check" (and no score is guessed)


@dataclass(frozen=True)
class ColumnGuess:
    """What detection thinks one column is."""

    column: str
    role: str  # a role name, COMMENT_FIELD, ATTRIBUTE or IGNORE
    confidence: float
    why: str
    dtype: str  # 'numeric' | 'text' | 'date' | 'empty'
    date_format: DateFormat | None = None

    @property
    def please_check(self) -> bool:
        """A role guessed with low confidence: the page asks the user to check it."""
        return self.role not in (ATTRIBUTE, IGNORE) and self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class _Profile:
    column: str
    norm: str
    n: int
    numeric: bool
    integer: bool
    vmin: float | None
    vmax: float | None
    distinct: int
    mean_len: float
    spaces: float
    boolean: bool
    sequential: bool
    date_format: DateFormat | None
    share_in_range: dict[str, float]
    bool_share: float
    rows: int = 0  # sample rows, blanks included
    words: float = 0.0  # mean words per value
    code_share: float = 0.0  # share of values that are codes (UUID, URL, version, id)
    max_in_range: dict[str, float] | None = None  # the largest in-range value per score
    options: bool = False  # values are picks from a short list (multi-select joined by , or ;)

    @property
    def distinct_ratio(self) -> float:
        return self.distinct / self.n if self.n else 0.0

    @property
    def fill(self) -> float:
        return self.n / self.rows if self.rows else 0.0

    @property
    def free_text(self) -> bool:
        """Values read as people's words: long, several words, varied, not codes."""
        varied = self.distinct_ratio >= (0.5 if self.n >= 20 else 0.34)
        enough = self.n >= 8 or self.rows < 30
        return (
            enough
            and not self.options
            and not self.numeric
            and self.date_format is None
            and self.mean_len >= FREE_TEXT_MIN_LEN
            and self.words >= 2.5
            and self.code_share < 0.3
            and varied
        )


def normalise_header(name: str) -> str:
    """Lower-case words of a header, accents removed: ``customerID`` -> ``customer id``.

    >>> normalise_header("MonthlyCharges")
    'monthly charges'
    >>> normalise_header("  NPS_SCORE ")
    'nps score'
    >>> normalise_header("Unnamed: 0")
    'unnamed 0'
    >>> normalise_header("¿Recomendaría nuestra tienda?")
    'recomendaria nuestra tienda'
    """
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^\w#]+|_", " ", s).strip().lower()
    return re.sub(r"\s+", " ", s)


_CURRENCY = re.compile(r"^[£$€¥]\s*|\s*[£$€¥%]$")


def to_number(text: str) -> float | None:
    """A number written as text (``1,234.5``, ``£12``, ``7``), else None.

    >>> to_number("£1,200.50"), to_number("abc")
    (1200.5, None)
    """
    v = _CURRENCY.sub("", text.strip())
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", v):
        v = v.replace(",", "")
    try:
        return float(v)
    except ValueError:
        return None


_QUESTION = re.compile(
    r"(^|[:#] ?)(how|what|which|why|when|where|who|do|did|does|are|is|was|were|would|will|"
    r"have|has|could|should|please|rate|select|tell|describe|overall|to what|in your|"
    r"como|que|cual|por que|comment|quel|quelle|pourquoi|wie|was|welche|warum|hoe|wat|"
    r"hvordan|hvad|hvilke|qual|quais|come|quale|perche)\b"
)


def is_question_header(name: str) -> bool:
    """A header that is a survey question (so an answer to it is an answer of the row).

    >>> is_question_header("How often do you use it?"), is_question_header("Status")
    (True, False)
    >>> is_question_header("Industry #1:What industries does your role support")
    True
    """
    text = unicodedata.normalize("NFKD", str(name)).lower().replace("\xa0", " ").strip()
    text = re.sub(r"^[¿¡\s]+", "", text)
    return "?" in text or bool(_QUESTION.search(text))


def is_missing(v: object) -> bool:
    """A blank cell or a missing-value token (``NA``, ``N/A``, ``NULL``, ``-``, ...).

    >>> [is_missing(v) for v in (None, " ", "NA", "n/a", "—", "0", "none")]
    [True, True, True, True, True, False, False]
    """
    if v is None or (isinstance(v, float) and v != v):
        return True
    text = str(v).strip()
    return text == "" or text.lower() in MISSING_TOKENS


_blank = is_missing


def profile_column(column: str, values: pd.Series) -> _Profile:
    """Summarise a sample column's values (as text)."""
    raw = values.tolist()
    vals = [str(v).strip() for v in raw if not is_missing(v)]
    n = len(vals)
    parsed = [to_number(v) for v in vals]
    nums = [x for x in parsed if x is not None]
    numeric = n > 0 and len(nums) == n
    integer = numeric and all(x.is_integer() for x in nums)
    lower = {v.lower() for v in vals}
    norm = normalise_header(column)
    sequential = False
    if integer and n >= 3:
        ints = [int(x) for x in nums]
        sequential = ints == list(range(ints[0], ints[0] + n)) and ints[0] in (0, 1)
    date_hint = bool(_DATE_HINT.search(norm))
    share: dict[str, float] = {}
    top: dict[str, float] = {}
    if n:
        for role, (lo, hi) in SCORE_RANGES.items():
            ok = [x for x in parsed if x is not None and x.is_integer() and lo <= x <= hi]
            share[role] = len(ok) / n
            top[role] = max(ok) if ok else 0.0
    durations = n > 0 and sum(1 for v in vals if _DURATION.match(v)) >= 0.8 * n
    parts = [x.strip().lower() for v in vals for x in re.split(r",\s|;\s?", v) if x.strip()]
    options = (
        len(parts) >= 10
        and len(parts) > len(vals) * 1.2
        and len(set(parts)) <= min(0.5 * len(parts), max(12, 0.15 * len(parts)))
    )
    return _Profile(
        column=column,
        norm=norm,
        n=n,
        numeric=numeric,
        integer=integer,
        vmin=min(nums) if numeric else None,
        vmax=max(nums) if numeric else None,
        distinct=len(set(vals)),
        mean_len=(sum(len(v) for v in vals) / n) if n else 0.0,
        spaces=(sum(1 for v in vals if " " in v) / n) if n else 0.0,
        boolean=n > 0 and lower <= (TRUE_WORDS | FALSE_WORDS) and len(lower) <= 2,
        sequential=sequential,
        date_format=None
        if (numeric and not date_hint) or n == 0 or durations
        else detect_date_format(vals, allow_serial=date_hint),
        share_in_range=share,
        bool_share=(sum(1 for v in vals if v.lower() in TRUE_WORDS | FALSE_WORDS) / n)
        if n
        else 0.0,
        rows=len(raw),
        words=(sum(len(v.split()) for v in vals) / n) if n else 0.0,
        code_share=(sum(1 for v in vals if " " not in v and _CODE.match(v)) / n) if n else 0.0,
        max_in_range=top,
        options=options,
    )


def _name_score(role: str, norm: str) -> float:
    best = 0.0
    for pattern, score in _NAME_RULES.get(role, ()):
        if re.search(pattern, norm):
            best = max(best, score)
            break
    if best and _NEGATIVE.search(norm):
        best *= 0.4
    if role == "customer_id" and best and _NOT_CUSTOMER.search(norm):
        return 0.0
    money = bool(MONEY_WORDS.search(norm)) and not CSAT_WORDS.search(norm)
    if role in SCORE_RANGES and best and (NOT_SCORE_WORDS.search(norm) or money):
        # "number of visits", "agent interactions", "app version": never a score, unless
        # the header literally names the score (e.g. "NPS", "Net Promoter Score").
        if not re.search(r"\b(nps|net promoter|csat|ces)\b", norm):
            return 0.0
    if role in ("submitted_at", "occurred_at") and best and _OTHER_DATE.search(norm):
        best -= 0.3
    if best and _REPLY.search(norm) and role != "customer_id":
        return 0.0
    return best


def _value_fit(role: str, p: _Profile, strong_name: bool = False) -> tuple[bool, str]:
    """(fits, reason) for the column's values against a role.

    A score column with a header naming it may hold some out-of-range values (they are
    rejected row by row); a column literally headed ``NPS``/``CSAT``/``CES`` keeps its role
    whatever share of its values is bad (header evidence outranks value ranges). A 1-based
    scale with zeros (0 = not applicable) is a rating attribute, not a CSAT/CES score; an
    NPS question must reach above 5 (a 1-5 "recommend" scale is a rating).
    """
    if p.n == 0:
        return False, "the sample is empty"
    if role in SCORE_RANGES:
        lo, hi = SCORE_RANGES[role]
        literal = bool(_LITERAL_SCORE.match(p.norm))
        share = p.share_in_range.get(role, 0.0)
        top = (p.max_in_range or {}).get(role, 0.0)
        if role == "nps" and top <= 5 and not literal:
            return False, "answers stay within 1-5: a rating, not a 0-10 recommend scale"
        if role == "ces" and top <= 5 and not literal:
            return False, "answers stay within 1-5: a rating, not the 1-7 effort scale"
        if p.integer and p.vmin is not None and p.vmax is not None and lo <= p.vmin <= p.vmax <= hi:
            return True, f"whole numbers {int(p.vmin)}-{int(p.vmax)}"
        zero_na = lo == 1 and p.vmin == 0
        if literal and share > 0:
            return True, f"{share:.0%} of the values are whole numbers {lo}-{hi} (others rejected)"
        if strong_name and share >= SCORE_SHARE and not zero_na:
            return True, f"{share:.0%} of the values are whole numbers {lo}-{hi} (others rejected)"
        return False, f"values are not whole numbers {lo}-{hi}"
    if role in DATE_ROLES:
        if p.date_format is not None:
            return True, f"dates like {p.date_format.label}"
        return False, "values are not dates"
    if role == "churned":
        if p.boolean:
            return True, "yes/no values"
        if strong_name and p.bool_share >= SCORE_SHARE:
            return True, f"{p.bool_share:.0%} yes/no values (others rejected)"
        return False, "values are not yes/no"
    if role == "revenue":
        if p.numeric:
            return True, "numbers"
        return False, "values are not numbers"
    if role == "comment":
        if p.free_text:
            return True, f"free text (about {p.words:.0f} words, {p.distinct_ratio:.0%} distinct)"
        if (
            strong_name
            and not p.numeric
            and p.date_format is None
            and p.code_share < 0.5
            and p.mean_len >= 3
            and (p.n < 10 or p.distinct_ratio >= 0.34)
        ):
            return True, "text under a comment header"
        if p.code_share >= 0.3:
            return False, "values are codes (ids, links, versions), not free text"
        if p.n >= 10 and p.distinct_ratio < 0.5:
            return False, "few distinct answers: a closed question, not free text"
        return False, "values are not free text"
    if role in ("channel", "touchpoint", "stage", "segment", "persona"):
        if p.numeric or p.date_format is not None:
            return False, "values are numbers or dates, not names"
        if p.n >= 20 and p.distinct_ratio > 0.9:
            return False, "almost every value differs: not a small set of names"
        return True, f"{p.distinct} distinct names in the sample"
    if role == "customer_id":
        if p.free_text:
            return False, "values are sentences, not identifiers"
        return True, "identifiers"
    return True, ""


def _value_only_score(role: str, p: _Profile) -> float:
    """Score for a role earned by values alone; 0 when the values don't say it.

    Scores are never earned by values alone (a 0-10 column without NPS wording is a rating
    attribute); only dates and free text are.
    """
    if p.sequential:
        return 0.0
    if role in DATE_ROLES and p.date_format is not None:
        return 0.5 - (0.3 if _OTHER_DATE.search(p.norm) or _REPLY.search(p.norm) else 0.0)
    if role == "comment" and p.free_text and not _REPLY.search(p.norm):
        return 0.45 + 0.1 * p.fill + 0.05 * min(1.0, p.mean_len / 100)
    return 0.0


def is_index_column(p: _Profile) -> bool:
    """A leftover row index: a blank/``Unnamed``/``index``/``number`` header counting 0.. or 1.."""
    return p.sequential and bool(_INDEX_NAMES.match(p.norm))


def _dtype(p: _Profile) -> str:
    if p.n == 0:
        return "empty"
    if p.date_format is not None and not p.numeric:
        return "date"
    return "numeric" if p.numeric else "text"


def is_rating_profile(p: _Profile) -> bool:
    """Whole numbers from 0/1 up to 4-10 with three or more values, not a count/id/year."""
    return bool(
        p.integer
        and p.vmin is not None
        and p.vmax is not None
        and p.vmin >= 0
        and 4 <= p.vmax <= 10
        and p.distinct >= 3
        and not p.sequential
        and not NOT_SCORE_WORDS.search(p.norm)
        and not MONEY_WORDS.search(p.norm)
    )


def _attribute_reason(p: _Profile) -> str:
    if p.n == 0:
        return "empty in the sample; kept as an attribute"
    if p.numeric and is_rating_profile(p):
        lo, hi = int(p.vmin or 0), int(p.vmax or 0)
        word = "NPS/CSAT/CES" if lo >= 0 and hi <= 10 else "score"
        return (
            f"whole numbers {lo}-{hi} without {word} wording in the header: a rating "
            "attribute (driver, KPI, filter); choose NPS/CSAT/CES yourself if it is one"
        )
    if p.numeric and (NOT_SCORE_WORDS.search(p.norm) or MONEY_WORDS.search(p.norm)):
        return "a count/amount/id (header words): numeric attribute, never a score"
    if p.numeric:
        return "numeric attribute (filter, driver)"
    if p.date_format is not None and not p.numeric:
        return "another date (not when the response/event happened): kept as an attribute"
    if _REPLY.search(p.norm) and not p.numeric:
        return "a reply by the company, not the customer's comment: text attribute"
    if p.code_share >= 0.3:
        return "codes (ids, links, versions): text attribute"
    return "text attribute (filter dimension)"


def profile_sample(sample: pd.DataFrame) -> list[_Profile]:
    """One profile per column of a sample (values as text)."""
    return [profile_column(str(c), sample[c]) for c in sample.columns]


def detect_roles(
    sample: pd.DataFrame, kind: str, profiles: list[_Profile] | None = None
) -> list[ColumnGuess]:
    """Guess the role of every column of ``sample`` (values as text) for ``kind``.

    Returns one :class:`ColumnGuess` per column, in the file's order. Further free-text
    columns (after the primary comment) get :data:`COMMENT_FIELD`: they are stored as text
    attributes and indexed for search with the comment.
    """
    if kind not in ROLES:
        raise ValueError(f"unknown kind {kind!r}")
    roles = ROLES[kind]
    profiles = profiles if profiles is not None else profile_sample(sample)

    candidates: list[tuple[float, str, int, str]] = []  # (score, role, column index, why)
    value_only: dict[str, list[tuple[float, int, str]]] = {}
    for i, p in enumerate(profiles):
        if is_index_column(p):
            continue
        for role in roles:
            name = _name_score(role, p.norm)
            if (
                role == "touchpoint"
                and kind == "events"
                and not name
                and _EVENT_TOUCHPOINT.search(p.norm)
            ):
                name = 0.6
            fits, reason = _value_fit(role, p, strong_name=name >= 0.9)
            if name > 0 and fits:
                score = name
                if role in DATE_ROLES:
                    # Prefer full timestamps, start times over end times.
                    if p.date_format is not None and "hh" in p.date_format.label:
                        score += 0.04
                    if (
                        p.date_format is not None
                        and p.date_format.kind == "iso"
                        and any(":" in str(x) for x in sample[p.column].head(50).tolist())
                    ):
                        score += 0.04
                    if _TIME_HINT.search(p.norm):
                        score += 0.02
                    if _END_HINT.search(p.norm):
                        score -= 0.05
                if role == "revenue" and re.search(r"\b(monthly|month|avg|average)\b", p.norm):
                    score -= 0.2
                if role == "comment":
                    score += 0.05 * p.fill + 0.04 * min(1.0, p.mean_len / 100)
                if role == "customer_id" and p.n >= 20 and p.distinct <= 2:
                    score -= 0.4  # a placeholder or constant, not an id
                why = f"header “{p.column}” suggests {ROLE_LABELS[role]}"
                if reason:
                    why += f"; {reason}"
                candidates.append((score, role, i, why))
            else:
                vs = _value_only_score(role, p)
                if vs > 0:
                    value_only.setdefault(role, []).append(
                        (vs, i, f"values fit {ROLE_LABELS[role]} ({reason})")
                    )
    for role, cands in value_only.items():
        if role == "comment" or len(cands) == 1:
            candidates.extend((score, role, i, why) for score, i, why in cands)
        else:  # several date columns and none named like one: ask
            for score, i, why in cands:
                candidates.append((score - 0.2, role, i, why + "; one of several, please check"))

    candidates.sort(key=lambda c: (-c[0], c[2]))
    taken_roles: dict[str, int] = {}
    taken_cols: dict[int, tuple[str, float, str]] = {}
    for score, role, i, why in candidates:
        if i in taken_cols:
            continue
        if role in taken_roles:
            if role == "comment" and profiles[i].free_text:
                primary = profiles[taken_roles[role]].column
                taken_cols[i] = (
                    COMMENT_FIELD,
                    min(score, 1.0),
                    f"free text too: kept as a further comment field (searchable); "
                    f"“{primary}” is the main comment",
                )
            continue
        if role in SCORE_RANGES and score < LOW_CONFIDENCE:
            continue  # no score is guessed below the threshold
        taken_roles[role] = i
        taken_cols[i] = (role, min(score, 1.0), why)

    guesses: list[ColumnGuess] = []
    for i, p in enumerate(profiles):
        dtype = _dtype(p)
        if is_index_column(p):
            guesses.append(
                ColumnGuess(p.column, IGNORE, 0.9, "a leftover row index (0, 1, 2, ...)", dtype)
            )
        elif i in taken_cols:
            role, conf, why = taken_cols[i]
            guesses.append(
                ColumnGuess(
                    p.column,
                    role,
                    round(conf, 2),
                    why,
                    dtype,
                    p.date_format if role in DATE_ROLES else None,
                )
            )
        else:
            guesses.append(
                ColumnGuess(
                    p.column, ATTRIBUTE, 0.0, f"no role fits: {_attribute_reason(p)}", dtype
                )
            )
    return guesses


def fallback_touchpoint(guesses: list[ColumnGuess]) -> ColumnGuess | None:
    """For events without a touchpoint column: the channel column (rule 5), if any."""
    if any(g.role == "touchpoint" for g in guesses):
        return None
    for g in guesses:
        if g.role == "channel":
            return g
    return None


@dataclass(frozen=True)
class KindGuess:
    """The detected kind of a file, how sure, and why (in words for the page and CLI)."""

    kind: str
    confidence: float
    reason: str


def detect_kind(sample: pd.DataFrame) -> KindGuess:
    """Responses, events or customers, from the columns' roles and the ids' repetition.

    - a column asking for NPS/CSAT/CES -> responses;
    - a unique id per row with churn, revenue or a sign-up date -> customers;
    - the same id on several rows with a time -> events (a touchpoint log);
    - free text or ratings -> responses; a unique id per row -> customers.
    """
    profiles = profile_sample(sample)
    guesses = {k: detect_roles(sample, k, profiles) for k in ROLES}
    by_kind = {k: {g.role: g.column for g in gs} for k, gs in guesses.items()}
    resp, events, cust = by_kind["responses"], by_kind["events"], by_kind["customers"]
    scores = [r for r in ("nps", "csat", "ces") if r in resp]
    if scores:
        col = resp[scores[0]]
        return KindGuess("responses", 0.95, f"“{col}” asks for a {scores[0].upper()} score")

    def id_repeats(column: str | None) -> float | None:
        if column is None:
            return None
        vals = [v for v in sample[column].tolist() if not is_missing(v)]
        return (len(vals) / len(set(vals))) if vals else None

    named_comment = next(
        (g for g in guesses["responses"] if g.role == "comment" and g.confidence >= 0.9),
        None,
    )
    if named_comment is not None:
        return KindGuess("responses", 0.85, f"“{named_comment.column}” holds customers' own words")
    cid = cust.get("customer_id")
    repeats = id_repeats(cid)
    customer_facts = [r for r in ("churned", "revenue", "first_seen") if r in cust]
    if repeats is not None and repeats <= 1.02 and customer_facts:
        return KindGuess(
            "customers",
            0.85,
            f"one row per “{cid}” with {', '.join(ROLE_LABELS[r] for r in customer_facts)}",
        )
    eid = events.get("customer_id")
    erepeats = id_repeats(eid)
    if erepeats is not None and erepeats > 1.1 and "occurred_at" in events:
        return KindGuess(
            "events",
            0.8,
            f"the same “{eid}” appears on several rows, each with a time "
            f"(“{events['occurred_at']}”): a log of what customers did",
        )
    ratings = [p.column for p in profiles if p.numeric and is_rating_profile(p)]
    if "comment" in resp:
        return KindGuess("responses", 0.8, f"“{resp['comment']}” holds customers' own words")
    if ratings:
        return KindGuess(
            "responses", 0.7, f"{len(ratings)} rating column(s) such as “{ratings[0]}”"
        )
    if repeats is not None and repeats <= 1.02:
        return KindGuess("customers", 0.6, f"one row per “{cid}”: a customer list")
    if erepeats is not None and "occurred_at" in events:
        return KindGuess("events", 0.5, f"ids in “{eid}” with times: please check")
    return KindGuess(
        "responses",
        0.3,
        "no score, comment, rating or customer id recognised: please check the kind",
    )
