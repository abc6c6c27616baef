"""The flat-file CSV ("ffcsv") of GENESIS-Online and the Regionaldatenbank Deutschland.

The statistical offices hand out a table as one record per line, ";"-separated, with a
decimal comma. Two layouts exist (docs/statistics.md describes them):

- the layout GENESIS-Online writes since its 2024 change ("long"): English column names
  (`statistics_code`, `time`, `1_variable_code` …), one value per line in `value`, its unit
  in `value_unit`, its statistic in `value_variable_code`, a quality flag in `value_q`;
- the earlier layout the Regionaldatenbank still writes ("wide"): German column names
  (`Statistik_Code`, `Zeit`, `1_Merkmal_Code`, `1_Auspraegung_Code` …) and one column per
  statistic, named `CODE__Label__Unit`, with its quality flags in `CODE__Label__q`.

A cell that holds a statistical marker instead of a number ("-", ".", "x", "...", "/", "*")
has no value: it is read as None, never as 0, and the marker is kept. Anything the reader
does not understand (a bad number, a short row, an unknown time or layout) refuses the whole
file with the file name and line.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept.exchange.errors import ExchangeFileError
from concept.exchange.reading import csv_error_message, decode
from concept.exchange.values import number_from_text
from goals.statistics.base import (
    MISSING_MARKERS,
    Format,
    Reading,
    Record,
    Series,
    StatisticsFileError,
    raw_file,
    read_bytes,
    register,
)

# Quality flags of a value (the "_q" columns); "e" (final) needs no note.
QUALITY_NOTES = {
    "p": gettext_lazy("vorläufig"),
    "r": gettext_lazy("berichtigt"),
    "s": gettext_lazy("geschätzt"),
}

# Variables that hold a region (Regionaldatenbank: Deutschland, Länder, Regierungsbezirke,
# Kreise, Gemeinden; GENESIS-Online since 2024 names them GEO…).
REGION_VARIABLES = frozenset({"DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN", "GEMVB"})
REGION_PREFIX = "GEO"

# Labels the English download writes where the German one has "Jahr", "Stichtag" …: its
# numbers have a decimal point and cannot be told apart from German thousands.
ENGLISH_TIME_LABELS = frozenset({"year", "reference date", "month", "quarter", "semester"})

LONG_HEAD = ["statistics_code", "statistics_label", "time_code", "time_label", "time"]
LONG_VALUE = ["value", "value_unit", "value_variable_code", "value_variable_label"]
WIDE_HEAD = ["Statistik_Code", "Statistik_Label", "Zeit_Code", "Zeit_Label", "Zeit"]
TABLE_NAME = re.compile(r"^(\d{5}-[0-9A-Za-z]{2,}(?:-[0-9A-Za-z]+)*?)(?:_(?:de|en))?(?:_flat)?$")
YEAR = re.compile(r"^(\d{4})$")
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MAX_ERRORS = 20


class FlatFileError(ExchangeFileError):
    """A flat file that cannot be imported; each message names the file and the line."""

    def __init__(self, *messages, file="", line=None, reason=""):
        super().__init__(*messages)
        self.file, self.line, self.reason = file, line, reason or (messages[0] if messages else "")


@dataclass(frozen=True)
class Variable:
    """One classifying variable of a line: its code and label, and the attribute the line
    has (code and label), e.g. KREISE "Kreise" 03460 "Vechta, Landkreis"."""

    code: str
    label: str
    attribute_code: str
    attribute_label: str

    @property
    def is_region(self) -> bool:
        return self.code in REGION_VARIABLES or self.code.startswith(REGION_PREFIX)

    @property
    def is_total(self) -> bool:
        """A line over all attributes ("Insgesamt") carries no attribute code."""
        return not self.attribute_code or self.attribute_label.lower() == "insgesamt"


@dataclass(frozen=True)
class FlatValue:
    """One number of a flat file (or the marker that stands in its place)."""

    file: str
    line: int
    table: str  # the table, e.g. "12521-0040" (from the file name) or the statistic's code
    statistic: str  # e.g. "12521"
    statistic_label: str
    variable: str  # the value's statistic (Merkmal), e.g. "BEVSTD"
    variable_label: str
    unit: str
    region: str  # e.g. "03460"; "" when the table has no region
    region_label: str
    reference_date: dt.date
    period: str  # "2019" for a year, "" for a Stichtag
    breakdown: str  # attributes other than region and totals, e.g. "männlich, Türkei"
    value: Decimal | None
    marker: str  # the statistical marker that replaced the value, or ""
    quality: str  # the quality flag as written, e.g. "e" or "p"
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def series(self) -> tuple[str, str]:
        """What one Kennzahl holds: the statistic and its unit (GENESIS gives one code to an
        index and its change rate in per cent)."""
        return self.variable, self.unit

    @property
    def note(self) -> str:
        """The quality flag or marker in words, for the value's note."""
        if self.marker:
            return _("kein Wert (Zeichen „%(marker)s“)") % {"marker": self.marker}
        return str(QUALITY_NOTES.get(self.quality, ""))


