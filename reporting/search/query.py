"""What a search asks for: the words of the query, with their abbreviations expanded.

A query is a list of groups that must all be found; a group offers alternatives, one of
which must be found; an alternative is a list of terms that must all be found. "BES
Sprachkurse" becomes ((bes | berufseinstiegsschul*) & (sprachkur*)).
"""

import re
from dataclasses import dataclass, field

from reporting.search.text import STOP_WORDS, fold, root, stem, words

MAX_LENGTH = 200
MAX_WORDS = 10
# A root this long, or the root of a word this long, is matched as the beginning of a word
# ("sprachkur" finds Sprachkurs, Sprachkursen and Sprachkursangebot; "Eltern", root elt,
# finds Elternabend); shorter ones, and abbreviations, as a whole word, alone or with a
# plural s ("bes" must not find "besondere", "kita" finds Kita and Kitas).
MIN_PREFIX = 4
MIN_PREFIX_WORD = 6
# A query word this long that begins a long form counts as that long form
# ("Kindertages" for Kindertagesstätte).
MIN_LONG_FORM_PREFIX = 6


@dataclass(frozen=True)
class Term:
    root: str
    prefix: bool

    def matches(self, word_stem: str) -> bool:
        if self.prefix:
            return word_stem.startswith(self.root)
        return word_stem in (self.root, f"{self.root}s")


@dataclass(frozen=True)
class Expansion:
    """An abbreviation used for the search, as the page explains it."""

    asked: str
    also: str


@dataclass(frozen=True)
class Query:
    text: str
    groups: tuple = ()
    expansions: tuple = ()
    # The query without spaces: a measure's code or outline number ("aG 1" is aG1).
    compact: str = ""
    terms: tuple = field(default=(), compare=False)

    def __bool__(self):
        return bool(self.groups)


def _word_term(word):
    word_root = root(word)
    return Term(word_root, prefix=len(word_root) >= MIN_PREFIX or len(word) >= MIN_PREFIX_WORD)


def _exact_term(word):
    return Term(stem(word), prefix=False)


def _form_words(text):
    return [match.group() for match in words(text) if match.group().lower() not in STOP_WORDS]


def _matches_short_form(asked, form):
    if len(asked) != len(form):
        return False
    for word, part in zip(asked, form, strict=True):
        folded, wanted = fold(word), fold(part)
        if folded != wanted and folded != f"{wanted}s":
            return False
    return True


def _matches_long_form(asked, form):
    if len(asked) != len(form):
        return False
    for word, part in zip(asked, form, strict=True):
        asked_root, form_root = root(word), root(part)
        if asked_root == form_root:
            continue
        if len(asked_root) < MIN_LONG_FORM_PREFIX or not form_root.startswith(asked_root):
            return False
    return True


def _expansions_at(tokens, start, forms):
    """The abbreviations whose short or long form is asked for at `start`, as (length,
    alternative as asked, other alternative, Expansion), the longest spans only; None if
    there are none."""
    found = []
    for short, long, short_text, long_text in forms:
        if not short or not long:
            continue
        asked = tokens[start : start + len(short)]
        if _matches_short_form(asked, short):
            found.append(
                (
                    len(short),
                    tuple(_exact_term(word) for word in short),
                    tuple(_word_term(word) for word in long),
                    Expansion(" ".join(asked), long_text),
                )
            )
        asked = tokens[start : start + len(long)]
        if _matches_long_form(asked, long):
            found.append(
                (
                    len(long),
                    tuple(_word_term(word) for word in asked),
                    tuple(_exact_term(word) for word in short),
                    Expansion(" ".join(asked), short_text),
                )
            )
    if not found:
        return None
    longest = max(entry[0] for entry in found)
    return [entry for entry in found if entry[0] == longest]


def parse(text: str, abbreviations=()) -> Query:
    """The query for `text`; `abbreviations` are (short form, long form) pairs."""
    text = text.strip()[:MAX_LENGTH]
    tokens = [
        token
        for token in (match.group() for match in words(text))
        if len(token) > 1 and token.lower() not in STOP_WORDS
    ][:MAX_WORDS]
    forms = [
        (_form_words(short), _form_words(long), short.strip(), long.strip())
        for short, long in abbreviations
    ]
    groups, expansions = [], []
    i = 0
    while i < len(tokens):
        found = _expansions_at(tokens, i, forms)
        if found is None:
            groups.append(((_word_term(tokens[i]),),))
            i += 1
            continue
        length = found[0][0]
        alternatives = []
        for _length, typed, other, expansion in found:
            for alternative in (typed, other):
                if alternative not in alternatives:
                    alternatives.append(alternative)
            if expansion not in expansions:
                expansions.append(expansion)
        groups.append(tuple(alternatives))
        i += length
    terms = tuple(
        dict.fromkeys(term for group in groups for alternative in group for term in alternative)
    )
    compact = re.sub(r"\s+", "", text)
    return Query(
        text=text,
        groups=tuple(groups),
        expansions=tuple(expansions),
        compact=compact if len(compact) <= 30 else "",
        terms=terms,
    )
