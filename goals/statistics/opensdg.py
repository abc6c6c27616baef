"""The Open SDG data repository layout, as the LSN publishes its Integrationsmonitoring:

    data/indicator_<id>.csv      one table per indicator, all regions: Year, Gebietseinheit,
                                 disaggregation columns, optional Units, GeoCode, Value
    meta/<id>.md                 YAML front matter: title key, data source, definition,
                                 footnotes, precision, per-unit graph titles
    translations/de/*.yml        the German titles the metadata names by key

Only the rows of the region (GeoCode) become records; every row's Value is checked, so a
damaged file is refused even where another district's row is damaged."""

import csv
import html
import re
from pathlib import Path

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.statistics.base import (
    YEAR_RE,
    Format,
    RawFile,
    Reading,
    Record,
    Series,
    StatisticsFileError,
    decode_text,
    parse_number,
    raw_file,
    read_bytes,
    register,
    year_end,
)

DATA_RE = re.compile(r"^indicator_([0-9A-Za-z][0-9A-Za-z._-]{0,60})\.csv$")
YEAR, VALUE, GEOCODE, UNITS, REGION_NAME = "Year", "Value", "GeoCode", "Units", "Gebietseinheit"
NOT_BREAKDOWN = {YEAR, VALUE, GEOCODE, UNITS, REGION_NAME}
# A disaggregation cell that names the total, not a part of it.
TOTAL_WORDS = {"insgesamt", "gesamt", "zusammen"}
TITLE_FILES = ("global_indicators.yml", "global_targets.yml", "global_goals.yml")
# Footnote marks at the end of a title ("…Staatsangehörigkeiten¹⁾"): they point to notes
# kept beside the Kennzahl, not part of its name.
FOOTNOTE_MARK_RE = re.compile(r"[⁽]?[¹²³⁴⁵⁶⁷⁸⁹⁰]+[)⁾]?|\s*\d\)$")
TAG_RE = re.compile(r"<[^>]+>")
BREAK_WORDS = ("zensus", "umstellung", "vergleichbarkeit", "bruch", "neue basis")
BREAK_YEAR_RE = re.compile(r"Berichtsjahr(?:es)?\s+((?:19|20)\d\d)")
ROUNDING_WORDS = ("rundung", "gerundet")


