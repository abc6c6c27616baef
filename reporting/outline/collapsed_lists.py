"""Lists that the mind-map export collapsed into one line: one statement a person should
split into its items (``Statement.needs_split``)."""

import re
from itertools import pairwise

from django.utils.translation import gettext as _

from reporting.outline.issues import FLAG
from reporting.outline.syntax import LIST_END

LIST_HEADING = re.compile(
    r"\b(?:netzwerke|akteure|gremien|arbeitskreise|angebote|träger|partner\w*|einrichtungen|"
    r"beteiligte|institutionen|projekte|programme|dienste|stellen)\b|\(beispielhaft\)",
    re.IGNORECASE,
)
SENTENCE_BREAK = re.compile(r"[a-zäöüß]{3,}[.!?]\s+[A-ZÄÖÜ]")
LIST_SEPARATOR = r"[,;•·|]|\s[–-]\s"


def looks_like_collapsed_list(text: str) -> bool:
    """A "<label>: <item> <item> <item> …" line whose items lost their separators in the
    export ("Vorhandene Netzwerke (beispielhaft): Koordinierungsstab Flüchtlinge …").

    Taken as such when, after a short label ending in ":", the rest has no separators
    (comma, semicolon, bullet, dash) and no sentence break, and new capitalised runs start
    again and again: at least four times with capitalised words outnumbering the others two
    to one, or at least twice after a list heading ("Netzwerke", "Akteure", "(beispielhaft)" …).
    Ordinary sentences, with their verbs and articles in lower case, do not qualify.
    A list that kept its separators is flagged too (see ``_separated_list``): it is still
    one statement that a person should split into its items.
    """
    label, colon, rest = text.partition(":")
    if not colon or len(label.split()) > 8:
        return False
    rest = LIST_END.sub("", rest).strip()
    if not rest or SENTENCE_BREAK.search(rest):
        return False
    if re.search(LIST_SEPARATOR, rest):
        return _separated_list(label, rest)
    tokens = re.sub(r"\([^()]*\)", " ) ", rest).split()
    words = [token for token in tokens if token != ")"]
    if len(words) < 4:
        return False

    def capital(token):
        return token[:1].isupper()

    boundaries = sum(
        1
        for previous, current in pairwise(tokens)
        if capital(current) and (previous == ")" or capital(previous))
    )
    lower = sum(1 for word in words if not capital(word))
    if LIST_HEADING.search(label):
        return boundaries >= 2
    return boundaries >= 4 and len(words) - lower >= 2 * lower


def _separated_list(label, rest):
    """A list that kept its separators but still stands in one line ("Vorhandene Netzwerke:
    Runder Tisch Integration; Migrationsberatung der AWO; Sprachcafé"): after a list heading
    at least two items, else at least four, each a short capitalised name."""
    items = [
        item.strip()
        for item in re.split(LIST_SEPARATOR, re.sub(r"\([^()]*\)", "", rest))
        if item.strip()
    ]
    if len(items) < (2 if LIST_HEADING.search(label) else 4):
        return False
    return all(len(item.split()) <= 8 and item[:1].isupper() for item in items)


def flag_collapsed_lists(parsed):
    """Flag the statements that look like a collapsed list (not those with figures)."""
    with_figures = {figure.statement_number for figure in parsed.figures}
    for statement in parsed.statements:
        if statement.number in with_figures or not looks_like_collapsed_list(statement.text):
            continue
        statement.needs_split = True
        parsed.add(
            statement.line,
            _(
                "%(number)s enthält offenbar eine Liste in einer Zeile – als eine Aussage "
                "übernommen und zum Trennen markiert."
            )
            % {"number": statement.number},
            FLAG,
        )
