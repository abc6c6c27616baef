"""Restore a backup made by `manage.py backup` into an empty database and media directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import formatting
from reporting.backup import (
    VENDOR_NAMES,
    BackupError,
    backup_verify,
    created_at,
    restore_apply,
    restore_check_target,
    size_label,
)


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung von „manage.py backup“ wieder her: prüft zuerst jede Datei "
        "(SHA-256), spielt Datenbank und Medienverzeichnis ein und prüft danach jede Anzahl, "
        "jeden finalen Bericht und jede Nachweisdatei. Das Ziel muss leer sein (oder --force). "
        "Das Portal und der Hintergrunddienst dürfen währenddessen nicht laufen."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Verzeichnis einer Sicherung (mit manifest.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="auch in eine Datenbank mit Daten wiederherstellen; sie werden überschrieben",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="mit --force nicht nachfragen",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="nur die Sicherung prüfen (jede Datei gegen manifest.json), nichts einspielen",
        )

    def handle(self, *args, directory, force, interactive, check, **options):
        source = Path(directory)
        try:
            manifest = backup_verify(source=source)
            files = len(manifest["files"])
            self.stdout.write(
                ngettext(
                    "Sicherung vom %(date)s geprüft: %(files)s Datei unverändert.",
                    "Sicherung vom %(date)s geprüft: %(files)s Dateien unverändert.",
                    files,
                )
                % {"date": created_at(manifest), "files": formatting.number(files)}
            )
            if check:
                self._describe(manifest)
                return
            occupied = restore_check_target(source=source, manifest=manifest)
        except BackupError as error:
            raise CommandError(
                _("Wiederherstellung abgebrochen: %(error)s") % {"error": error}
            ) from None
        if occupied:
            self._confirm_overwrite("; ".join(occupied), force=force, interactive=interactive)
        try:
            result = restore_apply(source=source, manifest=manifest)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self._summarise(result)

    def _describe(self, manifest):
        counts = manifest["counts"]
        self.stdout.write(
            _(
                "  Datenbank (%(vendor)s): %(rows)s Datensätze in %(tables)s Tabellen, "
                "%(reports)s; Programmversion %(app)s, Django %(django)s"
            )
            % {
                "vendor": VENDOR_NAMES[manifest["database"]["vendor"]],
                "rows": formatting.number(sum(entry.get("rows", 0) for entry in counts.values())),
                "tables": len(counts),
                "reports": ngettext(
                    "%(count)s finaler Bericht",
                    "%(count)s finale Berichte",
                    len(manifest["final_reports"]),
                )
                % {"count": len(manifest["final_reports"])},
                "app": manifest.get("app_version") or "?",
                "django": manifest.get("django_version") or "?",
            }
        )
        self.stdout.write(_("Nichts wurde eingespielt (--check)."))

    def _confirm_overwrite(self, held, *, force, interactive):
        """A target that holds data is overwritten only with --force (and a typed "ja")."""
        if not force:
            raise CommandError(
                _(
                    "Wiederherstellung abgebrochen: Das Ziel ist nicht leer (%(held)s). "
                    "Bitte in eine leere Datenbank und ein leeres Medienverzeichnis "
                    "wiederherstellen, oder mit --force alles überschreiben."
                )
                % {"held": held}
            )
        if interactive:
            answer = input(
                _(
                    "Das Ziel enthält schon Daten (%(held)s); sie werden überschrieben. "
                    "Zum Fortfahren „ja“ eingeben: "
                )
                % {"held": held}
            )
            if answer.strip().lower() != "ja":
                raise CommandError(_("Wiederherstellung abgebrochen; nichts wurde geändert."))

    def _summarise(self, result):
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Hinweis: %(text)s") % {"text": warning}))
        self.stdout.write(self.style.SUCCESS(_("Wiederherstellung abgeschlossen und geprüft:")))
        self.stdout.write(
            _(
                "  Datenbank (%(vendor)s): %(rows)s Datensätze in %(tables)s Tabellen – jede "
                "Anzahl wie gesichert"
            )
            % {
                "vendor": VENDOR_NAMES[result.vendor],
                "rows": formatting.number(result.rows),
                "tables": result.tables,
            }
        )
        self.stdout.write(
            ngettext(
                "  %(count)s finaler Bericht – sein PDF passt zum gespeicherten SHA-256",
                "  %(count)s finale Berichte – jedes PDF passt zu seinem gespeicherten SHA-256",
                result.final_reports,
            )
            % {"count": result.final_reports}
        )
        self.stdout.write(
            _("  Medienverzeichnis (%(size)s): %(files)s, davon %(evidence)s – alle unverändert")
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
        self.stdout.write(
            _(
                "Als Nächstes: „manage.py migrate“ (bei neuerer Programmversion), dann Portal "
                "und Hintergrunddienst starten."
            )
        )
