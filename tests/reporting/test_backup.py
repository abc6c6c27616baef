"""manage.py backup / restore: round trips into an empty database (as a district runs them, in
their own processes, with real pg_dump/pg_restore or SQLite's online backup) and every refusal."""

import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from concept.models import Concept
from measures.models import Evidence, Measure
from measures.services import evidence_add, progress_entry_create
from reporting import backup
from reporting.demo.seed import seed_demo
from reporting.models import AnnualReport
from reporting.report.services import (
    annual_report_correct,
    annual_report_create,
    annual_report_publish,
)
from tests.factories import ConceptFactory, MeasureFactory, finalise_report

# Every byte value once, so a text or encoding step anywhere in the chain would show.
PDF_2024 = b"%PDF-1.7\n" + bytes(range(256)) + b"\n%%EOF\n"
PDF_2024_V2 = b"%PDF-1.7\n" + bytes(reversed(range(256))) + b"\n%%EOF\n"


# --- set-up ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _finalise(report, pdf):
    return finalise_report(report, pdf=pdf)


@pytest.fixture
def vechta(transactional_db, media):
    """The demo concept (seed_demo), two final reports (one published, one correction)
    and evidence files, committed so that pg_dump sees them."""
    seed_demo(io.StringIO())
    concept = Concept.objects.get(slug="lk-vechta")
    entries = list(Measure.objects.get(concept=concept, code="S4").entries.order_by("date")) + list(
        Measure.objects.get(concept=concept, code="B5").entries.order_by("date")
    )
    evidence_add(
        entry=entries[0], upload=SimpleUploadedFile("Teilnehmerliste März.pdf", b"%PDF-1.4 eins")
    )
    evidence_add(
        entry=entries[1], upload=SimpleUploadedFile("protokoll.txt", "Protokoll ä ö ü".encode())
    )
    evidence_add(entry=entries[-1], upload=SimpleUploadedFile("bild.png", b"\x89PNG\r\n\x1a\n"))
    evidence_add(entry=entries[-1], url="https://example.org/bericht", label="Link")
    first = _finalise(annual_report_create(concept=concept, year=2024), PDF_2024)
    annual_report_publish(report=first, user=None)
    correction = annual_report_correct(report=first, correction_note="Tippfehler im Vorwort")
    _finalise(correction, PDF_2024_V2)
    annual_report_create(concept=concept, year=2025)  # a draft, without PDF
    return concept


@pytest.fixture
def small(transactional_db, media):
    """A concept with one measure, one Sachstand with an evidence file and a final report."""
    concept = ConceptFactory(slug="kleinkreis")
    measure = MeasureFactory(concept=concept, code="S1")
    entry = progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2025, 3, 1),
        status="in_progress",
        traffic_light="green",
        progress=20,
    )
    evidence_add(entry=entry, upload=SimpleUploadedFile("nachweis.pdf", b"%PDF-1.4 klein"))
    _finalise(annual_report_create(concept=concept, year=2024), PDF_2024)
    return concept


def empty_target(media):
    """Make the test database and media directory an empty target: no data, no files."""
    call_command("flush", "--no-input")
    shutil.rmtree(media)