@dataclass
class FlatFile:
    name: str
    layout: str  # "long" (GENESIS-Online since 2024) or "wide" (Regionaldatenbank)
    encoding: str
    values: list[FlatValue]
    regions: dict  # region code → label, over the whole file

    @property
    def layout_label(self) -> str:
        if self.layout == "long":
            return _("GENESIS-Flatfile (ab 2024, eine Wertspalte)")
        return _("Flatfile der Regionaldatenbank (eine Spalte je Merkmal)")


def region_key(text: str) -> str:
    """A region key as the files write it: "K03460" (the Open SDG GeoCode) → "03460"."""
    text = (text or "").strip()
    return text[1:] if text[:1].isalpha() and text[1:].isdigit() else text


def table_from_name(name: str) -> str:
    """ "12521-0040_de_flat.csv" → "12521-0040"; "" when the name says nothing."""
    stem = PurePath(name or "").stem
    match = TABLE_NAME.match(stem)
    return match.group(1) if match else ""


class _Errors:
    def __init__(self, name):
        self.name = name
        self.messages = []
        self.first = None  # (line, message)

    def add(self, line, message):
        if self.first is None:
            self.first = (line, message)
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(
                _("%(file)s, Zeile %(line)d: %(message)s")
                % {"file": self.name, "line": line, "message": message}
            )
        elif len(self.messages) == MAX_ERRORS:
            self.messages.append(
                _("%(file)s: weitere Fehler nicht aufgeführt.") % {"file": self.name}
            )

    def refuse(self, line, message):
        self.add(line, message)
        self.raise_any()

    def raise_any(self):
        if self.messages:
            line, reason = self.first
            raise FlatFileError(*self.messages, file=self.name, line=line, reason=reason)


@dataclass(frozen=True)
class _ValueColumn:
    """Where a line's value, unit, statistic and quality flag are."""

    value: int
    quality: int | None
    code: str = ""  # wide layout: fixed per column
    label: str = ""
    unit: str = ""
    unit_index: int | None = None  # long layout: read per line
    code_index: int | None = None
    label_index: int | None = None


@dataclass
class _Layout:
    kind: str
    head: list  # indexes of statistic code, label, time code, time label, time
    variables: list  # [(code, label, attribute code, attribute label) indexes]
    values: list  # [_ValueColumn]


def _variable_groups(header, start, names, errors):
    """The classifying variables from column `start` on: groups of four columns named
    1_…, 2_… (names: the suffixes of the four); returns (groups, next column)."""
    groups, position, number = [], start, 1
    while position < len(header) and header[position] == f"{number}_{names[0]}":
        expected = [f"{number}_{name}" for name in names]
        found = header[position : position + 4]
        if found != expected:
            errors.refuse(
                1,
                _("Nach „%(first)s“ werden die Spalten %(expected)s erwartet, nicht %(found)s.")
                % {
                    "first": header[position],
                    "expected": "„" + ";".join(expected) + "“",
                    "found": "„" + ";".join(found) + "“",
                },
            )
        groups.append(tuple(range(position, position + 4)))
        position += 4
        number += 1
    return groups, position


