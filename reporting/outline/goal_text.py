"""A goal line's title and aim: the mind-map export has no delimiter between them."""

import re

# Capitalised words that begin a German sentence but not a goal title: determiners,
# quantifiers, pronouns, prepositions.
SENTENCE_STARTERS = {
    "jeder", "jede", "jedes", "jedem", "jeden", "alle", "allen", "die", "der", "das", "dem",
    "den", "des", "ein", "eine", "einer", "kein", "keine", "niemand", "man", "wir", "es",
    "sie", "bei", "im", "in", "mit", "durch", "für", "um", "zur", "zum", "auf", "nach", "vor",
    "unter", "über", "damit", "dazu", "dabei", "diese", "dieser", "dieses", "möglichst",
}  # fmt: skip
GENDERED_JEDE = re.compile(r"^jede(?:[*:_/·]r|[*:_/·]n|r\*in|R)$", re.IGNORECASE)
# Finite verbs right after a capitalised noun mark that noun as the subject of the aim:
# "… Lebensumfeld | Zugewanderte werden …", "… Leben | Zugewanderten soll …".
FINITE_VERBS = {
    "ist", "sind", "wird", "werden", "soll", "sollen", "kann", "können", "muss", "müssen",
    "darf", "dürfen", "hat", "haben", "erhält", "erhalten", "spricht", "sprechen", "nimmt",
    "nehmen", "lebt", "leben", "findet", "finden", "bekommt", "bekommen", "gelingt",
}  # fmt: skip
TITLE_CONNECTORS = {"und", "oder", "der", "die", "das", "des", "am", "im", "für", "von", "zur",
                    "zum", "mit", "in", "an", "auf", "sowie"}  # fmt: skip
ABBREVIATIONS = {"bzw", "ggf", "ggfs", "ca", "inkl", "z", "b", "u", "a", "d", "h", "vgl",
                 "bspw", "usw", "etc", "nr", "st", "sog"}  # fmt: skip
MAX_TITLE_WORDS = 12
NO_AIM_MARK = re.compile(r"\s+[–—-]$")


def _bare(token):
    return token.strip(",;:()„“\"'")


def _starts_sentence(tokens, index):
    token = _bare(tokens[index])
    if not token or not token[0].isupper():
        return False
    if token.casefold() in SENTENCE_STARTERS or GENDERED_JEDE.match(token):
        return True
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return following in FINITE_VERBS


def _heuristic_split(words):
    """Index of the first word of the aim, or None."""
    for index in range(1, len(words) - 1):
        if words[index - 1].casefold() in TITLE_CONNECTORS:
            continue
        if _starts_sentence(words, index):
            return index
    return None


def _title_like(text):
    words = text.split()
    return (
        0 < len(words) <= MAX_TITLE_WORDS
        and not re.search(r"[.!?:;]$", text)
        and _heuristic_split(words) is None
    )


def split_goal_text(text: str) -> tuple[str, str, str | None]:
    """Split "<title> <aim>" of a "Strategisches Ziel" line: (title, aim, how).

    The export of the mind map has no delimiter between a goal's title and its aim
    statement. In this order:

    1. An explicit separator a person typed: " – " (or " — ", " - "), ": ", or ". " before a
       capital letter ("Bildung – Jede*r …", "Bildung: Jede*r …", "Bildung. Jede*r …"), if the
       part before it reads like a title (at most 12 words, no sentence start in it).
    2. The aim is the final sentence: it starts at the first capitalised word that begins a
       German sentence – a determiner, quantifier, pronoun or preposition ("Jede*r", "Die",
       "Bei", …) or a noun directly followed by a finite verb ("Zugewanderte werden …") –
       and is not preceded by a connecting word ("und", "am", …).
    3. Otherwise the whole text is the title and the aim stays empty (how = None; the caller
       reports a warning).

    A line ending in a lone dash ("Ausbildung Für alle –") has no aim: everything before the
    dash is the title. The export writes that form for a goal without aim whose bare title
    the heuristic would split.
    """
    text = text.strip()
    no_aim = NO_AIM_MARK.search(text)
    if no_aim and text[: no_aim.start()].strip():
        return text[: no_aim.start()].strip(), "", "separator"
    for separator in (r"\s+[–—-]\s+", r":\s+", r"(?<=[^\W\d_]{3})\.\s+(?=[A-ZÄÖÜ])"):
        match = re.search(separator, text)
        if not match:
            continue
        title, aim = text[: match.start()].strip(), text[match.end() :].strip()
        last_word = title.split()[-1].casefold().rstrip(".") if title else ""
        if title and aim and _title_like(title) and last_word not in ABBREVIATIONS:
            return title, aim, "separator"
    words = text.split()
    index = _heuristic_split(words)
    if index is not None and len(words) - index >= 2:
        return " ".join(words[:index]), " ".join(words[index:]), "heuristic"
    return text, "", None


def goal_line_text(title: str, aim: str) -> str:
    """Title and aim as one outline line that ``split_goal_text`` reads back the same way:
    joined by a space when the heuristic finds the split (as in the districts' exports),
    otherwise with " – "; a goal without aim is its bare title, or "<title> –" where the
    bare title would be split."""
    if not aim:
        if split_goal_text(title)[:2] == (title, ""):
            return title
        return f"{title} –"
    for joiner in (" ", " – ", ": "):
        candidate = f"{title}{joiner}{aim}"
        if split_goal_text(candidate)[:2] == (title, aim):
            return candidate
    return f"{title} – {aim}"
