"""The found words marked in a text: escaped, with <mark> around each word a term found."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from reporting.search.text import stem, words

EXCERPT_LENGTH = 220


def _found(match, terms):
    word_stem = stem(match.group())
    return any(term.matches(word_stem) for term in terms)


def highlight(text: str, terms) -> SafeString:
    """The whole text, escaped, each found word in <mark>."""
    parts, last = [], 0
    for match in words(text):
        if _found(match, terms):
            parts.append(escape(text[last : match.start()]))
            parts.append(format_html("<mark>{}</mark>", match.group()))
            last = match.end()
    parts.append(escape(text[last:]))
    # Every part is escaped above.
    return mark_safe("".join(parts))


def contains(text: str, terms) -> bool:
    return any(_found(match, terms) for match in words(text))


def excerpt(text: str, terms, length: int = EXCERPT_LENGTH) -> SafeString:
    """About `length` characters of the text around its first found word, cut at spaces,
    with "…" where text was left out; line breaks become spaces."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return highlight(text, terms)
    first = next((match for match in words(text) if _found(match, terms)), None)
    start = 0 if first is None else max(0, first.start() - length // 3)
    if start:
        space = text.find(" ", start, first.start())
        start = space + 1 if space != -1 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return format_html(
        "{}{}{}",
        "… " if start else "",
        highlight(text[start:end], terms),
        " …" if end < len(text) else "",
    )
