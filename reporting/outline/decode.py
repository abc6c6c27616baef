"""Bytes → text: the encoding of an uploaded or read outline file, and what is not text."""

from django.utils.translation import gettext as _

from concept.text import line_of_offset, looks_binary, mixed_encoding_line, unsafe_character_message
from reporting.outline.issues import WARNING, Issue, OutlineInvalid

MAX_UPLOAD_BYTES = 1024 * 1024
# A file full of control characters is reported by its first lines, not line by line.
MAX_CHARACTER_ISSUES = 20


def decode_outline(data: bytes) -> tuple[str, list[Issue]]:
    """The text of an uploaded or read file, and warnings about its encoding.

    UTF-8 (BOM optional) is the format. A file that is not valid UTF-8 is read as
    Windows-1252, with a warning to check the umlauts in the preview; one with UTF-8 and
    other bytes mixed is refused. UTF-16 and binary files are not a text export; control
    and bidi characters (concept.text) are refused with their line: OutlineInvalid.
    """
    body = data.removeprefix(b"\xef\xbb\xbf")
    if not body.strip():
        raise OutlineInvalid([Issue(_("Die Datei ist leer."))])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise OutlineInvalid(
            [
                Issue(
                    _(
                        "Die Datei ist UTF-16-kodiert. Bitte die Gliederung als Textdatei in "
                        "UTF-8 speichern und erneut hochladen."
                    )
                )
            ]
        )
    if looks_binary(body):
        raise OutlineInvalid([Issue(_not_text_message())])
    warnings = []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = _decode_windows_1252(body, exc)
        warnings.append(
            Issue(
                _(
                    "Die Datei ist nicht UTF-8-kodiert (erstes abweichendes Zeichen in Zeile "
                    "%(line)d) und wurde als Windows-1252 gelesen. Bitte Umlaute und "
                    "Sonderzeichen in der Vorschau prüfen."
                )
                % {"line": line_of_offset(body, exc.start)},
                level=WARNING,
            )
        )
    _refuse_unsafe_characters(text)
    return text, warnings


def _decode_windows_1252(body, utf8_error):
    """The text of a file that is not UTF-8, unless it mixes UTF-8 with another encoding or
    is no text at all (OutlineInvalid, naming the line of the first odd byte)."""
    line = line_of_offset(body, utf8_error.start)
    if mixed_encoding_line(body, utf8_error) is not None:
        raise OutlineInvalid(
            [
                Issue(
                    _(
                        "Die Zeichenkodierung ist gemischt: die Datei enthält UTF-8-Umlaute, "
                        "aber hier Zeichen in einer anderen Kodierung (z. B. Windows-1252). "
                        "Bitte die Gliederung einheitlich als UTF-8 speichern."
                    ),
                    line,
                )
            ]
        ) from None
    try:
        return body.decode("cp1252")
    except UnicodeDecodeError:
        raise OutlineInvalid([Issue(_not_text_message(), line)]) from None


def _refuse_unsafe_characters(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    unsafe = [
        Issue(message, lineno)
        for lineno, line in enumerate(lines, start=1)
        if (message := unsafe_character_message(line))
    ]
    if unsafe:
        raise OutlineInvalid(unsafe[:MAX_CHARACTER_ISSUES])


def _not_text_message():
    return _(
        "Die Datei ist keine Textdatei (z. B. PDF, Word-Dokument oder Bild). Bitte die "
        "Gliederung aus der Mind Map als Textdatei (.txt, UTF-8) exportieren."
    )
