"""Formula injection (OWASP "CSV injection"): a text cell starting with =, +, -, @, tab or CR
would run as a formula once a spreadsheet opens the file. In CSV it gets a leading apostrophe,
which the import takes off again; XLSX writes such cells as text with Excel's quote prefix
(concept.exchange.writing)."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A CSV cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """Take the apostrophe of neutralise() off again when a file comes back (CSV, or XLSX
    from before the quote prefix, whose cells carried the apostrophe in their text)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "".join(FORMULA_TRIGGERS):
        return text[1:]
    return text
