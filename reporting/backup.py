"""Backup and restore of an installation (`manage.py backup DIR`, `manage.py restore DIR`).

A backup is a directory holding the database (PostgreSQL: pg_dump's custom format; SQLite: a
copy made with SQLite's online backup), the media files (uploaded evidence) below `media/`, and
`manifest.json`: format version, versions, database vendor, the applied migrations, the row
count of every table of the portal, the stored SHA-256 of every final report, and SHA-256 and
size of every file. Counts and dump come from one database snapshot, so a backup taken while
people work still adds up; the restore checks all of it again and says what does not match.

It is written under a temporary name and renamed when complete, and a restore refuses a
directory without manifest, so a half-written backup is never taken for a good one."""

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import formatting
from measures.models import Evidence
from reporting.models import AnnualReport

FORMAT = "integrationsportal-sicherung"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"postgresql": "datenbank.pgdump", "sqlite": "datenbank.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
PROJECT_APPS = ("concept", "goals", "networks", "measures", "reporting")
# Debian installs the client programs per major version here; /usr/bin holds only a wrapper
# that may be missing when just postgresql-NN is installed.
PG_BIN_DIRS = Path("/usr/lib/postgresql")
# Connection options of DATABASES["default"]["OPTIONS"] that libpq also reads from the
# environment, so pg_dump/pg_restore reach the same database as the portal.
LIBPQ_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "application_name": "PGAPPNAME",
}
TABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What went wrong, in German, for the person running backup or restore."""


@dataclass
class Facts:
    """What a database holds, read in one snapshot: compared between backup and restore."""

    counts: dict[str, dict] = field(default_factory=dict)  # label → {"table", "rows"}
    migrations: list[str] = field(default_factory=list)  # "app.name"
    final_reports: list[dict] = field(default_factory=list)  # id, year, version, sha256s
    evidence_files: list[str] = field(default_factory=list)  # names below MEDIA_ROOT

    @property
    def rows(self):
        return sum(entry["rows"] for entry in self.counts.values())


@dataclass
class Result:
    path: Path
    vendor: str
    rows: int = 0
    tables: int = 0
    final_reports: int = 0
    evidence_files: int = 0
    media_files: int = 0
    media_bytes: int = 0
    database_bytes: int = 0
    warnings: list[str] = field(default_factory=list)


# --- what is counted ---------------------------------------------------------------------


def _tables(app_labels, only=None):
    """label → table of the concrete models of these apps, with their many-to-many tables."""
    tables = {}
    for app_label in app_labels:
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed:
                continue
            if only is not None and meta.label_lower not in only:
                continue
            tables.setdefault(meta.label_lower, meta.db_table)
    return dict(sorted(tables.items()))


def counted_tables():
    """Every table of the portal's apps plus users, roles (groups) and who holds which:
    without them a restored portal would lock everybody out."""
    return _tables((*PROJECT_APPS, "auth"))


def data_tables():
    """The tables that are empty in a freshly migrated database (groups and permissions are
    created by the migrations, so they do not count as data)."""
    return {
        **_tables(PROJECT_APPS),
        **_tables(["auth"], only={"auth.user", "auth.user_groups"}),
    }


def _quote(name):
    if not TABLE_NAME.match(name):
        raise BackupError(
            _("Ungültiger Tabellenname „%(name)s“ in manifest.json.") % {"name": name}
        )
    return f'"{name}"'


def _count(cursor, table):
    cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
    return cursor.fetchone()[0]


def _read_facts(cursor, tables):
    """Counts, migrations, final reports and evidence file names through a DB-API cursor
    (Django's inside the backup snapshot, or sqlite3's on the copied file). Plain SQL, so it
    reads a restored database whatever state the code's models are in."""
    facts = Facts()
    for label, table in tables.items():
        facts.counts[label] = {"table": table, "rows": _count(cursor, table)}
    cursor.execute('SELECT "app", "name" FROM "django_migrations"')
    facts.migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())

    report = AnnualReport._meta
    columns = ", ".join(
        _quote(report.get_field(name).column)
        for name in ("id", "year", "version", "pdf_sha256", "pdf")
    )
    cursor.execute(
        f"SELECT {columns} FROM {_quote(report.db_table)} "
        f"WHERE {_quote(report.get_field('status').column)} = "
        f"'{AnnualReport.Status.FINAL.value}' ORDER BY 1"
    )
    # One row at a time: a final report's PDF can have a few megabytes.
    while row := cursor.fetchone():
        pk, year, version, stored, pdf = row
        facts.final_reports.append(
            {
                "id": pk,
                "year": year,
                "version": version,
                "sha256": stored,
                "actual_sha256": hashlib.sha256(bytes(pdf or b"")).hexdigest(),
            }
        )

    evidence = Evidence._meta
    column = _quote(evidence.get_field("file").column)
    cursor.execute(
        f"SELECT {column} FROM {_quote(evidence.db_table)} WHERE {column} <> '' ORDER BY 1"
    )
    facts.evidence_files = [name for (name,) in cursor.fetchall()]
    return facts


