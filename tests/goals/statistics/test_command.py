"""manage.py import_statistics: the same plan and checks as in the browser, all or nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from goals.models import Indicator, IndicatorValue, StatisticsImport, StatisticsSource
from tests.factories import ConceptFactory
from tests.goals.statistics.builders import REAL, opensdg_folder

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_dry_run_shows_the_plan_and_writes_nothing(capsys):
    concept = ConceptFactory(slug="lk-test")
    call_command("import_statistics", str(REAL), concept="lk-test", region="K03460", dry_run=True)
    out = capsys.readouterr().out
    assert "neu: Ausländerinnen und Ausländer in Niedersachsen [1-2-1] – 20 neu" in out
    assert "Prüfung (nichts gespeichert): Kennzahlen: 15 neu" in out
    assert not Indicator.objects.filter(concept=concept).exists()
    assert not StatisticsSource.objects.exists()


def test_import_then_second_run_unchanged(capsys, tmp_path):
    ConceptFactory(slug="lk-test")
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    call_command("import_statistics", str(folder), concept="lk-test", region="K1")
    source = StatisticsSource.objects.get()
    assert source.location == str(folder.resolve()) and source.format == "opensdg"
    capsys.readouterr()
    call_command("import_statistics", str(folder), concept="lk-test")  # region remembered
    assert "Kennzahlen: 0 neu, 0 geändert, 1 unverändert" in capsys.readouterr().out
    assert IndicatorValue.objects.count() == 1
    assert StatisticsImport.objects.count() == 2


def test_broken_file_names_file_and_line_and_writes_nothing(tmp_path):
    ConceptFactory(slug="lk-test")
    folder = opensdg_folder(
        tmp_path,
        {
            "9-1-1": "Year,GeoCode,Value\n2020,K1,5\n",
            "9-1-2": "Year,GeoCode,Value\n2020,K1,5\n2021,K1,5;0\n",
        },
    )
    with pytest.raises(CommandError) as error:
        call_command("import_statistics", str(folder), concept="lk-test", region="K1")
    assert str(error.value) == (
        "Einlesen abgebrochen – es wurde nichts gespeichert.\n"
        "Datei data/indicator_9-1-2.csv, Zeile 3: „5;0“ ist keine Zahl."
    )
    assert not Indicator.objects.exists() and not StatisticsSource.objects.exists()


def test_unknown_concept_and_missing_region(tmp_path):
    with pytest.raises(CommandError, match=r"Ein Konzept „nix“ gibt es nicht\."):
        call_command("import_statistics", str(tmp_path), concept="nix")
    ConceptFactory(slug="lk-test")
    with pytest.raises(CommandError, match="--region"):
        call_command("import_statistics", str(tmp_path), concept="lk-test")


def test_command_in_its_own_process_on_a_migrated_test_database(tmp_path):
    """The command as cron or an operator runs it: exit codes and messages, on a database of
    its own (never the developer's db.sqlite3)."""
    database = tmp_path / "commands.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert manage("migrate", "--no-input", "-v", "0").returncode == 0
    assert manage("loaddata", "fixtures/lk_vechta.json", "-v", "0").returncode == 0
    broken = opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K03460\n"})
    result = manage(
        "import_statistics", str(broken), "--concept", "lk-vechta", "--region", "K03460"
    )
    assert result.returncode == 1
    assert "Datei data/indicator_9-1-1.csv, Zeile 2: Die Zeile hat 2 statt 3 Spalten." in (
        result.stderr
    )
    result = manage("import_statistics", str(REAL), "--concept", "lk-vechta", "--region", "K03460")
    assert result.returncode == 0, result.stderr
    assert "Gespeichert: Kennzahlen: 15 neu" in result.stdout
    again = manage("import_statistics", str(REAL), "--concept", "lk-vechta")
    assert "Kennzahlen: 0 neu, 0 geändert, 15 unverändert" in again.stdout
