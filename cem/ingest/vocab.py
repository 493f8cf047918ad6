"""The words of role detection: roles per kind, their labels, and the header wording
(in English, Spanish, French, German, Portuguese, Italian, Dutch and Danish) that names a
score, a comment, a date, a customer id, ... Headers are matched after
:func:`cem.ingest.profile.normalise_header` (lower case, accents removed).
"""

from __future__ import annotations

import re

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
# How exports spell them (CSV files' reader turns exactly these into NULL, so the import's
# per-cell SQL only re-checks values with surrounding spaces): lower, upper and title case,
# and pandas' "NaN".
MISSING_SPELLINGS = tuple(
    sorted({v for t in MISSING_TOKENS for v in (t, t.upper(), t.capitalize(), t.title())} | {"NaN"})
)
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
    r"initial|first response)\b|"
    # es/fr/de/da/pt/it/nl, also as the start of a compound ("Oplevelsesdato", "Reisedatum")
    r"\b(experiencia|experiencia|esperienza|ervaring|oplevelse|erlebnis|erfahrung|viaje|"
    r"voyage|reise|rejse|reis|viagem|viaggio|visita|visite|besuch|besoeg|bezoek|estancia|"
    r"sejour|aufenthalt|ophold|verblijf|nacimiento|naissance|geburt|foedsel|fodsel|vuelo|vol|"
    r"flug|fly|vlucht|voo|volo|entrega|livraison|lieferung|levering|consegna)"
)

# (role, regex over the normalised header, score). The first matching pattern per role counts.
_NAME_RULES: dict[str, tuple[tuple[str, float], ...]] = {
    "customer_id": (
        (rf"\b({_ID_SUBJECTS}) ?(id|no|number|key|code|ref|nr|nummer|numero|num)\b", 1.0),
        (rf"\b(id|no|nr|num|numero) ({_ID_SUBJECTS})\b", 1.0),
        # Product analytics' person keys: Mixpanel's distinct_id, Segment's anonymous_id,
        # GA4's user_pseudo_id.
        (r"\b(distinct|anonymous|anon|pseudo) ?id\b", 0.9),
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
        (r"\b(canal|kanal|herkunft|origine|origen|source|origin)\b", 0.6),
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
            r"completed( at| on| date)?|completion( time| date)?|created( at| on| date| time)?|"
            r"responded( at| on)?|"
            r"date submitted|date completed|recorded( at)?|end date)\b",
            1.0,
        ),
        (  # created / submitted / timestamp in es/fr/de/da/pt/it/nl (Google Forms' own too)
            r"\b(marca temporal|horodatage|zeitstempel|tidsstempel|carimbo de data( hora)?|"
            r"informazioni cronologiche|tijdstempel|creado|creada|fecha de (envio|creacion|"
            r"respuesta)|cree le|date de (creation|soumission|reponse)|erstellt( am)?|"
            r"eingereicht( am)?|oprettet|indsendt|besvaret|criado( em)?|enviado( em)?|"
            r"data de (envio|criacao|resposta)|creato( il)?|inviato( il)?|aangemaakt( op)?|"
            r"ingediend( op)?)\b",
            0.95,
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
            r"acquisition date|start date|created( at| on)?|lead date|create date|"
            r"creation date|date created|created date)\b",
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
