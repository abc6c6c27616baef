"""A corpus of hostile files for every import path, generated here (nothing kept on disk).

Each HostileFile names the import it is meant for (a data kind of reporting.exchange or
"outline"), and what must happen: `refused` with German message fragments (naming line, row
or column where there is one), or `accepted` (the file is odd but legitimate).
"""

import codecs
import io
import struct
import zipfile
from dataclasses import dataclass, field

from tests.reporting.outline.helpers import DATA as OUTLINE_DATA

OUTLINE = "outline"
ORGANISATIONS = "organisations"
VALUES = "indicator-values"
PROGRESS = "progress"
MEASURES = "measures"

VALID_OUTLINE = (OUTLINE_DATA / "landkreis-musterland.txt").read_text(encoding="utf-8")


@dataclass
class HostileFile:
    category: str
    name: str
    data: bytes
    target: str
    fragments: list = field(default_factory=list)  # all in the German message
    accepted: bool = False

    @property
    def id(self):
        return f"{self.category}/{self.name}"


# --- Building blocks ------------------------------------------------------------------------


def csv_bytes(text, encoding="utf-8"):
    return text.encode(encoding)


def org_csv(name, art="Verein / Initiative"):
    return f"Name;Art\r\nNeuer Verein;{art}\r\n{name};{art}\r\n"


def value_csv(value, *, date="31.12.2024"):
    return f"Kennzahl;Stichtag;Wert\r\nKursteilnehmende;{date};{value}\r\n"


def progress_csv(participants):
    return (
        "Maßnahme;Datum;Umsetzungsstand;Ampel;Fortschritt;Teilnehmende\r\n"
        f"S1;30.06.2025;in Umsetzung;grün;40;{participants}\r\n"
    )


