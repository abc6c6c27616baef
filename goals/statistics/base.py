"""What every statistics format delivers, and the registry of formats.

A format reads a folder (a source's files, or an uploaded ZIP unpacked) for one region and
returns a Reading: the raw files with their SHA-256, one Series per Kennzahl it found and one
Record per value. It writes nothing; goals/statistics/plan.py compares a Reading with the
database and goals/services.py writes it. A damaged file raises StatisticsFileError naming
the file and line."""

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

# What official statistics write where there is no value (Zeichenerklärung of the statistical
# offices): nothing, "-" (genau null oder nichts vorhanden is still no count we publish), "."
# (unbekannt/geheim), "x" (Aussage nicht sinnvoll), "..." (noch nicht verfügbar), "/" (zu
# unsicher), "*" (gesperrt). Such a cell is "no value", never 0.
MISSING_MARKERS = frozenset({"", "-", "–", ".", "x", "X", "...", "…", "/", "*"})

# Read at most this much from one file: official tables for one Land are a few MB.
MAX_FILE_BYTES = 50 * 1024 * 1024


class StatisticsFileError(Exception):
    """A file that cannot be read as its format says: the German message names the file and,
    where known, the line."""

    def __init__(self, file: str, message: str, line: int | None = None):
        self.file, self.line, self.reason = file, line, message
        if line is None:
            text = _("Datei %(file)s: %(message)s") % {"file": file, "message": message}
        else:
            text = _("Datei %(file)s, Zeile %(line)s: %(message)s") % {
                "file": file,
                "line": line,
                "message": message,
            }
        super().__init__(text)

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class RawFile:
    name: str  # path inside the folder read, with "/" (e.g. "data/indicator_1-2-1.csv")
    sha256: str
    size: int


@dataclass
class Series:
    """What a format knows about one Kennzahl: a table (indicator) in one unit.

    key: (indicator_id, unit as the source writes it, "" if none). An indicator published in
    two units (Anzahl and Prozent) becomes two Kennzahlen."""

    indicator_id: str
    unit: str
    title: str
    description: str = ""
    data_source: str = ""  # the survey behind the numbers, e.g. "Ausländerzentralregister"
    note: str = ""  # the source's notes: rounding, footnotes, series breaks
    break_years: frozenset[int] = frozenset()
    sort_key: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.indicator_id, self.unit)


@dataclass(frozen=True)
class Record:
    """One value for the region, as read. value None: the source has no number there (an
    empty cell or a marker such as "." or "x"), which is never 0."""

    indicator_id: str
    title: str
    unit: str
    year: int
    reference_date: dt.date
    period: str
    breakdown: str
    value: Decimal | None
    raw_row: str
    file: str
    line: int
    note: str = ""
    series_break: bool = False

    @property
    def series_key(self) -> tuple[str, str]:
        return (self.indicator_id, self.unit)

    @property
    def value_key(self) -> tuple[dt.date, str]:
        return (self.reference_date, self.breakdown)


@dataclass
class Reading:
    files: list[RawFile] = field(default_factory=list)
    series: dict[tuple[str, str], Series] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Format:
    slug: str
    label: str
    # read(folder, region_key) -> Reading; raises StatisticsFileError
    read: Callable[[Path, str], Reading]


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.slug] = fmt
    return fmt


def get_format(slug: str) -> Format:
    # The formats register themselves on import.
    from goals.statistics import ffcsv, opensdg  # noqa: F401

    try:
        return FORMATS[slug]
    except KeyError:
        raise StatisticsFileError(
            "", _("Unbekanntes Format „%(format)s“.") % {"format": slug}
        ) from None


def read_bytes(path: Path, name: str) -> bytes:
    """A file's bytes, refused above MAX_FILE_BYTES."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise StatisticsFileError(
            name,
            _("Die Datei ist größer als %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
        )
    return path.read_bytes()


def raw_file(name: str, data: bytes) -> RawFile:
    return RawFile(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def decode_text(data: bytes, name: str, encodings=("utf-8-sig",)) -> str:
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatisticsFileError(
        name, _("Die Datei ist nicht als Text (%(enc)s) lesbar.") % {"enc": encodings[0]}
    )


def parse_number(text: str, *, file: str, line: int, decimal_comma: bool = False):
    """A cell as a Decimal, or None for an empty cell or a missing-value marker. Anything
    else that is not a number is refused with file and line."""
    cell = text.strip()
    if cell in MISSING_MARKERS:
        return None
    number = cell
    if decimal_comma:
        number = number.replace(".", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(number)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise StatisticsFileError(
            file, _("„%(cell)s“ ist keine Zahl.") % {"cell": cell[:40]}, line=line
        )
    return value


YEAR_RE = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def year_end(year: int) -> dt.date:
    """The Stichtag of a yearly figure: the register counts as of 31.12."""
    return dt.date(year, 12, 31)