def plain_text(value) -> str:
    """Text from the metadata without HTML: <br> as line breaks, tags dropped."""
    if value is None:
        return ""
    text = re.sub(r"<br\s*/?>", "\n", str(value), flags=re.IGNORECASE)
    text = html.unescape(TAG_RE.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


def _load_yaml(data: bytes, name: str, *, front_matter=False):
    text = decode_text(data, name)
    if front_matter:
        parts = text.split("\n---", 1) if text.startswith("---") else None
        if not parts or len(parts) < 2:
            raise StatisticsFileError(
                name, _("Unbekannter Aufbau: kein YAML-Kopf zwischen „---“-Zeilen."), line=1
            )
        text = parts[0][3:]
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 + (1 if front_matter else 0) if mark else None
        raise StatisticsFileError(
            name,
            _("Kein gültiges YAML (%(problem)s).") % {"problem": error.__class__.__name__},
            line=line,
        ) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise StatisticsFileError(name, _("Unbekannter Aufbau: erwartet sind Schlüssel: Wert."))
    return loaded


def _titles(root: Path, files: list[RawFile]) -> dict:
    titles = {}
    folder = root / "translations" / "de"
    for file_name in TITLE_FILES:
        path = folder / file_name
        if not path.is_file():
            continue
        name = f"translations/de/{file_name}"
        data = read_bytes(path, name)
        files.append(raw_file(name, data))
        group = file_name.removesuffix(".yml")
        for key, value in _load_yaml(data, name).items():
            titles[f"{group}.{key}"] = plain_text(value)
    return titles


def _title(titles: dict, key, fallback: str) -> str:
    if isinstance(key, str) and key in titles:
        text = titles[key]
    elif isinstance(key, str) and key.strip() and "." not in key and key != "Untitled":
        text = key
    else:
        text = fallback
    return FOOTNOTE_MARK_RE.sub("", text.splitlines()[0] if text else fallback).strip()


def _meta(root: Path, indicator_id: str, files: list[RawFile]) -> dict:
    path = root / "meta" / f"{indicator_id}.md"
    if not path.is_file():
        return {}
    name = f"meta/{indicator_id}.md"
    data = read_bytes(path, name)
    files.append(raw_file(name, data))
    return _load_yaml(data, name, front_matter=True)


def _notes(meta: dict, titles: dict) -> tuple[str, frozenset[int]]:
    """The source's notes for the Kennzahl (footnotes, the rounding rule of its group) and
    the years a new counting basis starts (series breaks). The group's rounding rule is
    kept where it names the Kennzahl's data source (the register that rounds)."""
    notes = []
    for key in ("data_footnote", "data_footnotes", "footnote"):
        text = plain_text(meta.get(key))
        if text:
            notes.append(re.sub(r"^\d\)\s*", "", text, flags=re.MULTILINE))
    target = titles.get(str(meta.get("target_name", "")), "")
    rounding = [s for s in sentences(target) if any(w in s.lower() for w in ROUNDING_WORDS)]
    data_source = plain_text(meta.get("data_source")).lower()
    if rounding and (not data_source or any(data_source in s.lower() for s in rounding)):
        notes.append(" ".join(rounding))
    years = set()
    for note in notes:
        for sentence in sentences(note):
            if any(word in sentence.lower() for word in BREAK_WORDS):
                years.update(int(y) for y in BREAK_YEAR_RE.findall(sentence))
    return "\n".join(notes), frozenset(years)


def _unit_titles(meta: dict) -> dict:
    result = {}
    for item in meta.get("graph_titles") or []:
        if isinstance(item, dict) and item.get("unit") and item.get("title"):
            result[str(item["unit"]).strip()] = plain_text(item["title"])
    return result


def _meta_unit(meta: dict) -> str:
    units = {
        str(item["unit"]).strip()
        for item in meta.get("precision") or []
        if isinstance(item, dict) and item.get("unit")
    }
    return units.pop() if len(units) == 1 else ""


def _read_table(path: Path, name: str, indicator_id: str, region_key: str, files):
    data = read_bytes(path, name)
    files.append(raw_file(name, data))
    text = decode_text(data, name)
    lines = text.splitlines()
    if not lines:
        raise StatisticsFileError(name, _("Die Datei ist leer."))
    reader = csv.reader(lines)
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as error:
        raise StatisticsFileError(name, str(error), line=1) from None
    missing = [column for column in (YEAR, GEOCODE, VALUE) if column not in header]
    if missing:
        raise StatisticsFileError(
            name,
            _(
                "Unbekannter Aufbau: die Spalte(n) %(columns)s fehlen (erwartet: Year, GeoCode, "
                "Value)."
            )
            % {"columns": ", ".join(missing)},
            line=1,
        )
    if len(set(header)) != len(header):
        raise StatisticsFileError(name, _("Eine Spalte steht doppelt in der Kopfzeile."), line=1)
    breakdown_columns = [c for c in header if c not in NOT_BREAKDOWN]
    rows = []
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise StatisticsFileError(name, str(error), line=reader.line_num) from None
        line, raw = previous + 1, "\n".join(lines[previous : reader.line_num])
        previous = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise StatisticsFileError(
                name,
                _("Die Zeile hat %(found)s statt %(expected)s Spalten.")
                % {"found": len(cells), "expected": len(header)},
                line=line,
            )
        row = dict(zip(header, cells, strict=True))
        value = parse_number(row[VALUE], file=name, line=line)
        if row[GEOCODE].strip() != region_key:
            continue
        period = " ".join(row[YEAR].split())
        years = [int(y) for y in YEAR_RE.findall(period)]
        if not years:
            raise StatisticsFileError(
                name, _("„%(cell)s“ nennt kein Jahr.") % {"cell": period[:40]}, line=line
            )
        parts = [
            " ".join(row[c].split())
            for c in breakdown_columns
            if row[c].strip() and row[c].strip().lower() not in TOTAL_WORDS
        ]
        if period != str(years[0]):
            # "2024 / 2005", "Veränderung aktuelles Jahr (2024) zu 2005": the comparison
            # is part of what the value says.
            parts.insert(0, period)
        rows.append((line, raw, max(years), str(max(years)), " · ".join(parts), value, row))
    return rows


def read(folder: Path, region_key: str) -> Reading:
    data_dir = folder / "data"
    tables = sorted(
        (m.group(1), p)
        for p in (data_dir.iterdir() if data_dir.is_dir() else [])
        if p.is_file() and (m := DATA_RE.match(p.name))
    )
    if not tables:
        raise StatisticsFileError(
            folder.name or "/",
            _("Unbekannter Aufbau: kein Ordner data/ mit Dateien indicator_<id>.csv (Open SDG)."),
        )
    reading = Reading()
    titles = _titles(folder, reading.files)
    found_region = False
    for indicator_id, path in tables:
        name = f"data/{path.name}"
        meta = _meta(folder, indicator_id, reading.files)
        number = str(meta.get("indicator_number") or indicator_id.replace("-", "."))
        fallback = _("Indikator %(number)s") % {"number": number}
        title = _title(
            titles,
            meta.get("indicator_name")
            or meta.get("graph_title")
            or f"global_indicators.{indicator_id}-title",
            fallback,
        )
        if title == fallback and f"global_indicators.{indicator_id}-title" in titles:
            title = _title(titles, f"global_indicators.{indicator_id}-title", fallback)
        note, break_years = _notes(meta, titles)
        unit_titles = _unit_titles(meta)
        meta_unit = _meta_unit(meta)
        rows = _read_table(path, name, indicator_id, region_key, reading.files)
        found_region = found_region or bool(rows)
        units = sorted({(r[6].get(UNITS) or meta_unit).strip() for r in rows})
        for line, raw, year, period, breakdown, value, row in rows:
            unit = (row.get(UNITS) or meta_unit).strip()
            key = (indicator_id, unit)
            if key not in reading.series:
                series_title = title
                if len(units) > 1:
                    series_title = unit_titles.get(unit) or f"{title} ({unit})"
                reading.series[key] = Series(
                    indicator_id=indicator_id,
                    unit=unit,
                    title=series_title,
                    description=plain_text(meta.get("national_indicator_description")),
                    data_source=plain_text(meta.get("data_source")),
                    note=note,
                    break_years=break_years,
                    sort_key=str(meta.get("indicator_sort_order") or indicator_id),
                )
            reading.records.append(
                Record(
                    indicator_id=indicator_id,
                    title=reading.series[key].title,
                    unit=unit,
                    year=year,
                    reference_date=year_end(year),
                    period=period,
                    breakdown=breakdown,
                    value=value,
                    raw_row=raw,
                    file=name,
                    line=line,
                    series_break=year in break_years,
                )
            )
    if not found_region:
        raise StatisticsFileError(
            "data/",
            _("Der Regionalschlüssel „%(key)s“ kommt in keiner Datei vor (Spalte GeoCode).")
            % {"key": region_key},
        )
    return reading


FORMAT = register(Format(slug="opensdg", label=gettext_lazy("Open SDG"), read=read))