# --- files -------------------------------------------------------------------------------


def _sha256(path: Path):
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy(source: Path, target: Path):
    """Copy a file (never over an existing one), flushed to disk; returns (sha256, size)."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as infile, target.open("xb") as outfile:
        while chunk := infile.read(CHUNK):
            digest.update(chunk)
            outfile.write(chunk)
            size += len(chunk)
        outfile.flush()
        os.fsync(outfile.fileno())
    shutil.copystat(source, target)
    return digest.hexdigest(), size


def _media_root():
    return Path(settings.MEDIA_ROOT).resolve()


def _media_files(root: Path):
    """Every regular file below root, as POSIX paths relative to it, sorted."""
    if not root.is_dir():
        return []
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if path.is_file():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def _inside(path: Path, folder: Path):
    return path == folder or folder in path.parents


def size_label(size: int) -> str:
    """A file size for messages: "820 KB", "12,4 MB"."""
    if size < 1024:
        return f"{size} Byte"
    if size < 1024 * 1024:
        return f"{formatting.number(size / 1024, 0)} KB"
    return f"{formatting.number(size / 1024 / 1024, 1)} MB"


# --- PostgreSQL client programs ----------------------------------------------------------


def pg_tool(name):
    """The path of pg_dump/pg_restore: from PATH, else Debian's versioned directories
    (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = []
    for folder in PG_BIN_DIRS.glob("*/bin"):
        if (folder / name).is_file() and folder.parent.name.isdigit():
            candidates.append((int(folder.parent.name), folder / name))
    if candidates:
        return str(max(candidates)[1])
    raise BackupError(
        _(
            "Das Programm %(name)s wurde nicht gefunden. Bitte die PostgreSQL-Client-Programme "
            "installieren (Debian: „apt-get install postgresql-client“) oder ihr Verzeichnis "
            "in PATH aufnehmen."
        )
        % {"name": name}
    )


def pg_environment(database=None):
    """The environment for pg_dump/pg_restore: the connection settings of the portal's
    database. The password goes only here (PGPASSWORD), never on the command line, where
    every user of the machine could read it in the process list."""
    database = database or connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
    }
    for option, variable in LIBPQ_ENVIRONMENT.items():
        values[variable] = (database.get("OPTIONS") or {}).get(option)
    for variable, value in values.items():
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def _run(command, *, tool):
    try:
        finished = subprocess.run(
            command,
            env=pg_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    except OSError as error:
        raise BackupError(
            _("%(tool)s ließ sich nicht starten: %(error)s") % {"tool": tool, "error": error}
        ) from None
    if finished.returncode != 0:
        raise BackupError(
            _("%(tool)s ist fehlgeschlagen (Exit-Code %(code)s):\n%(error)s")
            % {"tool": tool, "code": finished.returncode, "error": finished.stderr.strip()}
        )


# --- backup ------------------------------------------------------------------------------


def _dump_postgresql(path: Path):
    """pg_dump of the snapshot in which the facts are read: the counts and the dump agree
    even while the portal is in use."""
    if connection.in_atomic_block:
        raise RuntimeError("A backup needs its own transaction; do not run it inside one.")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _read_facts(cursor, counted_tables())
        _run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={path}",
            ],
            tool="pg_dump",
        )
    return facts


def _dump_sqlite(path: Path):
    """SQLite's online backup: a consistent copy even while the portal writes."""
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        # One self-contained file, whatever journal mode the live database uses.
        copy.execute("PRAGMA journal_mode=DELETE")
        (check,) = copy.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(
                _("Die Kopie der SQLite-Datenbank ist beschädigt: %(check)s") % {"check": check}
            )
        return _read_facts(copy.cursor(), counted_tables())
    finally:
        copy.close()


