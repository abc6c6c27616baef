from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concept.models import Concept
from reporting.outline.export import outline_export


class Command(BaseCommand):
    help = (
        "Schreibt ein Integrationskonzept als nummerierte Gliederung – im selben Format, das "
        "import_outline liest (Titelzeile, Abschnitte 1–5, eine Zeile je Punkt)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", help="Kurzname des Konzepts, z. B. lk-vechta.")
        parser.add_argument(
            "--output",
            metavar="DATEI",
            help="In diese Datei schreiben (UTF-8) statt auf die Standardausgabe.",
        )

    def handle(self, *args, slug, output, **options):
        if not slug:
            raise CommandError("Bitte mit --slug das Konzept angeben, z. B. --slug lk-vechta.")
        concept = Concept.objects.filter(slug=slug).first()
        if concept is None:
            known = list(Concept.objects.order_by("slug").values_list("slug", flat=True)[:20])
            hint = f" Vorhandene Kurznamen: {', '.join(known)}." if known else ""
            raise CommandError(f"Es gibt kein Konzept mit dem Kurznamen „{slug}“.{hint}")
        text = outline_export(concept)
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                f"Die Datei „{path}“ kann nicht geschrieben werden: {exc}."
            ) from None
        lines = sum(1 for line in text.splitlines() if line.strip())
        self.stdout.write(
            self.style.SUCCESS(
                f"Gliederung von „{concept.title}“ ({lines} Zeilen) nach {path} geschrieben."
            )
        )
