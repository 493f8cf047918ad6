"""The search syntax shared by the search box and theme rules.

A query is a disjunction of groups separated by ``OR``; a group matches a comment when all
its positive items occur and none of its ``-excluded`` items does. An item is a word or a
``"quoted phrase"`` (words in that order, next to each other, in the same field). Words are
folded exactly like the index folds text: lower case, accents stripped, apostrophes removed
(``Café`` finds ``cafe``; ``don't`` finds ``dont``). A word ending in ``*`` is a prefix;
a word in a script written without spaces between inflections (Hangul, CJK, Thai) is always
matched as a prefix, so ``불편`` finds ``불편해요``.

>>> parse_query('delivery OR courier OR "arrived late"').groups[2].items[0].tokens
('arrived', 'late')
>>> q = parse_query('Café -"on hold" refund*')
>>> [(i.tokens, i.negated, i.prefix) for i in q.groups[0].items]
[(('cafe',), False, False), (('on', 'hold'), True, False), (('refund',), False, True)]
>>> parse_query('   ').is_empty
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cem.errors import InputError

# The token pattern (RE2 and Python ``regex``-free): letters/digits runs, or one symbol (emoji).
TOKEN_SQL_PATTERN = r"[\p{L}\p{N}]+|\p{So}"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CLAUSE = re.compile(r'(-?)"([^"]*)"|(\S+)')
_NO_SPACE_SCRIPTS = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]"
)
MAX_ITEMS = 40


def fold(text: str) -> str:
    """Fold text as the index does: lower case, accents stripped, apostrophes removed.

    >>> fold("Éte DON'T ça")
    'ete dont ca'
    """
    lowered = text.lower().replace("'", "").replace("\u2019", "")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) or _is_hangul_jamo(c))
    return unicodedata.normalize("NFC", stripped)


def _is_hangul_jamo(char: str) -> bool:
    return "\u1100" <= char <= "\u11ff"


def tokens(text: str) -> list[str]:
    """The index tokens of ``text`` (words only; emoji are not searchable).

    >>> tokens("Delivery was 3 days LATE!")
    ['delivery', 'was', '3', 'days', 'late']
    """
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Item:
    """A word or phrase of a query."""

    tokens: tuple[str, ...]
    negated: bool = False
    prefix: bool = False

    @property
    def text(self) -> str:
        """The item as a user would write it."""
        body = " ".join(self.tokens)
        if len(self.tokens) > 1:
            body = f'"{body}"'
        elif self.prefix and not _NO_SPACE_SCRIPTS.search(body):
            body += "*"
        return ("-" if self.negated else "") + body


@dataclass(frozen=True)
class Group:
    """Items that must all hold (positives present, negatives absent)."""

    items: tuple[Item, ...]

    @property
    def positives(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if not i.negated)


@dataclass(frozen=True)
class Query:
    """A parsed search: groups joined by OR."""

    groups: tuple[Group, ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def positive_tokens(self) -> tuple[str, ...]:
        """Every distinct token the query looks for (for ranking and highlighting)."""
        seen: dict[str, None] = {}
        for group in self.groups:
            for item in group.positives:
                for tok in item.tokens:
                    seen.setdefault(tok, None)
        return tuple(seen)

    def prefix_tokens(self) -> tuple[str, ...]:
        """Tokens matched as prefixes."""
        return tuple(
            i.tokens[0] for g in self.groups for i in g.positives if i.prefix and len(i.tokens) == 1
        )

    def text(self) -> str:
        """The query written back canonically."""
        return " OR ".join(" ".join(i.text for i in g.items) for g in self.groups)


def parse_query(text: str) -> Query:
    """Parse a search box or theme rule (see the module docstring)."""
    groups: list[Group] = []
    current: list[Item] = []
    count = 0
    for match in _CLAUSE.finditer(text or ""):
        neg_quote, phrase, bare = match.groups()
        if bare is not None and bare == "OR":
            if current:
                groups.append(Group(tuple(current)))
            current = []
            continue
        if phrase is not None:
            negated = bool(neg_quote)
            words = tuple(tokens(phrase))
            prefix = False
        else:
            negated = bare.startswith("-") and len(bare) > 1
            body = bare[1:] if negated else bare
            prefix = body.endswith("*")
            words = tuple(tokens(body))
            if len(words) > 1:  # "e-mail", "wi-fi": the words in a row
                prefix = False
        if not words:
            continue
        if len(words) == 1 and _NO_SPACE_SCRIPTS.search(words[0]):
            prefix = True
        current.append(Item(words, negated, prefix))
        count += 1
        if count > MAX_ITEMS:
            raise InputError(f"The search has more than {MAX_ITEMS} words; shorten it.")
    if current:
        groups.append(Group(tuple(current)))
    return Query(tuple(groups))
