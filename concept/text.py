"""Text that comes in from files: which characters a stored text may not contain, and
how a file that is not text at all is recognised. One rule for every import path (CSV/XLSX
cells, outline lines) so no path lets through what another refuses.

Refused in a text:
- control characters (C0 except tab, line feed, carriage return; DEL; C1): invisible, they
  change how terminals, PDFs and spreadsheets show the text (ESC starts terminal sequences);
- bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
  reorder what people see ("Trojan Source"), so a name would not read as it is stored.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
BIDI = r"\u202a-\u202e\u2066-\u2069"
UNSAFE_CHARACTER = re.compile(f"[{CONTROL}{BIDI}]")

CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x0B: "VT",
    0x0C: "FF",
    0x1B: "ESC",
    0x7F: "DEL",
    0x85: "NEL",
    0x9B: "CSI",
}

# Formats that are surely not text, whatever the file is called.
BINARY_SIGNATURES = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"MZ",
    b"\x7fELF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
)


def character_name(char: str) -> str:
    """ "U+202E (RIGHT-TO-LEFT OVERRIDE)", "U+001B (ESC)" """
    code = ord(char)
    name = CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def unsafe_character_message(text: str) -> str | None:
    """A German message about the first character of `text` that a stored text may not
    contain, or None if there is none."""
    match = UNSAFE_CHARACTER.search(text)
    if match is None:
        return None
    char = match.group()
    params = {"char": character_name(char), "position": match.start() + 1}
    if re.match(f"[{BIDI}]", char):
        return (
            _(
                "Der Text enthält an Stelle %(position)d das unsichtbare Richtungszeichen "
                "%(char)s, das die Anzeige umkehrt. Bitte entfernen."
            )
            % params
        )
    return (
        _(
            "Der Text enthält an Stelle %(position)d das unsichtbare Steuerzeichen %(char)s. "
            "Bitte entfernen."
        )
        % params
    )


def looks_binary(data: bytes) -> bool:
    """A file that is no text: a known binary signature, NUL bytes, or more than a few
    control characters (a text with one stray ESC is text with an error, not binary)."""
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        return True
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return controls > max(8, len(sample) // 100)


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def mixed_encoding_line(data: bytes, error: UnicodeDecodeError) -> int | None:
    """The line of the first byte that is not UTF-8 in a file that also has UTF-8 umlauts
    (parts saved by different programs), else None: such a file cannot be read either way
    without garbling one part."""
    if UTF8_MULTIBYTE.search(data[: error.start]) or UTF8_MULTIBYTE.search(data[error.end :]):
        return line_of_offset(data, error.start)
    return None


def line_of_offset(data: bytes, offset: int) -> int:
    """The line (from 1) of a byte offset; CR alone counts as a line end where no LF is."""
    newline = b"\n" if b"\n" in data else b"\r"
    return data[:offset].count(newline) + 1