def _vendor():
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(
            _("Datenbanken vom Typ %(vendor)s werden nicht unterstützt (nur PostgreSQL, SQLite).")
            % {"vendor": vendor}
        )
    return vendor


def _app_version():
    try:
        return metadata.version("integrationsportal")
    except metadata.PackageNotFoundError:
        return ""


def _check_backup_target(target: Path):
    if target.exists() and not target.is_dir():
        raise BackupError(
            _("„%(path)s“ ist eine Datei, kein Verzeichnis. Bitte ein neues Verzeichnis angeben.")
            % {"path": target}
        )
    if target.is_dir() and any(target.iterdir()):
        raise BackupError(
            _(
                "Das Verzeichnis „%(path)s“ ist nicht leer. Eine Sicherung wird nur in ein neues "
                "oder leeres Verzeichnis geschrieben (z. B. eines je Tag)."
            )
            % {"path": target}
        )
    if _inside(target.resolve(), _media_root()):
        raise BackupError(
            _(
                "Das Sicherungsverzeichnis „%(path)s“ liegt im Medienverzeichnis „%(media)s“. "
                "Bitte ein Verzeichnis außerhalb wählen."
            )
            % {"path": target, "media": _media_root()}
        )


def backup_create(*, target: Path) -> Result:
    """Write a backup into target (a new or empty directory)."""
    target = Path(target).absolute()
    _check_backup_target(target)
    vendor = _vendor()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.unvollstaendig-", dir=target.parent))
    try:
        result = _write_backup(work, vendor)
        if target.is_dir():
            target.rmdir()
        work.rename(target)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise BackupError(
            _("Die Sicherung ließ sich nicht schreiben: %(error)s") % {"error": error}
        ) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result.path = target
    return result


def _write_backup(work: Path, vendor: str) -> Result:
    created_at = timezone.now()
    result = Result(path=work, vendor=vendor)
    database_file = work / DATABASE_FILES[vendor]
    # The database first: every evidence file it names was stored before its row, so the
    # media copied afterwards holds them all.
    dump = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
    facts = dump(database_file)
    files = {DATABASE_FILES[vendor]: {"sha256": _sha256(database_file)}}
    files[DATABASE_FILES[vendor]]["size"] = result.database_bytes = database_file.stat().st_size

    media_root = _media_root()
    for name in _media_files(media_root):
        destination = work / MEDIA / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        sha, size = _copy(media_root / name, destination)
        files[f"{MEDIA}/{name}"] = {"sha256": sha, "size": size}
        result.media_files += 1
        result.media_bytes += size

    copied = {name.removeprefix(f"{MEDIA}/") for name in files}
    missing = [name for name in facts.evidence_files if name not in copied]
    for name in missing:
        result.warnings.append(
            _("Die Nachweisdatei „%(name)s“ fehlt im Medienverzeichnis; sie ist nicht gesichert.")
            % {"name": name}
        )
    for report in facts.final_reports:
        if report["sha256"] != report["actual_sha256"]:
            result.warnings.append(
                _(
                    "Bericht %(year)s (Fassung %(version)s, ID %(id)s): Die PDF-Bytes passen "
                    "schon in der gesicherten Datenbank nicht zum gespeicherten SHA-256."
                )
                % report
            )

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "app_version": _app_version(),
        "django_version": django.get_version(),
        "database": {"vendor": vendor, "file": DATABASE_FILES[vendor]},
        "migrations": facts.migrations,
        "counts": facts.counts,
        "final_reports": [
            {key: report[key] for key in ("id", "year", "version", "sha256")}
            for report in facts.final_reports
        ],
        "evidence_files": facts.evidence_files,
        "missing_evidence_files": missing,
        "files": files,
    }
    with (work / MANIFEST).open("x", encoding="utf-8") as file:
        json.dump(manifest, file, ensure_ascii=False, indent=2)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())

    result.rows = facts.rows
    result.tables = len(facts.counts)
    result.final_reports = len(facts.final_reports)
    result.evidence_files = len(facts.evidence_files) - len(missing)
    return result


# --- restore -----------------------------------------------------------------------------


