"""The flat-file reader, with files built from the documented layouts (the numbers are made
up for the tests, except Vechta's 20.715 foreign residents at 31.12.2019, the count the LSN
publishes from the Ausländerzentralregister)."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from concept import roles
from goals.models import Indicator, IndicatorValue, StatisticsSource
from goals.statistics.base import StatisticsFileError, get_format
from goals.statistics.ffcsv import FlatFileError, read_flat_file, region_key, table_from_name
from tests.factories import ConceptFactory, UserFactory, add_member

WIDE_HEADER = (
    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;"
    "1_Merkmal_Code;1_Merkmal_Label;1_Auspraegung_Code;1_Auspraegung_Label;"
    "2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;2_Auspraegung_Label;"
    "BEV016__Auslaender__Anzahl;BEV016__Auslaender__q"
)


def wide_line(date, region, label, sex_code, sex_label, value, flag="e"):
    return (
        f"12521;Ausländerstatistik;STAG;Stichtag;{date};KREISE;Kreise;{region};{label};"
        f"GES;Geschlecht;{sex_code};{sex_label};{value};{flag}"
    )


def wide_file(*lines, encoding="cp1252"):
    return ("\r\n".join([WIDE_HEADER, *lines]) + "\r\n").encode(encoding)


VECHTA = "Vechta, Landkreis"
WIDE = wide_file(
    wide_line("31.12.2018", "03460", VECHTA, "", "Insgesamt", "19250"),
    wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "20.715"),
    wide_line("31.12.2019", "03460", VECHTA, "GESM", "männlich", "11207"),
    wide_line("31.12.2019", "03460", VECHTA, "GESW", "weiblich", "."),
    wide_line("31.12.2019", "03459", "Osnabrück, Landkreis", "", "Insgesamt", "31020"),
)

LONG_HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label;value_q"
)


def long_file(*lines):
    return ("\ufeff" + "\n".join([LONG_HEADER, *lines]) + "\n").encode("utf-8")


LONG = long_file(
    "12521;Ausländerstatistik;JAHR;Jahr;2022;KREISE;Kreise;03460;Vechta, Landkreis;"
    "24150;Anzahl;BEV016;Ausländer;e",
    "12521;Ausländerstatistik;JAHR;Jahr;2023;KREISE;Kreise;03460;Vechta, Landkreis;"
    "25310;Anzahl;BEV016;Ausländer;p",
    "12521;Ausländerstatistik;JAHR;Jahr;2023;KREISE;Kreise;03460;Vechta, Landkreis;"
    "12,5;%;BEV016;Ausländer;p",
    "12521;Ausländerstatistik;JAHR;Jahr;2024;KREISE;Kreise;03460;Vechta, Landkreis;"
    "...;Anzahl;BEV016;Ausländer;",
)


def refusal(name, data, **kwargs):
    with pytest.raises(FlatFileError) as caught:
        read_flat_file(name, data, **kwargs)
    return caught.value.messages


def test_regionaldatenbank_layout_reads_values_of_the_district():
    flat = read_flat_file("12521-01-03-4_flat.csv", WIDE, region="03460")
    assert flat.layout == "wide"
    assert flat.encoding == "Windows-1252"
    assert [(v.reference_date, v.breakdown, v.value) for v in flat.values] == [
        (dt.date(2018, 12, 31), "", Decimal(19250)),
        (dt.date(2019, 12, 31), "", Decimal(20715)),
        (dt.date(2019, 12, 31), "männlich", Decimal(11207)),
        (dt.date(2019, 12, 31), "weiblich", None),
    ]
    first = flat.values[0]
    assert first.table == "12521-01-03-4"
    assert (first.statistic, first.variable, first.variable_label, first.unit) == (
        "12521",
        "BEV016",
        "Auslaender",
        "Anzahl",
    )
    assert (first.region, first.region_label, first.line) == ("03460", VECHTA, 2)
    assert first.raw["1_Auspraegung_Code"] == "03460"
    assert first.raw["BEV016__Auslaender__Anzahl"] == "19250"


def test_a_marker_is_no_value_and_never_zero():
    flat = read_flat_file("12521.csv", WIDE, region="03460")
    secret = flat.values[-1]
    assert secret.value is None
    assert secret.marker == "."
    assert secret.note == "kein Wert (Zeichen „.“)"


def test_the_open_sdg_geocode_names_the_same_district():
    assert region_key("K03460") == "03460"
    by_geocode = read_flat_file("12521.csv", WIDE, region="K03460")
    assert {v.region for v in by_geocode.values} == {"03460"}
    everything = read_flat_file("12521.csv", WIDE)
    assert {v.region for v in everything.values} == {"03460", "03459"}
    assert everything.regions == {"03460": VECHTA, "03459": "Osnabrück, Landkreis"}


def test_genesis_layout_since_2024_has_one_value_column():
    flat = read_flat_file("12521-0040_de_flat.csv", LONG, region="03460")
    assert flat.layout == "long"
    assert flat.encoding == "UTF-8"
    assert [(v.period, v.unit, v.value, v.quality, v.note) for v in flat.values] == [
        ("2022", "Anzahl", Decimal(24150), "e", ""),
        ("2023", "Anzahl", Decimal(25310), "p", "vorläufig"),
        ("2023", "%", Decimal("12.5"), "p", "vorläufig"),
        ("2024", "Anzahl", None, "", "kein Wert (Zeichen „...“)"),
    ]
    assert flat.values[0].table == "12521-0040"
    assert flat.values[0].reference_date == dt.date(2022, 12, 31)
    # An index and its change share a code: the unit keeps them apart.
    assert {v.series for v in flat.values} == {("BEV016", "Anzahl"), ("BEV016", "%")}


def test_stichtag_in_iso_form_and_a_region_from_genesis_geo_variables():
    data = long_file(
        "1000A;Bevölkerung kompakt;STAG;Stichtag;2022-05-15;GEOKR1;Kreise;03460;Vechta;"
        "1.234,5;qkm;FLC001;Fläche;e"
    )
    (value,) = read_flat_file("1000A.csv", data, region="03460").values
    assert value.reference_date == dt.date(2022, 5, 15)
    assert value.period == ""
    assert value.value == Decimal("1234.5")


def test_table_name_from_the_download_name():
    assert table_from_name("12521-0040_de_flat.csv") == "12521-0040"
    assert table_from_name("/tmp/12521-01-03-4.csv") == "12521-01-03-4"
    assert table_from_name("auslaender.csv") == ""


def test_a_bad_number_is_refused_with_file_and_line():
    data = wide_file(
        wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "20715"),
        wide_line("31.12.2020", "03460", VECHTA, "", "Insgesamt", "21k"),
    )
    (message,) = refusal("12521.csv", data, region="03460")
    assert message.startswith("12521.csv, Zeile 3:")
    assert "„21k“" in message and "BEV016__Auslaender__Anzahl" in message


def test_a_short_row_is_refused_with_file_and_line():
    data = wide_file(
        wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "20715").rsplit(";", 2)[0]
    )
    (message,) = refusal("kurz.csv", data)
    assert message == "kurz.csv, Zeile 2: Die Zeile hat 13 statt 15 Spalten."


def test_an_unknown_layout_is_refused():
    (message,) = refusal("tabelle.csv", b"Jahr;Kreis;Wert\n2019;03460;20715\n")
    assert message.startswith("tabelle.csv, Zeile 1: Unbekanntes Spaltenlayout.")
    assert "„Jahr;Kreis;Wert“" in message
    (comma,) = refusal("tabelle.csv", b"statistics_code,statistics_label,time\n1,2,3\n")
    assert "nicht durch „;“ getrennt" in comma


def test_a_broken_variable_group_is_refused():
    data = (
        b"Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;"
        b"1_Merkmal_Label;1_Auspraegung_Label;BEV016__Auslaender__Anzahl\n"
    )
    (message,) = refusal("x.csv", data)
    assert "Zeile 1" in message and "1_Auspraegung_Code" in message


def test_the_long_layout_needs_its_value_columns():
    data = (LONG_HEADER.replace(";value_unit", "") + "\n").encode()
    (message,) = refusal("x.csv", data)
    assert message == "x.csv, Zeile 1: Es fehlen die Spalten „value_unit“ des GENESIS-Flatfiles."


def test_an_unknown_time_is_refused():
    data = wide_file(wide_line("2019/20", "03460", VECHTA, "", "Insgesamt", "20715"))
    (message,) = refusal("x.csv", data)
    assert message.startswith("x.csv, Zeile 2: Die Zeitangabe „2019/20“ (STAG)")


def test_an_impossible_date_is_refused():
    data = wide_file(wide_line("31.02.2019", "03460", VECHTA, "", "Insgesamt", "20715"))
    assert "„31.02.2019“" in refusal("x.csv", data)[0]


def test_the_same_value_twice_is_refused_naming_both_lines():
    line = wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "20715")
    (message,) = refusal("x.csv", wide_file(line, line))
    assert message == "x.csv, Zeile 3: Auslaender zum 31.12.2019 steht schon in Zeile 2."


def test_every_error_is_listed_at_once():
    data = wide_file(
        wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "zwanzig"),
        "12521;kurz",
        wide_line("31.12.2021", "03460", VECHTA, "", "Insgesamt", "1e9"),
    )
    messages = refusal("x.csv", data)
    assert [m.split(":")[0] for m in messages] == [
        "x.csv, Zeile 2",
        "x.csv, Zeile 3",
        "x.csv, Zeile 4",
    ]


def test_the_english_download_is_refused():
    data = long_file(
        "12521;Foreigners;JAHR;Year;2022;KREISE;Districts;03460;Vechta;24.15;thousand;"
        "BEV016;Foreigners;e"
    )
    (message,) = refusal("12521-0040_en_flat.csv", data)
    assert "englische Fassung" in message and "Zeile 2" in message


def test_a_district_the_file_does_not_hold_is_refused():
    (message,) = refusal("12521.csv", WIDE, region="03451")
    assert message.startswith("12521.csv, Zeile 1: Die Datei enthält keine Werte für die Region")
    assert "03460 Vechta, Landkreis" in message


def test_a_table_without_regions_cannot_give_a_districts_values():
    data = long_file(
        "61111;Verbraucherpreisindex;JAHR;Jahr;2023;DINSG;Deutschland;DG;Deutschland;"
        "117,4;2020=100;PREIS1;Verbraucherpreisindex;e"
    ).replace(b"DINSG", b"WERT01")
    (message,) = refusal("61111.csv", data, region="03460")
    assert "kein Regionalmerkmal" in message


def test_empty_and_header_only_files_are_refused():
    assert refusal("leer.csv", b"") == ["leer.csv, Zeile 1: Die Datei ist leer."]
    assert refusal("bild.csv", b"\x89PNG\r\n\x1a\n\x00") == [
        "bild.csv: Die Datei ist keine Textdatei (CSV) und keine XLSX-Datei."
    ]
    (message,) = refusal("kopf.csv", (WIDE_HEADER + "\n").encode())
    assert message == "kopf.csv, Zeile 2: Die Datei enthält nur die Kopfzeile, keine Werte."


def test_an_unclosed_quote_is_refused_with_its_line():
    data = wide_file(wide_line("31.12.2019", "03460", '"Vechta', "", "Insgesamt", "1"))
    (message,) = refusal("x.csv", data)
    assert message.startswith("x.csv: Zeile 2 lässt sich nicht lesen")


# --- the format in the registry --------------------------------------------------------


def test_the_registry_reads_a_single_csv_file_for_the_district(tmp_path):
    path = tmp_path / "12521-01-03-4_flat.csv"
    path.write_bytes(WIDE)
    reading = get_format("ffcsv").read(path, "K03460")
    assert [f.name for f in reading.files] == ["12521-01-03-4_flat.csv"]
    assert reading.files[0].sha256 == hashlib.sha256(WIDE).hexdigest()
    (series,) = reading.series.values()
    assert series.key == ("12521-01-03-4 BEV016", "Anzahl")
    assert series.title == "Auslaender"
    assert series.data_source == "Ausländerstatistik"
    records = {(r.reference_date, r.breakdown): r for r in reading.records}
    total = records[(dt.date(2019, 12, 31), "")]
    assert (total.value, total.year, total.line) == (Decimal(20715), 2019, 3)
    assert total.raw_row.startswith("12521;Ausländerstatistik;STAG;Stichtag;31.12.2019;KREISE")
    secret = records[(dt.date(2019, 12, 31), "weiblich")]
    assert secret.value is None and secret.note == "kein Wert (Zeichen „.“)"
    assert {r.series_key for r in reading.records} == {series.key}


def test_the_registry_reads_every_csv_of_a_folder(tmp_path):
    (tmp_path / "12521-0040_de_flat.csv").write_bytes(LONG)
    (tmp_path / "liesmich.txt").write_text("nicht gelesen")
    reading = get_format("ffcsv").read(tmp_path, "03460")
    assert [f.name for f in reading.files] == ["12521-0040_de_flat.csv"]
    assert set(reading.series) == {("12521-0040 BEV016", "Anzahl"), ("12521-0040 BEV016", "%")}
    assert len(reading.records) == 4


def test_the_registry_refuses_a_broken_file_with_file_and_line(tmp_path):
    (tmp_path / "a.csv").write_bytes(WIDE)
    (tmp_path / "b.csv").write_bytes(
        wide_file(wide_line("31.12.2020", "03460", VECHTA, "", "Insgesamt", "zwanzig"))
    )
    with pytest.raises(StatisticsFileError) as caught:
        get_format("ffcsv").read(tmp_path, "03460")
    assert (caught.value.file, caught.value.line) == ("b.csv", 2)
    assert str(caught.value).startswith("Datei b.csv, Zeile 2: „zwanzig“")


def test_the_same_value_in_two_files_is_refused(tmp_path):
    (tmp_path / "a.csv").write_bytes(WIDE)
    (tmp_path / "b.csv").write_bytes(WIDE)
    with pytest.raises(StatisticsFileError) as caught:
        get_format("ffcsv").read(tmp_path, "03460")
    assert str(caught.value) == (
        "Datei b.csv, Zeile 2: Derselbe Wert steht schon in a.csv, Zeile 2."
    )


def test_a_folder_without_csv_files_is_refused(tmp_path):
    (tmp_path / "liesmich.txt").write_text("keine Tabelle")
    with pytest.raises(StatisticsFileError, match="Keine CSV-Datei gefunden"):
        get_format("ffcsv").read(tmp_path, "03460")


# --- through the command: a single table file, all or nothing -----------------------------


def import_ffcsv(path, **options):
    call_command(
        "import_statistics",
        str(path),
        format="ffcsv",
        concept="lk-test",
        region="03460",
        verbosity=0,
        **options,
    )


@pytest.mark.django_db
def test_a_single_table_is_imported_once_and_a_second_run_changes_nothing(tmp_path, capsys):
    concept = ConceptFactory(slug="lk-test")
    path = tmp_path / "12521-01-03-4_flat.csv"
    path.write_bytes(WIDE)
    import_ffcsv(path)
    indicator = Indicator.objects.get(concept=concept)
    assert indicator.statistics_id == "12521-01-03-4 BEV016"
    assert indicator.statistics_unit == "Anzahl"
    values = {(v.reference_date.year, v.breakdown): v for v in indicator.values.all()}
    # The secret "." for women in 2019 is no value, never a 0.
    assert sorted((k, v.value) for k, v in values.items()) == [
        ((2018, ""), 19250),
        ((2019, ""), 20715),
        ((2019, "männlich"), 11207),
    ]
    total = values[(2019, "")]
    assert (total.raw_file, total.raw_line) == ("12521-01-03-4_flat.csv", 3)
    assert StatisticsSource.objects.get().format == "ffcsv"
    capsys.readouterr()
    call_command("import_statistics", str(path), concept="lk-test", verbosity=1)
    assert "0 neu, 0 geändert" in capsys.readouterr().out
    assert IndicatorValue.objects.count() == 3


@pytest.mark.django_db
def test_a_broken_table_is_refused_by_file_and_line_and_nothing_is_written(tmp_path):
    ConceptFactory(slug="lk-test")
    path = tmp_path / "12521_flat.csv"
    path.write_bytes(
        wide_file(
            wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "20715"),
            wide_line("31.12.2020", "03460", VECHTA, "", "Insgesamt", "21,5,1"),
        )
    )
    with pytest.raises(CommandError) as error:
        import_ffcsv(path)
    assert str(error.value).splitlines()[1].startswith("Datei 12521_flat.csv, Zeile 3: „21,5,1“")
    assert not Indicator.objects.exists() and not StatisticsSource.objects.exists()


# --- in the browser: Koordination uploads the downloaded CSV ------------------------------


def browser_upload(concept, data, name):
    client = Client()
    client.force_login(add_member(concept, UserFactory(), roles.COORDINATION))
    source = StatisticsSource.objects.create(
        slug="regionaldatenbank",
        name="Regionaldatenbank Deutschland",
        publisher="Statistische Ämter des Bundes und der Länder",
        format="ffcsv",
    )
    response = client.post(
        reverse("goals:statistics_preview", kwargs={"slug": concept.slug}),
        {
            "action": "upload",
            "file": SimpleUploadedFile(name, data, "text/csv"),
            "source": source.pk,
            "region_key": "03460",
        },
    )
    return client, response


@pytest.mark.django_db
def test_a_table_uploaded_in_the_browser_is_previewed_then_written():
    concept = ConceptFactory()
    client, response = browser_upload(concept, WIDE, "12521-01-03-4_flat.csv")
    assert response.status_code == 200
    (plan,) = response.context["plan"].indicators
    assert (plan.series.indicator_id, plan.status) == ("12521-01-03-4 BEV016", "new")
    assert not Indicator.objects.exists()  # the preview writes nothing
    done = client.post(
        reverse("goals:statistics_confirm", kwargs={"slug": concept.slug}),
        {"token": response.context["token"]},
    )
    assert done.status_code == 302
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [11207, 19250, 20715]
    assert IndicatorValue.objects.get(value=20715).raw_file == "12521-01-03-4_flat.csv"


@pytest.mark.django_db
def test_a_broken_table_uploaded_in_the_browser_is_refused_by_file_and_line():
    concept = ConceptFactory()
    data = wide_file(wide_line("31.12.2019", "03460", VECHTA, "", "Insgesamt", "2O715"))
    _client, response = browser_upload(concept, data, "12521_flat.csv")
    assert response.status_code == 400
    assert "Datei 12521_flat.csv, Zeile 2: „2O715“" in response.content.decode()
    assert not Indicator.objects.exists()
