"""Import a CSV/XLSX file into a concept: the same checks as in the browser, all or nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reporting.exchange.importing import CHANGED, NEW, run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from reporting.management.commands.export_data import concept_or_error, kind_or_error


class Command(BaseCommand):
    help = (
        "Importiert eine CSV- oder XLSX-Datei in ein Konzept. Jede Zeile wird geprüft; "
        "gespeichert wird nur, wenn keine Zeile einen Fehler hat. Datenarten: "
        + ", ".join(KINDS_BY_KEY)
        + "."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help="measures, progress, indicator-values, organisations, networks"
        )
        parser.add_argument("path", help="CSV- oder XLSX-Datei")
        parser.add_argument("--concept", required=True, help="Kurzname (Slug) des Konzepts")
        parser.add_argument(
            "--dry-run", action="store_true", help="nur prüfen und zeigen, nichts speichern"
        )
        parser.add_argument(
            "--user", help="Benutzername, unter dem die Änderungen im Verlauf stehen"
        )

    def handle(self, *args, kind, path, concept, dry_run, user, verbosity, **options):
        kind = kind_or_error(kind)
        concept = concept_or_error(concept)
        person = None
        if user:
            try:
                person = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"Einen Benutzer „{user}“ gibt es nicht.") from None
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Die Datei „{path}“ gibt es nicht.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"„{path}“ lässt sich nicht lesen: {error.strerror}.") from None

        report = run_import(
            kind=kind, concept=concept, user=person, file_name=file.name, data=data, dry_run=dry_run
        )
        for warning in report.warnings:
            self.stderr.write(f"Hinweis: {warning}")
        if not report.ok:
            raise CommandError(
                f"Import von „{file.name}“ abgebrochen – es wurde nichts gespeichert.\n"
                + "\n".join(report.error_messages)
            )
        if verbosity > 1 or dry_run:
            for row in report.rows:
                if row.status in (NEW, CHANGED):
                    changes = "; ".join(
                        f"{c.column}: {c.old or '–'} → {c.new or '–'}" for c in row.changes
                    )
                    self.stdout.write(
                        f"Zeile {row.line} ({row.status_label}) {row.label}: {changes}"
                    )
        prefix = "Prüfung (nichts gespeichert)" if dry_run else "Gespeichert"
        self.stdout.write(f"{prefix}: {len(report.rows)} Zeilen – {report.summary}.")