def _long_layout(header, errors):
    groups, _end = _variable_groups(
        header,
        len(LONG_HEAD),
        ["variable_code", "variable_label", "variable_attribute_code", "variable_attribute_label"],
        errors,
    )
    index = {name: i for i, name in enumerate(header)}
    missing = [name for name in LONG_VALUE if name not in index]
    if missing:
        errors.refuse(
            1,
            _("Es fehlen die Spalten %(columns)s des GENESIS-Flatfiles.")
            % {"columns": ", ".join(f"„{name}“" for name in missing)},
        )
    column = _ValueColumn(
        value=index["value"],
        quality=index.get("value_q"),
        unit_index=index["value_unit"],
        code_index=index["value_variable_code"],
        label_index=index["value_variable_label"],
    )
    return _Layout("long", list(range(5)), groups, [column])


def _wide_value_name(name):
    """ "BEVSTD__Bevoelkerungsstand__Anzahl" → ("BEVSTD", "Bevoelkerungsstand", "Anzahl")."""
    parts = name.split("__")
    code = parts[0]
    label = parts[1].replace("_", " ") if len(parts) > 1 else code
    unit = parts[2].replace("_", " ") if len(parts) > 2 else ""
    return code, label, unit


def _wide_layout(header, errors):
    groups, position = _variable_groups(
        header,
        len(WIDE_HEAD),
        ["Merkmal_Code", "Merkmal_Label", "Auspraegung_Code", "Auspraegung_Label"],
        errors,
    )
    rest = {name: i for i, name in enumerate(header) if i >= position}
    quality = {name: i for name, i in rest.items() if name.endswith("__q")}
    columns = []
    for name, i in rest.items():
        if name in quality:
            continue
        if "__" not in name:
            errors.refuse(
                1,
                _(
                    "Die Spalte „%(name)s“ ist weder ein Merkmal (1_Merkmal_Code …) noch eine "
                    "Wertspalte (CODE__Bezeichnung__Einheit)."
                )
                % {"name": name},
            )
        code, label, unit = _wide_value_name(name)
        # "CODE__Label__Unit" has its flags in "CODE__Label__q", "Label__CODE" in "…__q".
        flag = quality.get(name.rsplit("__", 1)[0] + "__q", quality.get(name + "__q"))
        columns.append(_ValueColumn(value=i, quality=flag, code=code, label=label, unit=unit))
    if not columns:
        errors.refuse(
            1,
            _("Die Datei hat keine Wertspalte (benannt CODE__Bezeichnung__Einheit)."),
        )
    return _Layout("wide", list(range(5)), groups, columns)


def _layout(header, errors):
    if header[: len(LONG_HEAD)] == LONG_HEAD:
        return _long_layout(header, errors)
    if header[: len(WIDE_HEAD)] == WIDE_HEAD:
        return _wide_layout(header, errors)
    if len(header) == 1 and "," in header[0]:
        reason = _("Die Spalten sind nicht durch „;“ getrennt.")
    else:
        reason = _("Die erste Zeile beginnt mit „%(start)s“.") % {
            "start": ";".join(header[:5])[:120]
        }
    errors.refuse(
        1,
        _(
            "Unbekanntes Spaltenlayout. %(reason)s Gelesen wird das Flatfile-CSV (ffcsv) von "
            "GENESIS-Online (Spalten „statistics_code;statistics_label;time_code;time_label;"
            "time;…;value;value_unit;…“) oder der Regionaldatenbank (Spalten „Statistik_Code;"
            "Statistik_Label;Zeit_Code;Zeit_Label;Zeit;…“)."
        )
        % {"reason": reason},
    )


def _time(text):
    """(reference date, period) of a time cell: a year "2019" counts at 31.12.2019, a
    Stichtag "31.12.2019" or "2019-12-31" at that day. None for anything else."""
    if match := YEAR.match(text):
        return dt.date(int(match.group(1)), 12, 31), match.group(1)
    try:
        if match := GERMAN_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day), ""
        if match := ISO_DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day), ""
    except ValueError:
        return None
    return None


