"""Reading the Open SDG layout: the LSN's real files and files built for the edge cases."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from goals.statistics.base import StatisticsFileError, get_format
from tests.goals.statistics.builders import META, REAL, opensdg_folder


def read(folder, region="K1"):
    return get_format("opensdg").read(folder, region)


def test_real_files_give_vechtas_foreign_residents():
    reading = read(REAL, "K03460")
    residents = {
        r.year: r.value for r in reading.records if r.indicator_id == "1-2-1" and not r.breakdown
    }
    assert residents[2019] == Decimal("20715")
    assert len(residents) == 20
    series = reading.series[("1-2-1", "")]
    assert series.title == "Ausländerinnen und Ausländer in Niedersachsen"
    assert series.data_source == "Ausländerzentralregister"
    # The register's rounding rule comes from the group text and stays with the Kennzahl.
    assert "Vielfaches von Fünf" in series.note


def test_real_files_hash_every_raw_file():
    reading = read(REAL, "K03460")
    by_name = {f.name: f for f in reading.files}
    data = (REAL / "data" / "indicator_1-2-1.csv").read_bytes()
    assert by_name["data/indicator_1-2-1.csv"].sha256 == hashlib.sha256(data).hexdigest()
    assert by_name["data/indicator_1-2-1.csv"].size == len(data)
    assert "meta/1-2-1.md" in by_name
    assert "translations/de/global_indicators.yml" in by_name


def test_real_series_break_from_the_census_footnote():
    reading = read(REAL, "K03460")
    assert reading.series[("1-1-1", "")].break_years == {2011}
    assert reading.series[("1-1-2", "%")].break_years == {2011, 2022}
    breaks = [r.year for r in reading.records if r.indicator_id == "1-1-1" and r.series_break]
    assert breaks == [2011]


def test_real_table_in_two_units_becomes_two_series():
    reading = read(REAL, "K03460")
    units = {unit for (indicator_id, unit) in reading.series if indicator_id == "6-2-1"}
    assert units == {"Anzahl", "Quote"}
    assert reading.series[("6-2-1", "Quote")].title.startswith(
        "Empfängerinnen und Empfänger von Mindestsicherungsleistungen je 1000"
    )


def test_real_total_breakdown_is_the_total():
    reading = read(REAL, "K03460")
    aged = {r.breakdown for r in reading.records if r.indicator_id == "1-2-6" and r.year == 2024}
    assert "" in aged and "0 - 6" in aged and "Insgesamt" not in aged


def test_raw_row_and_line_are_kept(tmp_path):
    folder = opensdg_folder(
        tmp_path, {"9-1-1": 'Year,Gebietseinheit,GeoCode,Value\n2020,"A, Stadt",K1,5\n'}
    )
    (record,) = read(folder).records
    assert record.raw_row == '2020,"A, Stadt",K1,5'
    assert record.line == 2
    assert record.file == "data/indicator_9-1-1.csv"
    assert record.reference_date == dt.date(2020, 12, 31)
    assert record.title == "Testzahl in Niedersachsen"


@pytest.mark.parametrize("marker", ["", "-", ".", "x", "...", "/", "*"])
def test_markers_and_empty_cells_are_no_value(tmp_path, marker):
    folder = opensdg_folder(
        tmp_path, {"9-1-1": f"Year,GeoCode,Value\n2020,K1,5\n2021,K1,{marker}\n"}
    )
    values = {r.year: r.value for r in read(folder).records}
    assert values == {2020: Decimal(5), 2021: None}


def test_other_regions_are_checked_but_not_read(tmp_path):
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2020,K2,7\n"})
    assert [r.value for r in read(folder).records] == [Decimal(5)]
    broken = opensdg_folder(
        tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2020,K2,sieben\n"}
    )
    with pytest.raises(StatisticsFileError) as error:
        read(broken)
    assert error.value.file == "data/indicator_9-1-1.csv"
    assert error.value.line == 3
    assert "„sieben“ ist keine Zahl" in str(error.value)


def test_short_row_is_refused_with_its_line(tmp_path):
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2021,K1\n"})
    with pytest.raises(StatisticsFileError) as error:
        read(folder)
    assert str(error.value) == (
        "Datei data/indicator_9-1-1.csv, Zeile 3: Die Zeile hat 2 statt 3 Spalten."
    )


def test_unknown_layout_is_refused(tmp_path):
    folder = opensdg_folder(tmp_path, {"9-1-1": "Jahr,Region,Wert\n2020,K1,5\n"})
    with pytest.raises(StatisticsFileError) as error:
        read(folder)
    assert "Zeile 1: Unbekannter Aufbau" in str(error.value)
    assert "Year, GeoCode, Value" in str(error.value)


def test_folder_without_data_is_refused(tmp_path):
    (tmp_path / "irgendwas").mkdir()
    with pytest.raises(StatisticsFileError) as error:
        read(tmp_path)
    assert "kein Ordner data/" in str(error.value)


def test_region_missing_everywhere_is_refused(tmp_path):
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    with pytest.raises(StatisticsFileError) as error:
        read(folder, "K03460")
    assert "„K03460“ kommt in keiner Datei vor" in str(error.value)


def test_broken_meta_yaml_names_file_and_line(tmp_path):
    meta = "---\nindicator_name: [unclosed\ndata_source: x\n---\n"
    folder = opensdg_folder(
        tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"}, metas={"9-1-1": meta}
    )
    with pytest.raises(StatisticsFileError) as error:
        read(folder)
    assert error.value.file == "meta/9-1-1.md"
    assert error.value.line is not None


def test_indicator_without_meta_or_title_is_read_too(tmp_path):
    folder = opensdg_folder(
        tmp_path, {"7-7-7": "Year,GeoCode,Value\n2020,K1,5\n"}, metas={"7-7-7": None}
    )
    reading = read(folder)
    assert reading.series[("7-7-7", "")].title == "Indikator 7.7.7"


def test_year_text_with_comparison_goes_into_the_breakdown(tmp_path):
    folder = opensdg_folder(
        tmp_path, {"9-1-1": "Year,GeoCode,Value\n2024 / 2005,K1,5\n2024 / 2019,K1,2\n"}
    )
    records = read(folder).records
    assert [(r.period, r.breakdown) for r in records] == [
        ("2024", "2024 / 2005"),
        ("2024", "2024 / 2019"),
    ]


def test_year_cell_without_a_year_is_refused(tmp_path):
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\nletztes Jahr,K1,5\n"})
    with pytest.raises(StatisticsFileError) as error:
        read(folder)
    assert "Zeile 2: „letztes Jahr“ nennt kein Jahr." in str(error.value)


def test_breakdown_columns_and_units(tmp_path):
    meta = META.format(
        id="9-1-1",
        number="9.1.1",
        extra="data_footnote: <br>1) Im Berichtsjahr 2011 erfolgte die Umstellung auf den "
        "Zensus 2011.",
    )
    folder = opensdg_folder(
        tmp_path,
        {
            "9-1-1": "Year,Gebietseinheit,Geschlecht,Units,GeoCode,Value\n"
            "2010,A,weiblich,Anzahl,K1,3\n2011,A,Insgesamt,Anzahl,K1,6\n"
            "2011,A,Insgesamt,Prozent,K1,1.5\n"
        },
        metas={"9-1-1": meta},
    )
    reading = read(folder)
    assert set(reading.series) == {("9-1-1", "Anzahl"), ("9-1-1", "Prozent")}
    assert reading.series[("9-1-1", "Anzahl")].title == "Testzahl in Niedersachsen (Anzahl)"
    keys = [(r.unit, r.year, r.breakdown, r.series_break) for r in reading.records]
    assert keys == [
        ("Anzahl", 2010, "weiblich", False),
        ("Anzahl", 2011, "", True),
        ("Prozent", 2011, "", True),
    ]
    assert reading.series[("9-1-1", "Anzahl")].description == "Eine Definition zum Test."