def _require(manifest, key, kind):
    value = manifest.get(key) if isinstance(manifest, dict) else None
    if not isinstance(value, kind):
        raise BackupError(
            _("manifest.json ist unvollständig oder beschädigt: „%(key)s“ fehlt oder ist ungültig.")
            % {"key": key}
        )
    return value


def _relative(name):
    """A file name from the manifest as a safe relative path (no "..", not absolute)."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or str(path) != name:
        raise BackupError(
            _("manifest.json nennt den unzulässigen Dateinamen „%(name)s“.") % {"name": name}
        )
    return path


def _check_shape(manifest):
    """Every key restore relies on, with the right type, so a damaged or edited manifest is
    refused with a message instead of failing halfway through."""
    version = _require(manifest, "format_version", int)
    if version > FORMAT_VERSION:
        raise BackupError(
            _(
                "Die Sicherung hat das Format %(version)s; diese Programmversion kennt nur "
                "Format %(known)s. Bitte mit einer neueren Version wiederherstellen."
            )
            % {"version": version, "known": FORMAT_VERSION}
        )
    database = _require(manifest, "database", dict)
    files = _require(manifest, "files", dict)
    if database.get("vendor") not in DATABASE_FILES or database.get("file") not in files:
        raise BackupError(_("manifest.json nennt keine gültige Datenbankdatei."))
    entries = {
        "files": (files.values(), {"sha256": str, "size": int}),
        "counts": (_require(manifest, "counts", dict).values(), {"table": str, "rows": int}),
        "final_reports": (
            _require(manifest, "final_reports", list),
            {"id": int, "year": int, "version": int, "sha256": str},
        ),
    }
    for key, (values, fields) in entries.items():
        for value in values:
            if not isinstance(value, dict) or any(
                not isinstance(value.get(name), kind) for name, kind in fields.items()
            ):
                raise BackupError(
                    _("manifest.json ist beschädigt: ein Eintrag unter „%(key)s“ ist ungültig.")
                    % {"key": key}
                )
    for key in ("migrations", "evidence_files", "missing_evidence_files"):
        if not all(isinstance(value, str) for value in _require(manifest, key, list)):
            raise BackupError(
                _("manifest.json ist beschädigt: ein Eintrag unter „%(key)s“ ist ungültig.")
                % {"key": key}
            )
    for entry in manifest["counts"].values():
        _quote(entry["table"])


def backup_verify(*, source: Path) -> dict:
    """Read the manifest and check every file it lists (size and SHA-256); refuse with
    every file that is missing or differs."""
    source = Path(source)
    if not source.is_dir():
        raise BackupError(_("Das Verzeichnis „%(path)s“ gibt es nicht.") % {"path": source})
    manifest_file = source / MANIFEST
    if not manifest_file.is_file():
        raise BackupError(
            _(
                "In „%(path)s“ fehlt manifest.json. Das ist keine vollständige Sicherung "
                "(eine abgebrochene Sicherung hat keine)."
            )
            % {"path": source}
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(
            _("manifest.json ist beschädigt und lässt sich nicht lesen (%(error)s).")
            % {"error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("manifest.json gehört nicht zu einer Sicherung des Portals."))
    _check_shape(manifest)
    database, files = manifest["database"], manifest["files"]

    problems = []
    for name, entry in files.items():
        path = source / _relative(name)
        if not path.is_file():
            problems.append(_("„%(name)s“ fehlt.") % {"name": name})
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            problems.append(
                _("„%(name)s“ wurde verändert oder ist beschädigt (SHA-256 stimmt nicht).")
                % {"name": name}
            )
        elif name != database["file"] and not name.startswith(f"{MEDIA}/"):
            problems.append(_("„%(name)s“ gehört nicht in eine Sicherung.") % {"name": name})
    if problems:
        raise BackupError(
            _("Die Sicherung in „%(path)s“ ist nicht in Ordnung; nichts wurde geändert:")
            % {"path": source}
            + "\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )
    return manifest


def _applied_migrations(existing_tables):
    if "django_migrations" not in existing_tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute('SELECT "app", "name" FROM "django_migrations"')
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def restore_check_target(*, source: Path, manifest: dict) -> list[str]:
    """Refuse a target the backup cannot go into; return what the target already holds
    (empty list: nothing, a restore loses nothing)."""
    vendor = manifest["database"]["vendor"]
    if connection.vendor != vendor:
        raise BackupError(
            _(
                "Die Sicherung stammt aus einer %(backup)s-Datenbank, das Portal ist aber mit "
                "einer %(target)s-Datenbank eingerichtet (DATABASE_URL). Eine Sicherung lässt "
                "sich nur in eine Datenbank derselben Art wiederherstellen."
            )
            % {
                "backup": VENDOR_NAMES[vendor],
                "target": VENDOR_NAMES.get(connection.vendor, connection.vendor),
            }
        )
    media_root = _media_root()
    if _inside(Path(source).resolve(), media_root):
        raise BackupError(
            _("Die Sicherung „%(path)s“ liegt im Medienverzeichnis „%(media)s“.")
            % {"path": source, "media": media_root}
        )
    existing = set(connection.introspection.table_names())
    occupied = []
    if existing:
        applied = _applied_migrations(existing)
        if applied != manifest["migrations"]:
            only_backup = sorted(set(manifest["migrations"]) - set(applied))
            only_target = sorted(set(applied) - set(manifest["migrations"]))
            raise BackupError(
                _(
                    "Die Zieldatenbank hat einen anderen Migrationsstand als die Sicherung "
                    "(nur in der Sicherung: %(backup)s; nur im Ziel: %(target)s). Bitte in eine "
                    "leere Datenbank ohne Tabellen wiederherstellen und danach „manage.py "
                    "migrate“ ausführen, oder das Ziel mit der Programmversion der Sicherung "
                    "migrieren."
                )
                % {
                    "backup": ", ".join(only_backup[:5]) or "–",
                    "target": ", ".join(only_target[:5]) or "–",
                }
            )
        with connection.cursor() as cursor:
            held = {
                label: rows
                for label, table in data_tables().items()
                if table in existing and (rows := _count(cursor, table))
            }
        # Name what people know (concepts, measures, users), not history or link tables.
        named = [
            label
            for label in held
            if not apps.get_model(label)._meta.auto_created
            and not label.split(".")[1].startswith("historical")
        ] or list(held)
        occupied += [
            f"{held[label]} × {apps.get_model(label)._meta.verbose_name_plural}"
            for label in named[:5]
        ]
        if len(named) > 5:
            occupied.append(_("und weitere Daten"))
    files = _media_files(media_root)
    if files:
        occupied.append(
            ngettext(
                "%(count)s Datei im Medienverzeichnis „%(media)s“",
                "%(count)s Dateien im Medienverzeichnis „%(media)s“",
                len(files),
            )
            % {"count": len(files), "media": media_root}
        )
    return occupied


def _restore_postgresql(path: Path):
    connection.close()
    database = connection.settings_dict
    target = database.get("NAME") or f"service={database['OPTIONS']['service']}"
    command = [
        pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-acl",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={target}",
        str(path),
    ]
    try:
        _run(command, tool="pg_restore")
    except BackupError as error:
        raise BackupError(
            _("%(error)s\nDie Datenbank ist unverändert (alles oder nichts in einer Transaktion).")
            % {"error": error}
        ) from None


def _restore_sqlite(path: Path):
    """SQLite's backup API in the other direction: the target database becomes a page-by-page
    copy of the backup, in one step. The portal must not be running meanwhile."""
    copy = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.ensure_connection()
        copy.backup(connection.connection)
    finally:
        copy.close()
    connection.close()


def _restore_media(source: Path, files: dict):
    media_root = _media_root()
    for name in files:
        if not name.startswith(f"{MEDIA}/"):
            continue
        destination = media_root / name.removeprefix(f"{MEDIA}/")
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(f".{destination.name}.wiederherstellung")
        partial.unlink(missing_ok=True)
        _copy(source / name, partial)
        partial.replace(destination)


def restore_apply(*, source: Path, manifest: dict) -> Result:
    """Restore database and media files from a verified backup, then prove it: every count,
    every final report's SHA-256 against its bytes, every evidence and media file."""
    source = Path(source)
    vendor = manifest["database"]["vendor"]
    database_file = source / manifest["database"]["file"]
    if vendor == "postgresql":
        _restore_postgresql(database_file)
    else:
        _restore_sqlite(database_file)
    try:
        _restore_media(source, manifest["files"])
    except OSError as error:
        raise BackupError(
            _(
                "Die Datenbank ist wiederhergestellt, die Dateien des Medienverzeichnisses "
                "ließen sich aber nicht schreiben: %(error)s"
            )
            % {"error": error}
        ) from None
    return _check_restored(source, manifest)


