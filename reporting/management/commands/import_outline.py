from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concept import formatting
from reporting.outline.decode import decode_outline
from reporting.outline.issues import OutlineInvalid
from reporting.outline.write import check_slug, outline_check, outline_import

# The command line trusts its user more than the upload form, but a file this big is surely
# not an outline (the LK Vechta concept has 10 KB).
MAX_FILE_BYTES = 10 * 1024 * 1024


def counted(count, singular, plural):
    return f"{formatting.number(count)} {singular if count == 1 else plural}"


def failure_message(issues, path):
    count = len(issues)
    found = "1 Fehler" if count == 1 else f"{count} Fehler"
    head = f"Import von „{path.name}“ abgebrochen – {found} gefunden, es wurde nichts gespeichert:"
    return "\n".join([head, *(f"  {issue}" for issue in issues)])


class Command(BaseCommand):
    help = (
        "Legt ein Integrationskonzept aus seiner nummerierten Gliederung (Export der Mind Map) "
        "an: strategische Ziele, Teilziele, Maßnahmen, Aussagen und die Kennzahlen der "
        "Ausgangslage – in einer Transaktion, bei einem Fehler wird nichts gespeichert. Das "
        "neue Konzept hat den Status Entwurf. Akteure und Netzwerke werden nicht angelegt; sie "
        "werden in der Verwaltung gepflegt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", metavar="DATEI", help="Die Gliederung als Textdatei (UTF-8)."
        )
        parser.add_argument(
            "--slug", help="Kurzname des Konzepts, erscheint in der Adresse (z. B. lk-vechta)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur prüfen und anzeigen, was angelegt würde; nichts speichern.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "Ein bestehendes Konzept mit diesem Kurznamen ersetzen: es wird mit allem "
                "gelöscht, was dazugehört – auch Sachstände, Nachweise, Kennzahlwerte, "
                "Beschlüsse, Akteure, Netzwerke und Sitzungen – und aus der Datei neu angelegt. "
                "Mitglieder und Vorgängerkonzept werden übernommen."
            ),
        )

    def handle(self, *args, path, slug, dry_run, replace, **options):
        if not path:
            raise CommandError(
                "Bitte die Datei mit der Gliederung angeben, z. B. "
                "„manage.py import_outline gliederung.txt --slug lk-vechta“."
            )
        if not slug:
            raise CommandError("Bitte mit --slug einen Kurznamen angeben, z. B. --slug lk-vechta.")
        data = self.read(Path(path))
        try:
            text, notes = decode_outline(data)
        except OutlineInvalid as exc:
            raise CommandError(failure_message(exc.issues + check_slug(slug), Path(path))) from None
        service = outline_check if dry_run else outline_import
        try:
            result = service(text=text, slug=slug, replace=replace, notes=notes)
        except OutlineInvalid as exc:
            raise CommandError(failure_message(exc.issues, Path(path))) from None
        self.report(result, dry_run=dry_run)

    def read(self, path):
        if not path.exists():
            raise CommandError(f"Die Datei „{path}“ gibt es nicht.")
        if not path.is_file():
            raise CommandError(f"„{path}“ ist keine Datei.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(
                f"Die Datei „{path}“ ist größer als 10 MB – eine Gliederung ist viel kleiner. "
                "Ist es die richtige Datei?"
            )
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Die Datei „{path}“ kann nicht gelesen werden: {exc}.") from None

    def report(self, result, *, dry_run):
        self.report_concept(result, dry_run=dry_run)
        self.report_content(result.outline)
        self.report_notes(result)
        self.stdout.write("")
        self.stdout.write(
            "Nicht angelegt: Akteure und Netzwerke – sie werden nicht aus der Gliederung "
            "übernommen, sondern in der Verwaltung gepflegt."
        )

    def report_concept(self, result, *, dry_run):
        """The concept created (or that would be), and the one it replaces."""
        outline = result.outline
        write = self.stdout.write
        if dry_run:
            write(self.style.WARNING("Probelauf – es wurde nichts gespeichert."))
            write(f"Angelegt würde: „{outline.title}“ (Kurzname {result.slug}, Status Entwurf).")
        else:
            write(
                self.style.SUCCESS(
                    f"Angelegt: „{outline.title}“ (Kurzname {result.slug}, Status Entwurf)."
                )
            )
        write(f"Gebietskörperschaft: {outline.district}")
        if result.replaced is not None:
            deleted = ", ".join(
                f"{formatting.number(count)} {label}" for count, label in result.replaced.counts
            )
            verb = "würde ersetzt" if dry_run else "wurde ersetzt"
            write(
                self.style.WARNING(
                    f"Das bisherige Konzept „{result.replaced.concept.title}“ {verb} und mit "
                    f"allem gelöscht, was dazugehört: {deleted or 'keine weiteren Daten'}. "
                    "Mitglieder und Vorgängerkonzept werden übernommen."
                )
            )

    def report_content(self, outline):
        """Counts, goals with their measures, coordination measures, statements, figures."""
        write = self.stdout.write
        uncoded = outline.uncoded_measure_count
        write(
            f"Umfang: {counted(len(outline.goals), 'strategisches Ziel', 'strategische Ziele')}, "
            f"{counted(outline.sub_goal_count, 'Teilziel', 'Teilziele')}, "
            f"{counted(len(outline.measures), 'Maßnahme', 'Maßnahmen')}"
            + (f" (davon {uncoded} ohne Kürzel)" if uncoded else "")
            + f", {counted(len(outline.statements), 'Aussage', 'Aussagen')}, "
            f"{counted(len(outline.figures), 'Kennzahl', 'Kennzahlen')} mit "
            f"{counted(outline.figure_value_count, 'Wert', 'Werten')}."
        )
        write("")
        write("Strategische Ziele:")
        for goal in outline.goals:
            write(f"  {goal.number}. {goal.title} (Kurztitel: {goal.short_title})")
            write(f"     Zielaussage: {goal.aim or '– keine –'}")
            labels = ", ".join(m.label for m in goal.measures) or "keine"
            write(
                f"     {counted(len(goal.sub_goals), 'Teilziel', 'Teilziele')}; "
                f"{counted(len(goal.measures), 'Maßnahme', 'Maßnahmen')}: {labels}"
            )
        coordination = outline.coordination_measures
        labels = ", ".join(m.label for m in coordination) or "keine"
        write(
            "Koordination und Netzwerke: "
            f"{counted(len(coordination), 'Maßnahme', 'Maßnahmen')}: {labels}"
        )
        counts = ", ".join(f"{label} {count}" for label, count in outline.statement_counts)
        write(f"Aussagen (Feststellungen): {counts}")
        if outline.figures:
            write("Kennzahlen der Ausgangslage:")
            for figure in outline.figures:
                values = "; ".join(
                    f"{value.breakdown or 'gesamt'} {formatting.number(value.value)}"
                    for value in figure.values
                )
                write(
                    f"  {figure.name} ({figure.statement_number}, Stand "
                    f"{formatting.date(figure.reference_date)}): {values}"
                )

    def report_notes(self, result):
        """Flags, warnings and the lines skipped before the outline."""
        write = self.stdout.write
        if result.flags:
            write("")
            write(self.style.WARNING("Markierungen (bitte nach dem Import bearbeiten):"))
            for flag in result.flags:
                write(f"  {flag}")
        if result.warnings:
            write("")
            write(self.style.WARNING("Warnungen:"))
            for warning in result.warnings:
                write(f"  {warning}")
        if result.outline.skipped:
            write("")
            write("Übersprungen (vor der Gliederung, Zeilen des Mind-Map-Werkzeugs):")
            for line, text in result.outline.skipped:
                write(f"  Zeile {line}: {text}")