def _read_records(name, text):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in record]
    except csv.Error as error:
        message = csv_error_message(number + 1, error)
        raise FlatFileError(f"{name}: {message}", file=name, reason=message) from None


def read_flat_file(name: str, data: bytes, *, region: str | None = None) -> FlatFile:
    """Every value of a flat file (of `region` only, if given: "03460" or "K03460").
    Raises FlatFileError naming the file and line of everything it cannot read."""
    name = name or "ffcsv"
    errors = _Errors(name)
    try:
        text, encoding = decode(data)
    except ExchangeFileError as error:
        messages = [f"{name}: {message}" for message in error.messages]
        raise FlatFileError(*messages, file=name, reason=error.messages[0]) from None
    records = _read_records(name, text)
    header = None
    for number, record in records:
        if any(record):
            header = (number, record)
            break
    if header is None:
        errors.refuse(1, _("Die Datei ist leer."))
    header_line, header = header
    layout = _layout(header, errors)
    wanted = region_key(region) if region else None
    has_region = False
    table = table_from_name(name)
    values, regions, seen = [], {}, {}
    width, lines = len(header), 0
    for number, record in records:
        if not any(record):
            continue
        lines += 1
        if len(record) != width:
            errors.add(
                number,
                _("Die Zeile hat %(found)d statt %(expected)d Spalten.")
                % {"found": len(record), "expected": width},
            )
            continue
        stat_code, stat_label, time_code, time_label, time_text = (record[i] for i in layout.head)
        if time_label.lower() in ENGLISH_TIME_LABELS:
            errors.refuse(
                number,
                _(
                    "Das ist die englische Fassung der Tabelle (Zeitangabe „%(label)s“): ihre "
                    "Zahlen haben einen Dezimalpunkt. Bitte die deutsche Fassung (de) "
                    "herunterladen."
                )
                % {"label": time_label},
            )
        when = _time(time_text)
        if when is None:
            errors.add(
                number,
                _(
                    "Die Zeitangabe „%(time)s“ (%(code)s) wird nicht gelesen; gelesen werden Jahre "
                    "(„2019“) und Stichtage („31.12.2019“ oder „2019-12-31“)."
                )
                % {"time": time_text, "code": time_code or "–"},
            )
            continue
        variables = [Variable(*(record[i] for i in group)) for group in layout.variables]
        place = next((v for v in variables if v.is_region), None)
        if place is not None:
            has_region = True
            regions.setdefault(place.attribute_code, place.attribute_label)
            if wanted is not None and region_key(place.attribute_code) != wanted:
                continue
        breakdown = ", ".join(
            v.attribute_label for v in variables if not v.is_region and not v.is_total
        )
        raw = dict(zip(header, record, strict=True))
        for column in layout.values:
            cell = record[column.value]
            flag = record[column.quality] if column.quality is not None else ""
            marker = ""
            if cell in MISSING_MARKERS or not cell:
                marker, amount = cell or (flag if flag in MISSING_MARKERS else ""), None
            else:
                try:
                    amount = number_from_text(cell)
                except InvalidOperation:
                    errors.add(
                        number,
                        _(
                            "„%(cell)s“ in der Spalte „%(column)s“ ist keine Zahl und kein "
                            "Zeichen für einen fehlenden Wert (-, ., x, ..., /, *)."
                        )
                        % {"cell": cell[:40], "column": header[column.value]},
                    )
                    continue
            item = FlatValue(
                file=name,
                line=number,
                table=table or stat_code,
                statistic=stat_code,
                statistic_label=stat_label,
                variable=column.code or record[column.code_index],
                variable_label=column.label or record[column.label_index],
                unit=column.unit or (record[column.unit_index] if column.unit_index else ""),
                region=region_key(place.attribute_code) if place else "",
                region_label=place.attribute_label if place else "",
                reference_date=when[0],
                period=when[1],
                breakdown=breakdown,
                value=amount,
                marker=marker,
                quality=flag if flag not in MISSING_MARKERS else "",
                raw=raw,
            )
            key = (item.series, item.region, item.reference_date, item.breakdown)
            if key in seen:
                errors.add(
                    number,
                    _("%(variable)s%(breakdown)s zum %(time)s steht schon in Zeile %(line)d.")
                    % {
                        "variable": item.variable_label,
                        "breakdown": f" ({item.breakdown})" if item.breakdown else "",
                        "time": item.period or time_text,
                        "line": seen[key],
                    },
                )
                continue
            seen[key] = number
            values.append(item)
    if not lines:
        errors.refuse(header_line + 1, _("Die Datei enthält nur die Kopfzeile, keine Werte."))
    errors.raise_any()
    if wanted is not None:
        if not has_region:
            errors.refuse(
                header_line,
                _(
                    "Die Tabelle hat kein Regionalmerkmal (z. B. KREISE); Werte für die Region "
                    "%(region)s lassen sich daraus nicht lesen."
                )
                % {"region": wanted},
            )
        if not values:
            known = ", ".join(f"{code} {label}".strip() for code, label in [*regions.items()][:5])
            errors.refuse(
                header_line,
                _("Die Datei enthält keine Werte für die Region %(region)s (enthalten: %(known)s).")
                % {"region": wanted, "known": known or "–"},
            )
    return FlatFile(
        name=name, layout=layout.kind, encoding=encoding, values=values, regions=regions
    )


