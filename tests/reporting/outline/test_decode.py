"""Reading the bytes of an outline file: encodings, BOM and line ends, what is not text."""

import pytest

from reporting.outline.decode import decode_outline
from reporting.outline.issues import OutlineInvalid
from reporting.outline.validate import read_outline
from tests.reporting.outline.helpers import (
    SEED,
    parsed_snapshot,
)


def test_bom_and_crlf_bytes_decode_to_the_same_outline():
    data = b"\xef\xbb\xbf" + SEED.replace("\n", "\r\n").encode("utf-8")
    text, notes = decode_outline(data)
    assert notes == []
    assert parsed_snapshot(read_outline(text)) == parsed_snapshot(read_outline(SEED))


def test_windows_1252_is_read_with_a_warning():
    text, notes = decode_outline(SEED.encode("cp1252"))
    assert parsed_snapshot(read_outline(text)) == parsed_snapshot(read_outline(SEED))
    assert [str(note) for note in notes] == [
        "Die Datei ist nicht UTF-8-kodiert (erstes abweichendes Zeichen in Zeile 9) und wurde "
        "als Windows-1252 gelesen. Bitte Umlaute und Sonderzeichen in der Vorschau prüfen."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\xef\xbb\xbf  \r\n\n", "Die Datei ist leer."),
        (b"%PDF-1.7\n\x00\x01\x02binary", "Die Datei ist keine Textdatei"),
        ("1. Zielsetzung".encode("utf-16"), "Die Datei ist UTF-16-kodiert."),
        (
            b"Titel\n\n1. Zielsetzung\n\x07\n",
            "Zeile 4: Der Text enthält an Stelle 1 das unsichtbare Steuerzeichen U+0007 (BEL)",
        ),
        (b"\x81\x8d\x8f\x90\x9d", "Zeile 1: Die Datei ist keine Textdatei"),
    ],
)
def test_what_is_not_text(data, message):
    with pytest.raises(OutlineInvalid) as caught:
        decode_outline(data)
    assert next(str(issue) for issue in caught.value.issues).startswith(message)