def _xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(rows, extra=""):
    """rows: lists of str (inline strings) or ("n", "1E309") number cells."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, tuple):
                cells.append(f'<c r="{ref}" t="{value[0]}"><v>{value[1]}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_xml_escape(value)}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{extra}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx(sheets, *, states=None, drop=(), compression=zipfile.ZIP_DEFLATED, extra_members=None):
    """A minimal workbook written by hand: sheets = [(title, sheet_xml)]."""
    states = states or [None] * len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            "<sheets>"
            + "".join(
                f'<sheet name="{title}" sheetId="{i}" r:id="rId{i}"'
                + (f' state="{state}"' if state else "")
                + "/>"
                for i, ((title, _xml), state) in enumerate(zip(sheets, states, strict=True), 1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Relationships>"
        ),
    }
    for i, (_title, xml) in enumerate(sheets, start=1):
        members[f"xl/worksheets/sheet{i}.xml"] = xml
    members.update(extra_members or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            if name not in drop:
                archive.writestr(name, content)
    return buffer.getvalue()


ORG_ROWS = [["Name", "Art"], ["Neuer Verein", "Verein / Initiative"]]
VALID_XLSX = xlsx([("Akteure", sheet_xml(ORG_ROWS))])


def _patch_member_headers(data, member, patch):
    """Rewrite the local and central headers of one member: patch(header: bytearray, central)."""
    data = bytearray(data)
    name = member.encode()
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) != -1:
        length = struct.unpack_from("<H", data, pos + 26)[0]
        if data[pos + 30 : pos + 30 + length] == name:
            patch(data, pos, central=False)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        length = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + length] == name:
            patch(data, pos, central=True)
        pos += 4
    return bytes(data)


SHEET = "xl/worksheets/sheet1.xml"


def xlsx_bad_crc():
    """Stored (uncompressed) so one changed byte in the sheet keeps the XML readable."""
    data = bytearray(xlsx([("Akteure", sheet_xml(ORG_ROWS))], compression=zipfile.ZIP_STORED))
    index = data.find(b"Neuer Verein")
    data[index] = ord("M")
    return bytes(data)


def xlsx_corrupt_deflate():
    data = bytearray(VALID_XLSX)
    name = SHEET.encode()
    pos = data.find(b"PK\x03\x04" + bytes(22))  # not used; find the member below
    pos = 0
    while True:
        pos = data.find(b"PK\x03\x04", pos)
        length = struct.unpack_from("<H", data, pos + 26)[0]
        extra = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 30 : pos + 30 + length] == name:
            start = pos + 30 + length + extra
            for offset in range(2, 40):
                data[start + offset] ^= 0xFF
            return bytes(data)
        pos += 4


def xlsx_forged_size(field_offset_local, field_offset_central, value):
    def patch(data, pos, central):
        struct.pack_into(
            "<I", data, pos + (field_offset_central if central else field_offset_local), value
        )

    return _patch_member_headers(VALID_XLSX, SHEET, patch)


def xlsx_method(method):
    def patch(data, pos, central):
        struct.pack_into("<H", data, pos + (10 if central else 8), method)

    return _patch_member_headers(VALID_XLSX, SHEET, patch)


def xlsx_encrypted():
    def patch(data, pos, central):
        offset = 8 if central else 6
        flags = struct.unpack_from("<H", data, pos + offset)[0]
        struct.pack_into("<H", data, pos + offset, flags | 0x1)

    return _patch_member_headers(VALID_XLSX, SHEET, patch)


def zip_bomb():
    rows = "".join(f'<row r="{i}"></row>' for i in range(1, 3))
    filler = " " * (60 * 1024 * 1024)
    xml = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData>'
        f"{filler}</worksheet>"
    )
    return xlsx([("Akteure", xml)])


def billion_laughs():
    dtd = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    xml = sheet_xml([["Name", "Art"], ["&lol3;", "Verein / Initiative"]], extra=dtd).replace(
        "&amp;lol3;", "&lol3;"
    )
    return xlsx([("Akteure", xml)])


def xxe():
    dtd = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = sheet_xml([["Name", "Art"], ["&xxe;", "Verein / Initiative"]], extra=dtd).replace(
        "&amp;xxe;", "&xxe;"
    )
    return xlsx([("Akteure", xml)])


def deep_zip():
    """A zip without a workbook: e.g. a Word document renamed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def _raw_zip_with_member(name, content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def outline_with(line_text, *, at="2.1. Strategisches Ziel 1: "):
    return VALID_OUTLINE.replace(
        "2.1. Strategisches Ziel 1: Integration durch Sprache",
        f"{at}{line_text}",
    ).encode("utf-8")


# --- The corpus -----------------------------------------------------------------------------


def _csv_files():
    files = []
    add = files.append
    # Encodings, BOMs and emptiness
    add(HostileFile("encoding", "leer.csv", b"", ORGANISATIONS, ["leer"]))
    add(HostileFile("encoding", "nur-leerzeichen.csv", b"  \r\n \r\n", ORGANISATIONS, ["leer"]))
    add(HostileFile("encoding", "nur-bom.csv", codecs.BOM_UTF8, ORGANISATIONS, ["leer"]))
    add(HostileFile("encoding", "nur-kopf.csv", b"Name;Art\r\n", ORGANISATIONS, ["Überschrift"]))
    add(
        HostileFile(
            "encoding",
            "utf16le.csv",
            codecs.BOM_UTF16_LE + org_csv("Verein").encode("utf-16-le"),
            ORGANISATIONS,
            ["UTF-16"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "utf16be.csv",
            codecs.BOM_UTF16_BE + org_csv("Verein").encode("utf-16-be"),
            ORGANISATIONS,
            ["UTF-16"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "utf16-ohne-bom.csv",
            org_csv("Verein").encode("utf-16-le"),
            ORGANISATIONS,
            ["keine Textdatei"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "utf32.csv",
            codecs.BOM_UTF32_LE + org_csv("Verein").encode("utf-32-le"),
            ORGANISATIONS,
            ["UTF-"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "gemischt.csv",
            "Name;Art\r\nMüller-Stiftung;Verein / Initiative\r\n".encode()
            + "Jäger-Verein;Verein / Initiative\r\n".encode("cp1252"),
            ORGANISATIONS,
            ["gemischt", "Zeile 3"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "ungueltig.csv",
            b"Name;Art\r\nVerein\x81\x8d;Verein / Initiative\r\n",
            ORGANISATIONS,
            ["Zeichenkodierung"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "windows-1252.csv",
            org_csv("Jäger-Verein Süd").encode("cp1252"),
            ORGANISATIONS,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "encoding",
            "bom-crlf.csv",
            codecs.BOM_UTF8 + org_csv("Straßenfest e. V.").encode(),
            ORGANISATIONS,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "encoding",
            "nur-cr.csv",
            org_csv("Altes Mac-Format").replace("\r\n", "\r").encode(),
            ORGANISATIONS,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "encoding",
            "doppelte-bom.csv",
            codecs.BOM_UTF8 * 2 + org_csv("Verein").encode(),
            ORGANISATIONS,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "encoding",
            "binaer.csv",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            ORGANISATIONS,
            ["keine Textdatei"],
        )
    )
    add(
        HostileFile(
            "encoding",
            "pdf.csv",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(1, 32)),
            ORGANISATIONS,
            ["keine Textdatei"],
        )
    )
    # Control and bidi characters in a text cell
    for name, char in [
        ("esc", "\x1b"),
        ("bel", "\x07"),
        ("vt", "\x0b"),
        ("ff", "\x0c"),
        ("backspace", "\x08"),
        ("del", "\x7f"),
        ("c1-csi", "\x9b"),
        ("nel", "\x85"),
    ]:
        add(
            HostileFile(
                "control",
                f"steuerzeichen-{name}.csv",
                org_csv(f"Verein{char}[31m rot").encode(),
                ORGANISATIONS,
                ["Zeile 3", "„Name“", f"U+{ord(char):04X}"],
            )
        )
    add(
        HostileFile(
            "control",
            "steuerzeichen-nul.csv",
            org_csv("Verein\x00Null").encode(),
            ORGANISATIONS,
            ["keine Textdatei"],
        )
    )
    for char in ["\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069"]:
        add(
            HostileFile(
                "bidi",
                f"bidi-{ord(char):04x}.csv",
                org_csv(f"Verein {char}gpj.exe").encode(),
                ORGANISATIONS,
                ["Zeile 3", "„Name“", f"U+{ord(char):04X}"],
            )
        )
    add(
        HostileFile(
            "bidi",
            "bidi-quelle.csv",
            value_csv("12")
            .replace("Wert\r\n", "Wert;Quelle\r\n")
            .replace("12\r\n", "12;BAMF\u202e\r\n")
            .encode(),
            VALUES,
            ["Zeile 2", "„Quelle“", "U+202E"],
        )
    )
    # Numbers
    for name, value, fragment in [
        ("1e309", "1e309", "„Wert“"),
        ("nan", "NaN", "„Wert“"),
        ("snan", "sNaN", "„Wert“"),
        ("inf", "inf", "„Wert“"),
        ("minus-infinity", "-Infinity", "„Wert“"),
        ("winzig", "1e-400", "„Wert“"),
        ("riesig", "9" * 40, "„Wert“"),
        ("tausender-falsch", "1.25.000", "„Wert“"),
        ("komma-gruppen", "1,250,50", "„Wert“"),
        ("unterstrich", "1_000", "„Wert“"),
        ("arabische-ziffern", "\u0661\u0662\u0663", "„Wert“"),
    ]:
        add(
            HostileFile(
                "numbers",
                f"zahl-{name}.csv",
                value_csv(value).encode(),
                VALUES,
                ["Zeile 2", fragment],
            )
        )
    add(
        HostileFile(
            "numbers", "zahl-minus-null.csv", value_csv("-0").encode(), VALUES, accepted=True
        )
    )
    for name, value in [
        ("1e309", "1e309"),
        ("riesig", "9" * 30),
        ("nan", "NaN"),
        ("int-grenze", "2147483648"),
    ]:
        add(
            HostileFile(
                "numbers",
                f"teilnehmende-{name}.csv",
                progress_csv(value).encode(),
                PROGRESS,
                ["Zeile 2", "„Teilnehmende“"],
            )
        )
    for name, value in [
        ("31-februar", "31.02.2025"),
        ("jahr-null", "0000-01-01"),
        ("monat-13", "2025-13-01"),
    ]:
        add(
            HostileFile(
                "numbers",
                f"datum-{name}.csv",
                value_csv("1", date=value).encode(),
                VALUES,
                ["Zeile 2", "„Stichtag“"],
            )
        )
    # Structure
    add(
        HostileFile(
            "structure",
            "doppelte-kopfzeile.csv",
            b"Name;Name;Art\r\nA;B;Sonstige\r\n",
            ORGANISATIONS,
            ["doppelt"],
        )
    )
    add(
        HostileFile(
            "structure",
            "falsches-trennzeichen.csv",
            b"Name|Art\r\nVerein|Sonstige\r\n",
            ORGANISATIONS,
            ["Name"],
        )
    )
    add(
        HostileFile(
            "structure",
            "anfuehrungszeichen-offen.csv",
            b'Name;Art\r\n"Verein;Sonstige\r\nZweiter;Sonstige\r\n',
            ORGANISATIONS,
            ["Zeile 2", "Anführungszeichen"],
        )
    )
    add(
        HostileFile(
            "structure",
            "lange-zeile.csv",
            ("Name;Art\r\n" + "A" * 300_000 + ";Sonstige\r\n").encode(),
            ORGANISATIONS,
            ["Zeile 2"],
        )
    )
    add(
        HostileFile(
            "structure",
            "lange-zelle.csv",
            ("Name;Art\r\n" + "Verein " * 800 + ";Sonstige\r\n").encode(),
            ORGANISATIONS,
            ["Zeile 2", "„Name“", "zu lang"],
        )
    )
    add(
        HostileFile(
            "structure",
            "viele-spalten.csv",
            (
                ";".join(["Name", "Art"] + [f"X{i}" for i in range(5000)])
                + "\r\nVerein;Sonstige\r\n"
            ).encode(),
            ORGANISATIONS,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "structure",
            "formel.csv",
            org_csv('=HYPERLINK("http://boese.example")').encode(),
            ORGANISATIONS,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "structure",
            "html.csv",
            b"<html><body><script>alert(1)</script></body></html>",
            ORGANISATIONS,
            ["Überschrift"],
        )
    )
    return files


def _xlsx_files():
    files = []
    add = files.append
    add(
        HostileFile(
            "xlsx", "bad-crc.xlsx", xlsx_bad_crc(), ORGANISATIONS, ["Excel-Datei", "beschädigt"]
        )
    )
    add(
        HostileFile(
            "xlsx",
            "deflate-kaputt.xlsx",
            xlsx_corrupt_deflate(),
            ORGANISATIONS,
            ["Excel-Datei", "beschädigt"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "groesse-zu-klein.xlsx",
            xlsx_forged_size(22, 24, 10),
            ORGANISATIONS,
            ["Excel-Datei"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "groesse-zu-gross.xlsx",
            xlsx_forged_size(22, 24, 40 * 1024 * 1024),
            ORGANISATIONS,
            ["Excel-Datei"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "komprimiert-zu-gross.xlsx",
            xlsx_forged_size(18, 20, 10**9),
            ORGANISATIONS,
            ["Excel-Datei"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "deflate64.xlsx",
            xlsx_method(9),
            ORGANISATIONS,
            ["Excel-Datei", "Komprimierung"],
        )
    )
    add(HostileFile("xlsx", "bzip2-falsch.xlsx", xlsx_method(12), ORGANISATIONS, ["Excel-Datei"]))
    add(
        HostileFile(
            "xlsx",
            "verschluesselt.xlsx",
            xlsx_encrypted(),
            ORGANISATIONS,
            ["Excel-Datei", "verschlüsselt"],
        )
    )
    add(
        HostileFile(
            "xlsx", "kein-zip.xlsx", b"PK\x03\x04" + b"\x00" * 200, ORGANISATIONS, ["Excel-Datei"]
        )
    )
    add(
        HostileFile(
            "xlsx",
            "abgeschnitten.xlsx",
            VALID_XLSX[: len(VALID_XLSX) // 2],
            ORGANISATIONS,
            ["Excel-Datei"],
        )
    )
    add(
        HostileFile(
            "xlsx", "text-als-xlsx.xlsx", org_csv("Verein").encode(), ORGANISATIONS, ["Excel"]
        )
    )
    add(HostileFile("xlsx", "zip-bombe.xlsx", zip_bomb(), ORGANISATIONS, ["Excel-Datei"]))
    add(HostileFile("xlsx", "billion-laughs.xlsx", billion_laughs(), ORGANISATIONS, ["DTD"]))
    add(HostileFile("xlsx", "xxe.xlsx", xxe(), ORGANISATIONS, ["DTD"]))
    add(
        HostileFile(
            "xlsx", "word-als-xlsx.xlsx", deep_zip(), ORGANISATIONS, ["keine Excel-Arbeitsmappe"]
        )
    )
    add(
        HostileFile(
            "xlsx",
            "blatt-fehlt.xlsx",
            xlsx([("Akteure", sheet_xml(ORG_ROWS))], drop=(SHEET,)),
            ORGANISATIONS,
            ["Excel-Datei"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "kein-blatt.xlsx",
            xlsx([], extra_members={}),
            ORGANISATIONS,
            ["Tabellenblatt"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "erstes-blatt-versteckt.xlsx",
            xlsx(
                [
                    ("Geheim", sheet_xml([["Name", "Art"], ["Verstecktes Amt", "Sonstige"]])),
                    ("Akteure", sheet_xml([["Name", "Art"], ["Sichtbarer Verein", "Sonstige"]])),
                ],
                states=["hidden", None],
            ),
            ORGANISATIONS,
            ["ausgeblendet", "Geheim"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "alle-blaetter-versteckt.xlsx",
            xlsx([("Geheim", sheet_xml(ORG_ROWS))], states=["veryHidden"]),
            ORGANISATIONS,
            ["ausgeblendet"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "steuerzeichen.xlsx",
            xlsx([("Akteure", sheet_xml([["Name", "Art"], ["Verein\x9b31m", "Sonstige"]]))]),
            ORGANISATIONS,
            ["Zeile 2", "„Name“", "U+009B"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "bidi.xlsx",
            xlsx([("Akteure", sheet_xml([["Name", "Art"], ["Verein \u202egpj.exe", "Sonstige"]]))]),
            ORGANISATIONS,
            ["Zeile 2", "„Name“", "U+202E"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "zahl-1e309.xlsx",
            xlsx(
                [
                    (
                        "Werte",
                        sheet_xml(
                            [
                                ["Kennzahl", "Stichtag", "Wert"],
                                ["Kursteilnehmende", "31.12.2024", ("n", "1E309")],
                            ]
                        ),
                    )
                ]
            ),
            VALUES,
            ["Zeile 2", "„Wert“"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "zahl-kein-wert.xlsx",
            xlsx(
                [
                    (
                        "Werte",
                        sheet_xml(
                            [
                                ["Kennzahl", "Stichtag", "Wert"],
                                ["Kursteilnehmende", "31.12.2024", ("n", "abc")],
                            ]
                        ),
                    )
                ]
            ),
            VALUES,
            ["Excel-Datei"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "fehlerwert.xlsx",
            xlsx(
                [
                    (
                        "Werte",
                        sheet_xml(
                            [
                                ["Kennzahl", "Stichtag", "Wert"],
                                ["Kursteilnehmende", "31.12.2024", ("e", "#DIV/0!")],
                            ]
                        ),
                    )
                ]
            ),
            VALUES,
            ["Zeile 2", "„Wert“"],
        )
    )
    add(
        HostileFile(
            "xlsx",
            "xls-alt.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            ORGANISATIONS,
            [".xls"],
        )
    )
    return files


def _outline_files():
    files = []
    add = files.append
    add(HostileFile("outline", "leer.txt", b"", OUTLINE, ["leer"]))
    add(HostileFile("outline", "nur-bom.txt", codecs.BOM_UTF8 + b"\r\n", OUTLINE, ["leer"]))
    add(
        HostileFile(
            "outline",
            "utf16.txt",
            codecs.BOM_UTF16_LE + VALID_OUTLINE.encode("utf-16-le"),
            OUTLINE,
            ["UTF-16"],
        )
    )
    add(
        HostileFile(
            "outline",
            "binaer.txt",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            OUTLINE,
            ["keine Textdatei"],
        )
    )
    add(
        HostileFile(
            "outline",
            "pdf.txt",
            b"%PDF-1.4\n" + bytes(range(1, 9)) + b"\nstream",
            OUTLINE,
            ["keine Textdatei"],
        )
    )
    add(
        HostileFile(
            "outline",
            "zip.txt",
            _raw_zip_with_member("a.txt", "x" * 100),
            OUTLINE,
            ["keine Textdatei"],
        )
    )
    add(
        HostileFile(
            "outline",
            "windows-1252.txt",
            VALID_OUTLINE.encode("cp1252"),
            OUTLINE,
            accepted=True,
        )
    )
    add(
        HostileFile(
            "outline",
            "gemischt.txt",
            VALID_OUTLINE.encode("utf-8") + "\n3.1.3. Maßnahme I3: Jäger\n".encode("cp1252"),
            OUTLINE,
            ["gemischt", "Zeile 37"],
        )
    )
    add(
        HostileFile(
            "outline",
            "nur-cr.txt",
            VALID_OUTLINE.replace("\n", "\r").encode(),
            OUTLINE,
            accepted=True,
        )
    )
    for name, char in [
        ("esc", "\x1b"),
        ("bel", "\x07"),
        ("vt", "\x0b"),
        ("ff", "\x0c"),
        ("nel", "\x85"),
        ("csi", "\x9b"),
    ]:
        add(
            HostileFile(
                "outline",
                f"steuerzeichen-{name}.txt",
                outline_with(f"Sprache{char} – Alle sprechen Deutsch."),
                OUTLINE,
                ["Zeile 7", f"U+{ord(char):04X}"],
            )
        )
    for char in ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"]:
        add(
            HostileFile(
                "outline",
                f"bidi-{ord(char):04x}.txt",
                outline_with(f"Sprache {char}– Alle sprechen Deutsch."),
                OUTLINE,
                ["Zeile 7", f"U+{ord(char):04X}"],
            )
        )
    add(
        HostileFile(
            "outline",
            "bidi-titel.txt",
            (
                "Integrationskonzept \u202eLK Musterland\n" + VALID_OUTLINE.split("\n", 1)[1]
            ).encode(),
            OUTLINE,
            ["Zeile 1", "U+202E"],
        )
    )
    add(
        HostileFile(
            "outline",
            "nummer-luecke.txt",
            VALID_OUTLINE.replace("2.3. Strategisches Ziel 3", "2.5. Strategisches Ziel 3")
            .replace("2.3.1. Teilziel", "2.5.1. Teilziel")
            .encode(),
            OUTLINE,
            ["Zeile"],
        )
    )
    add(
        HostileFile(
            "outline",
            "nummer-doppelt.txt",
            VALID_OUTLINE.replace(
                "2.2. Strategisches Ziel 2", "2.1. Strategisches Ziel 2"
            ).encode(),
            OUTLINE,
            ["Zeile"],
        )
    )
    deep = "\n".join(
        f"{'.'.join(['2'] + ['1'] * depth)}. Ebene {depth}" for depth in range(1, 1500)
    )
    add(
        HostileFile(
            "outline",
            "riesige-tiefe.txt",
            (VALID_OUTLINE + "\n" + deep).encode(),
            OUTLINE,
            ["Zeile"],
        )
    )
    add(
        HostileFile(
            "outline",
            "lange-zeile.txt",
            outline_with("Sprache – " + "Alle sprechen Deutsch " * 30000),
            OUTLINE,
            ["Zeile 7"],
        )
    )
    add(
        HostileFile(
            "outline",
            "ohne-nummern.txt",
            b"Einkaufsliste\nMilch\nBrot\n",
            OUTLINE,
            ["nummerierten"],
        )
    )
    add(
        HostileFile(
            "outline",
            "riesige-nummer.txt",
            VALID_OUTLINE.replace(
                "2.2. Strategisches Ziel 2", "2.99999999999999999999. Strategisches Ziel 2"
            ).encode(),
            OUTLINE,
            ["Zeile"],
        )
    )
    return files


def corpus():
    return _csv_files() + _xlsx_files() + _outline_files()