def _check_restored(source: Path, manifest: dict) -> Result:
    result = Result(path=source, vendor=manifest["database"]["vendor"])
    facts, problems = _check_counts(manifest)
    problems += _check_final_reports(manifest, facts)
    problems += _check_files(manifest, facts, result)
    if problems:
        raise BackupError(
            _(
                "Die Wiederherstellung ist NICHT in Ordnung: Die Daten wurden eingespielt, aber "
                "diese Prüfungen schlagen fehl:"
            )
            + "\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )
    result.rows = sum(entry["rows"] for entry in facts.counts.values())
    result.tables = len(facts.counts)
    result.final_reports = len(facts.final_reports)
    return result


def _check_counts(manifest):
    """Read the restored database's facts; every table must hold the manifest's rows."""
    problems = []
    tables = {label: entry["table"] for label, entry in manifest["counts"].items()}
    try:
        with connection.cursor() as cursor:
            facts = _read_facts(cursor, {})
            for label, entry in manifest["counts"].items():
                try:
                    rows = _count(cursor, tables[label])
                except DatabaseError:  # the table is missing
                    rows = None
                facts.counts[label] = {"table": tables[label], "rows": rows}
                if rows != entry["rows"]:
                    problems.append(
                        _("Tabelle %(table)s: %(rows)s statt %(expected)s Datensätze.")
                        % {
                            "table": tables[label],
                            "rows": _("keine Tabelle") if rows is None else rows,
                            "expected": entry["rows"],
                        }
                    )
    except DatabaseError as error:
        raise BackupError(
            _("Die wiederhergestellte Datenbank lässt sich nicht prüfen: %(error)s")
            % {"error": error}
        ) from None
    return facts, problems


def _check_final_reports(manifest, facts):
    """Every final report of the manifest is back, with the same SHA-256 over its bytes."""
    problems = []
    restored = {report["id"]: report for report in facts.final_reports}
    for expected in manifest["final_reports"]:
        report = restored.pop(expected["id"], None)
        if report is None:
            problems.append(
                _("Der finale Bericht %(year)s (Fassung %(version)s, ID %(id)s) fehlt.") % expected
            )
        elif report["sha256"] != expected["sha256"]:
            problems.append(
                _("Bericht %(year)s (Fassung %(version)s, ID %(id)s): anderer SHA-256 gespeichert.")
                % expected
            )
        elif report["actual_sha256"] != report["sha256"]:
            problems.append(
                _(
                    "Bericht %(year)s (Fassung %(version)s, ID %(id)s): Die PDF-Bytes passen "
                    "nicht zum gespeicherten SHA-256."
                )
                % expected
            )
    for report in restored.values():
        problems.append(
            _(
                "Der finale Bericht %(year)s (Fassung %(version)s, ID %(id)s) steht nicht "
                "im Manifest."
            )
            % report
        )
    return problems


def _check_files(manifest, facts, result):
    """Media files come back unchanged; evidence files exist unless missing at backup time.
    Counts what is back into `result`."""
    problems = []
    media_root = _media_root()
    for name, entry in manifest["files"].items():
        if not name.startswith(f"{MEDIA}/"):
            continue
        path = media_root / name.removeprefix(f"{MEDIA}/")
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            problems.append(
                _("Die Mediendatei „%(name)s“ ist nicht unverändert zurück.") % {"name": name}
            )
        else:
            result.media_files += 1
            result.media_bytes += entry["size"]
    missing_before = set(manifest["missing_evidence_files"])
    for name in facts.evidence_files:
        try:
            present = default_storage.exists(name)
        except SuspiciousFileOperation:
            present = False
        if present:
            result.evidence_files += 1
        elif name in missing_before:
            result.warnings.append(
                _("Die Nachweisdatei „%(name)s“ fehlte schon bei der Sicherung.") % {"name": name}
            )
        else:
            problems.append(_("Die Nachweisdatei „%(name)s“ fehlt.") % {"name": name})
    return problems


def created_at(manifest) -> str:
    """The backup's time for messages, in local time ("04.12.2026, 02:30")."""
    try:
        moment = dt.datetime.fromisoformat(manifest.get("created_at", ""))
    except (TypeError, ValueError):
        return "?"
    return formatting.datetime(moment)
