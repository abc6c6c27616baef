"""Back up the database, the evidence files and the other media into a new directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import formatting
from reporting.backup import VENDOR_NAMES, BackupError, backup_create, size_label


class Command(BaseCommand):
    help = (
        "Sichert die Datenbank (PostgreSQL mit pg_dump, SQLite mit der Online-Sicherung), die "
        "Nachweisdateien und alle anderen Dateien des Medienverzeichnisses in ein neues oder "
        "leeres Verzeichnis, mit manifest.json (Anzahl je Tabelle, SHA-256 jeder Datei)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="neues oder leeres Verzeichnis für die Sicherung")

    def handle(self, *args, directory, **options):
        try:
            result = backup_create(target=Path(directory))
        except BackupError as error:
            raise CommandError(_("Sicherung abgebrochen: %(error)s") % {"error": error}) from None
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Hinweis: %(text)s") % {"text": warning}))
        self.stdout.write(
            self.style.SUCCESS(_("Sicherung erstellt: %(path)s") % {"path": result.path})
        )
        self.stdout.write(
            _(
                "  Datenbank (%(vendor)s, %(size)s): %(rows)s Datensätze in %(tables)s "
                "Tabellen, davon %(reports)s"
            )
            % {
                "vendor": VENDOR_NAMES[result.vendor],
                "size": size_label(result.database_bytes),
                "rows": formatting.number(result.rows),
                "tables": result.tables,
                "reports": ngettext(
                    "%(count)s finaler Bericht", "%(count)s finale Berichte", result.final_reports
                )
                % {"count": result.final_reports},
            }
        )
        self.stdout.write(
            _("  Medienverzeichnis (%(size)s): %(files)s, davon %(evidence)s")
            % {
                "size": size_label(result.media_bytes),
                "files": ngettext("%(count)s Datei", "%(count)s Dateien", result.media_files)
                % {"count": formatting.number(result.media_files)},
                "evidence": ngettext(
                    "%(count)s Nachweis", "%(count)s Nachweise", result.evidence_files
                )
                % {"count": formatting.number(result.evidence_files)},
            }
        )