def all_counts_here():
    """Rows of every table of the database the tests run on."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


class Target:
    """A second, empty database (a temporary SQLite file, or a PostgreSQL database created
    for the test) and its own media directory, reached as the district would: DATABASE_URL."""

    def __init__(self, tmp_path):
        self.media = tmp_path / "ziel-media"
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            self.file = tmp_path / "ziel.sqlite3"
            self.url = f"sqlite:///{self.file}"
        else:
            self.name = f"{db['NAME']}_ziel"[:63]
            self.params = {
                "user": db["USER"],
                "password": db["PASSWORD"],
                "host": db["HOST"] or "127.0.0.1",
                "port": db["PORT"] or 5432,
            }
            self.url = (
                f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@"
                f"{self.params['host']}:{self.params['port']}/{self.name}"
            )
            self._maintenance(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._maintenance(f'CREATE DATABASE "{self.name}"')

    def _maintenance(self, sql):
        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as conn:
            conn.execute(sql)

    def drop(self):
        if connection.vendor != "sqlite":
            self._maintenance(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def manage(self, *args, stdin=None):
        env = {**os.environ, "DATABASE_URL": self.url, "DJANGO_MEDIA_ROOT": str(self.media)}
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=django_settings.BASE_DIR,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def query(self, sql):
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.file) as conn:
                return conn.execute(sql).fetchall()
        with psycopg.connect(dbname=self.name, **self.params) as conn:
            return conn.execute(sql).fetchall()

    def counts(self):
        if connection.vendor == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        tables = [name for (name,) in self.query(sql)]
        return {name: self.query(f'SELECT COUNT(*) FROM "{name}"')[0][0] for name in tables}


@pytest.fixture
def target(tmp_path):
    target = Target(tmp_path)
    yield target
    target.drop()


def assert_same_as_source(target, source_counts):
    assert target.counts() == source_counts
    finals = target.query(
        "SELECT id, pdf_sha256, pdf FROM reporting_annualreport WHERE status = 'final'"
    )
    assert {pk: stored for pk, stored, _pdf in finals} == dict(
        AnnualReport.objects.filter(status="final").values_list("pk", "pdf_sha256")
    )
    for _pk, stored, pdf in finals:
        assert hashlib.sha256(bytes(pdf)).hexdigest() == stored
    assert {bytes(pdf) for _pk, _stored, pdf in finals} == {PDF_2024, PDF_2024_V2}
    files = [e.file.name for e in Evidence.objects.exclude(file="")]
    assert len(files) == 3
    for name in files:
        original = Path(django_settings.MEDIA_ROOT) / name
        assert (target.media / name).read_bytes() == original.read_bytes()


# --- round trips -------------------------------------------------------------------------


def test_round_trip_into_an_empty_migrated_database(vechta, target, tmp_path):
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    source_counts = all_counts_here()
    assert source_counts["measures_measure"] >= 37 and source_counts["measures_progressentry"]

    migrated = target.manage("migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    restored = target.manage("restore", str(tmp_path / "sicherung"))

    assert restored.returncode == 0, restored.stderr
    assert "Wiederherstellung abgeschlossen und geprüft" in restored.stdout
    assert "2 finale Berichte – jedes PDF passt zu seinem gespeicherten SHA-256" in restored.stdout
    assert "3 Dateien, davon 3 Nachweise – alle unverändert" in restored.stdout
    assert_same_as_source(target, source_counts)


def test_round_trip_onto_a_fresh_machine_restores_before_migrate(vechta, target, tmp_path):
    """An empty database without tables (createdb, or no SQLite file yet) takes the backup
    as it is; migrate afterwards finds nothing to do."""
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    source_counts = all_counts_here()

    restored = target.manage("restore", str(tmp_path / "sicherung"))

    assert restored.returncode == 0, restored.stderr
    assert_same_as_source(target, source_counts)
    migrated = target.manage("migrate", "--no-input")
    assert "No migrations to apply" in migrated.stdout


def test_restored_portal_keeps_working(small, target, tmp_path):
    """New rows after a restore get new ids (the sequences came back too)."""
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    assert target.manage("restore", str(tmp_path / "sicherung")).returncode == 0

    created = target.manage(
        "shell",
        "-c",
        "from tests.factories import ConceptFactory; print(ConceptFactory(slug='neu').pk)",
    )

    assert created.returncode == 0, created.stderr
    assert int(created.stdout.split()[-1]) > small.pk


# --- the backup ---------------------------------------------------------------------------


def test_backup_writes_manifest_with_counts_reports_and_checksums(small, tmp_path):
    out = io.StringIO()
    call_command("backup", str(tmp_path / "sicherung"), stdout=out)

    manifest = json.loads((tmp_path / "sicherung" / "manifest.json").read_text())
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["concept.concept"] == {"table": "concept_concept", "rows": 1}
    assert manifest["counts"]["auth.user"]["rows"] == 0
    assert manifest["counts"]["measures.evidence"]["rows"] == 1
    assert "measures.historicalmeasure" in manifest["counts"]
    report = AnnualReport.objects.get()
    assert manifest["final_reports"] == [
        {"id": report.pk, "year": 2024, "version": 1, "sha256": report.pdf_sha256}
    ]
    evidence = Evidence.objects.get()
    assert manifest["evidence_files"] == [evidence.file.name]
    media_entry = manifest["files"][f"media/{evidence.file.name}"]
    assert media_entry == {
        "sha256": hashlib.sha256(b"%PDF-1.4 klein").hexdigest(),
        "size": len(b"%PDF-1.4 klein"),
    }
    database_file = manifest["database"]["file"]
    data = (tmp_path / "sicherung" / database_file).read_bytes()
    assert manifest["files"][database_file]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "Sicherung erstellt" in out.getvalue()
    assert "davon 1 finaler Bericht" in out.getvalue()
    # Password hashes and personal data: only the operator reads a backup.
    assert (tmp_path / "sicherung").stat().st_mode & 0o777 == 0o700


def test_backup_refuses_a_directory_that_is_not_empty(small, tmp_path):
    (tmp_path / "alt").mkdir()
    (tmp_path / "alt" / "notiz.txt").write_text("x")

    with pytest.raises(CommandError, match=r"„.*alt“ ist nicht leer"):
        call_command("backup", str(tmp_path / "alt"))

    assert [p.name for p in (tmp_path / "alt").iterdir()] == ["notiz.txt"]


def test_backup_into_an_existing_empty_directory_leaves_no_temporary_directory(small, tmp_path):
    (tmp_path / "ziel").mkdir()
    before = set(tmp_path.iterdir())

    call_command("backup", str(tmp_path / "ziel"), stdout=io.StringIO())

    assert set(tmp_path.iterdir()) == before
    assert (tmp_path / "ziel" / "manifest.json").is_file()


def test_backup_refuses_a_directory_inside_the_media_root(small, media):
    with pytest.raises(CommandError, match="liegt im Medienverzeichnis"):
        call_command("backup", str(media / "sicherung"))

    assert not (media / "sicherung").exists()


def test_failed_backup_leaves_nothing_behind(small, tmp_path, monkeypatch):
    """The disk fills up while the media are copied: a German message, and no directory is
    left that could be taken for a backup."""

    def disk_full(source, target):
        raise OSError(errno.ENOSPC, "Auf dem Gerät ist kein Speicherplatz mehr verfügbar")

    monkeypatch.setattr(backup, "_copy", disk_full)
    before = set(tmp_path.iterdir())

    with pytest.raises(CommandError, match=r"ließ sich nicht schreiben.*kein Speicherplatz"):
        call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())

    assert set(tmp_path.iterdir()) == before


def test_backup_warns_about_a_missing_evidence_file_and_restore_accepts_it(small, media, tmp_path):
    evidence = Evidence.objects.get()
    (media / evidence.file.name).unlink()
    err = io.StringIO()

    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO(), stderr=err)

    assert f"Die Nachweisdatei „{evidence.file.name}“ fehlt im Medienverzeichnis" in err.getvalue()
    manifest = json.loads((tmp_path / "sicherung" / "manifest.json").read_text())
    assert manifest["missing_evidence_files"] == [evidence.file.name]
    empty_target(media)
    err = io.StringIO()
    call_command("restore", str(tmp_path / "sicherung"), stdout=io.StringIO(), stderr=err)
    assert "fehlte schon bei der Sicherung" in err.getvalue()
    assert Evidence.objects.count() == 1


# --- restore: in-process into the test database -------------------------------------------


def test_restore_into_the_emptied_database(small, tmp_path, media):
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    before = all_counts_here()
    empty_target(media)
    out = io.StringIO()

    call_command("restore", str(tmp_path / "sicherung"), stdout=out)

    assert all_counts_here() == before
    assert Concept.objects.get().slug == "kleinkreis"
    report = AnnualReport.objects.get()
    assert bytes(report.pdf) == PDF_2024
    assert Evidence.objects.get().file.read() == b"%PDF-1.4 klein"
    assert "1 finaler Bericht – sein PDF passt zum gespeicherten SHA-256" in out.getvalue()


def test_restore_refuses_a_target_with_data(small, tmp_path):
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    ConceptFactory(slug="seither-angelegt")

    with pytest.raises(CommandError, match=r"Das Ziel ist nicht leer \(2 × Integrationskonzepte"):
        call_command("restore", str(tmp_path / "sicherung"), stdout=io.StringIO())

    assert Concept.objects.filter(slug="seither-angelegt").exists()


def test_restore_refuses_a_media_directory_with_files(small, tmp_path, media):
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    call_command("flush", "--no-input")

    with pytest.raises(CommandError, match="1 Datei im Medienverzeichnis"):
        call_command("restore", str(tmp_path / "sicherung"), stdout=io.StringIO())

    assert not Concept.objects.exists()


def test_restore_with_force_overwrites_a_target_with_data(small, tmp_path, media):
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    before = all_counts_here()
    ConceptFactory(slug="seither-angelegt")
    evidence = Evidence.objects.get()
    (media / evidence.file.name).write_bytes(b"%PDF-1.4 seither geaendert")

    call_command(
        "restore", str(tmp_path / "sicherung"), "--force", "--no-input", stdout=io.StringIO()
    )

    assert all_counts_here() == before
    assert not Concept.objects.filter(slug="seither-angelegt").exists()
    assert (media / evidence.file.name).read_bytes() == b"%PDF-1.4 klein"


def test_restore_with_force_asks_first(small, tmp_path, monkeypatch):
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO())
    ConceptFactory(slug="seither-angelegt")
    monkeypatch.setattr("builtins.input", lambda prompt: "nein")

    with pytest.raises(CommandError, match="nichts wurde geändert"):
        call_command("restore", str(tmp_path / "sicherung"), "--force", stdout=io.StringIO())

    assert Concept.objects.filter(slug="seither-angelegt").exists()


# --- restore: refused backups (checked before anything is written) ------------------------


@pytest.fixture
def made(small, tmp_path):
    """A backup of the small concept, and a concept added after it (to see nothing changes)."""
    path = tmp_path / "sicherung"
    call_command("backup", str(path), stdout=io.StringIO())
    ConceptFactory(slug="seither-angelegt")
    return path


def manifest_of(path):
    return json.loads((path / "manifest.json").read_text())


def rewrite_manifest(path, change):
    manifest = manifest_of(path)
    change(manifest)
    (path / "manifest.json").write_text(json.dumps(manifest))


def refused(path, match):
    """Refused even with --force, and nothing changed."""
    with pytest.raises(CommandError, match=match):
        call_command("restore", str(path), "--force", "--no-input", stdout=io.StringIO())
    assert Concept.objects.filter(slug="seither-angelegt").exists()


def test_restore_refuses_a_tampered_evidence_file(made):
    name = f"media/{Evidence.objects.get().file.name}"
    with (made / name).open("r+b") as file:
        file.write(b"%PDF-1.5")

    refused(made, re.escape(f"„{name}“ wurde verändert oder ist beschädigt"))


def test_restore_refuses_a_tampered_database_file(made):
    name = manifest_of(made)["database"]["file"]
    data = bytearray((made / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (made / name).write_bytes(bytes(data))

    refused(made, re.escape(f"„{name}“ wurde verändert oder ist beschädigt"))


def test_restore_refuses_a_missing_file(made):
    name = f"media/{Evidence.objects.get().file.name}"
    (made / name).unlink()

    refused(made, re.escape(f"„{name}“ fehlt"))


def test_restore_refuses_a_half_written_backup(made):
    (made / "manifest.json").unlink()

    refused(made, "fehlt manifest.json. Das ist keine vollständige Sicherung")


def test_restore_refuses_a_file_name_outside_the_backup(made):
    rewrite_manifest(
        made, lambda m: m["files"].update({"../../etc/cron.d/x": {"sha256": "0", "size": 1}})
    )

    refused(made, "unzulässigen Dateinamen „../../etc/cron.d/x“")


def test_restore_refuses_a_backup_of_another_database_vendor(made):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    rewrite_manifest(made, lambda m: m["database"].update({"vendor": other}))
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

    refused(
        made,
        f"aus einer {names[other]}-Datenbank, das Portal ist aber mit einer "
        f"{names[connection.vendor]}-Datenbank eingerichtet",
    )


def test_restore_refuses_a_target_with_other_migrations(made):
    rewrite_manifest(made, lambda m: m["migrations"].append("measures.9999_zukunft"))

    refused(made, r"nur in der Sicherung: measures\.9999_zukunft")


def test_restore_refuses_a_damaged_manifest(made):
    (made / "manifest.json").write_text('{"format": "integrationsportal-sicherung", "files"')

    refused(made, "manifest.json ist beschädigt und lässt sich nicht lesen")


def test_restore_refuses_a_manifest_with_an_invalid_entry(made):
    rewrite_manifest(made, lambda m: m["counts"]["concept.concept"].update({"rows": "viele"}))

    refused(made, "ein Eintrag unter „counts“ ist ungültig")


def test_restore_check_only_verifies_the_files(made):
    out = io.StringIO()

    call_command("restore", str(made), "--check", stdout=out)

    assert "geprüft: 2 Dateien unverändert" in out.getvalue()  # database, evidence
    assert "1 finaler Bericht" in out.getvalue()
    assert "Nichts wurde eingespielt" in out.getvalue()
    assert Concept.objects.filter(slug="seither-angelegt").exists()


def test_restore_check_reports_a_tampered_file(made):
    name = f"media/{Evidence.objects.get().file.name}"
    (made / name).write_bytes(b"anders")

    with pytest.raises(CommandError, match=re.escape(f"„{name}“ wurde verändert")):
        call_command("restore", str(made), "--check", stdout=io.StringIO())


# --- restore: the checks after restoring ---------------------------------------------------


def test_restore_fails_when_a_count_differs(made):
    rewrite_manifest(made, lambda m: m["counts"]["measures.measure"].update({"rows": 2}))

    with pytest.raises(CommandError) as error:
        call_command("restore", str(made), "--force", "--no-input", stdout=io.StringIO())

    assert "NICHT in Ordnung" in str(error.value)
    assert "Tabelle measures_measure: 1 statt 2 Datensätze" in str(error.value)


def test_restore_fails_when_a_final_report_no_longer_matches_its_sha256(small, tmp_path, media):
    report = AnnualReport.objects.get()
    # Damage that no service can do: bytes changed behind the portal's back.
    AnnualReport.objects.filter(pk=report.pk).update(pdf=b"%PDF-1.7 manipuliert")
    err = io.StringIO()
    call_command("backup", str(tmp_path / "sicherung"), stdout=io.StringIO(), stderr=err)
    assert "passen schon in der gesicherten Datenbank nicht" in err.getvalue()
    empty_target(media)

    with pytest.raises(CommandError, match=r"Bericht 2024 \(Fassung 1, ID \d+\): Die PDF-Bytes"):
        call_command("restore", str(tmp_path / "sicherung"), stdout=io.StringIO())


def test_restore_fails_when_an_evidence_file_is_not_in_the_backup(made, media):
    name = Evidence.objects.get().file.name
    rewrite_manifest(made, lambda m: m["files"].pop(f"media/{name}"))
    empty_target(media)

    with pytest.raises(CommandError, match=re.escape(f"Die Nachweisdatei „{name}“ fehlt")):
        call_command("restore", str(made), stdout=io.StringIO())


# --- PostgreSQL client programs -------------------------------------------------------------


def test_pg_password_goes_only_into_the_environment():
    database = {
        "NAME": "portal",
        "USER": "portal",
        "PASSWORD": "geheim-123",
        "HOST": "db.example",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }

    env = backup.pg_environment(database)

    assert env["PGPASSWORD"] == "geheim-123"
    assert (env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == ("db.example", "5433", "portal")
    assert env["PGSSLMODE"] == "require"


def test_pg_tool_falls_back_to_debian_version_directories(tmp_path, monkeypatch):
    for version in ("13", "15"):
        folder = tmp_path / version / "bin"
        folder.mkdir(parents=True)
        (folder / "pg_dump").write_text("#!/bin/sh\n")
        (folder / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "leer"))
    monkeypatch.setattr(backup, "PG_BIN_DIRS", tmp_path)

    assert backup.pg_tool("pg_dump") == str(tmp_path / "15" / "bin" / "pg_dump")
    with pytest.raises(backup.BackupError, match="pg_restore wurde nicht gefunden"):
        backup.pg_tool("pg_restore")