# --- the format in the registry (goals.statistics.base) -----------------------------------


def _files(path: Path):
    """(name, bytes) of every flat file at `path`: a CSV file, or every CSV file in a folder
    and its sub-folders, in name order (a ZIP is unpacked before, goals.statistics.files)."""
    if path.is_dir():
        for member in sorted(p for p in path.rglob("*") if p.is_file()):
            if member.suffix.lower() == ".csv" and not member.name.startswith("."):
                name = member.relative_to(path).as_posix()
                yield name, read_bytes(member, name)
    else:
        yield path.name, read_bytes(path, path.name)


def series_of(item: FlatValue) -> Series:
    """The Kennzahl a value belongs to: the table's statistic in its unit."""
    table = f"{item.table} {item.variable}" if item.table != item.variable else item.variable
    return Series(
        indicator_id=table[:80],
        unit=item.unit,
        title=item.variable_label,
        description=_("%(statistic)s, Tabelle %(table)s, Merkmal %(code)s „%(label)s“")
        % {
            "statistic": item.statistic_label or item.statistic,
            "table": item.table,
            "code": item.variable,
            "label": item.variable_label,
        },
        data_source=item.statistic_label,
        sort_key=table,
    )


def read(folder, region_key: str) -> Reading:
    """A folder, ZIP or CSV file of flat files, for one region (Kreisschlüssel "03460" or
    GeoCode "K03460"). Nothing is written; a damaged file raises StatisticsFileError."""
    reading = Reading()
    seen = {}
    for name, data in _files(Path(folder)):
        reading.files.append(raw_file(name, data))
        try:
            flat = read_flat_file(name, data, region=region_key)
        except FlatFileError as error:
            raise StatisticsFileError(error.file or name, error.reason, line=error.line) from None
        for item in flat.values:
            series = series_of(item)
            reading.series.setdefault(series.key, series)
            record = Record(
                indicator_id=series.indicator_id,
                title=series.title,
                unit=item.unit,
                year=item.reference_date.year,
                reference_date=item.reference_date,
                period=item.period,
                breakdown=item.breakdown,
                value=item.value,
                raw_row=";".join(item.raw.values()),
                file=name,
                line=item.line,
                note=item.note,
            )
            key = (record.series_key, record.value_key)
            if key in seen:
                file, line = seen[key]
                raise StatisticsFileError(
                    name,
                    _("Derselbe Wert steht schon in %(file)s, Zeile %(line)d.")
                    % {"file": file, "line": line},
                    line=item.line,
                )
            seen[key] = (name, item.line)
            reading.records.append(record)
    if not reading.files:
        raise StatisticsFileError(str(folder), _("Keine CSV-Datei gefunden."))
    return reading


FORMAT = register(
    Format(slug="ffcsv", label=gettext_lazy("GENESIS-Flatfile-CSV (ffcsv)"), read=read)
)
