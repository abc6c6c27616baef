"""export_data and import_data: the browser's checks on the command line, German errors."""

import io

import pytest
from django.core.management import CommandError, call_command

from measures.models import Measure
from tests.spreadsheets import read_csv_bytes, write_csv_bytes, xlsx_rows


def test_export_writes_csv_and_xlsx(world, tmp_path):
    out = io.StringIO()
    target = tmp_path / "m.csv"
    call_command("export_data", "measures", concept="lk-test", output=str(target), stdout=out)
    assert "4 Zeilen geschrieben" in out.getvalue()
    assert read_csv_bytes(target.read_bytes())[0][0] == "Kürzel"

    call_command(
        "export_data",
        "progress",
        concept="lk-test",
        format="xlsx",
        output=str(tmp_path),
        stdout=out,
    )
    [written] = tmp_path.glob("sachstaende-lk-test-*.xlsx")
    assert xlsx_rows(written.read_bytes())[0][0] == "Maßnahme"


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (
            ["massnahmen"],
            {"concept": "lk-test"},
            "Unbekannte Datenart „massnahmen“. Erlaubt: measures, progress",
        ),
        (
            ["measures"],
            {"concept": "lk-test", "format": "xls"},
            "Unbekanntes Format „xls“. Erlaubt: csv, xlsx.",
        ),
        (["measures"], {"concept": "gibt-es-nicht"}, "Ein Konzept „gibt-es-nicht“ gibt es nicht."),
        (["measures"], {"concept": "lk-test", "format": "xlsx", "output": "-"}, "nur CSV"),
    ],
)
def test_export_errors_are_german(world, args, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_data", *args, **options)


def test_import_dry_run_and_real_import(world, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(
        write_csv_bytes([["Kürzel", "Ampel", "Abweichung"], ["S1", "rot", "Träger fehlt."]])
    )
    out = io.StringIO()
    call_command("import_data", "measures", str(path), concept="lk-test", dry_run=True, stdout=out)
    assert "Zeile 2 (geändert) S1: Ampel: grün → rot" in out.getvalue()
    assert (
        "Prüfung (nichts gespeichert): 1 Zeilen – 0 neu, 1 geändert, 0 unverändert."
        in out.getvalue()
    )
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "green"

    call_command(
        "import_data", "measures", str(path), concept="lk-test", user="koordination", stdout=out
    )
    measure = Measure.objects.get(pk=world.s1.pk)
    assert measure.traffic_light == "red"
    assert measure.history.order_by("-history_id").first().history_user == world.user


def test_import_errors_list_row_column_and_message(world, tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(
        write_csv_bytes(
            [
                ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Spalte X"],
                ["S1", "01.02.2026", "in Umsetzung", "grün", "20", ""],
                ["S9", "01.02.2026", "fertig", "grün", "20", ""],
            ]
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_data", "progress", str(path), concept="lk-test", stderr=err)
    assert str(raised.value) == (
        "Import von „s.csv“ abgebrochen – es wurde nichts gespeichert.\n"
        "Zeile 3, Spalte „Maßnahme“: Eine Maßnahme „S9“ gibt es in diesem Konzept nicht.\n"
        "Zeile 3, Spalte „Umsetzungsstand“: „fertig“ ist kein gültiger Umsetzungsstand (erlaubt: "
        "nicht begonnen, in Vorbereitung, in Umsetzung, umgesetzt, verstetigt, zurückgestellt, "
        "entfallen)."
    )
    assert "Hinweis: Die Spalte „Spalte X“ ist unbekannt und wird ignoriert." in err.getvalue()
    assert world.s1.entries.count() == 1


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["flights", "x.csv"], {"concept": "lk-test"}, "Unbekannte Datenart „flights“"),
        (["measures", "fehlt.csv"], {"concept": "lk-test"}, "Die Datei „fehlt.csv“ gibt es nicht."),
        (["measures", "x.csv"], {"concept": "nirgends"}, "Ein Konzept „nirgends“ gibt es nicht."),
        (
            ["measures", "x.csv"],
            {"concept": "lk-test", "user": "niemand"},
            "Einen Benutzer „niemand“",
        ),
    ],
)
def test_import_argument_errors_are_german(world, args, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_data", *args, **options)


def test_import_refuses_unreadable_files(world, tmp_path):
    path = tmp_path / "alt.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    with pytest.raises(
        CommandError, match=r"Das alte Excel-Format \(\.xls\) wird nicht unterstützt"
    ):
        call_command("import_data", "measures", str(path), concept="lk-test")
