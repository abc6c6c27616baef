"""Export a concept's measures, Sachstände, Kennzahlwerte, Akteure or Netzwerke as CSV/XLSX."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concept.exchange.writing import CONTENT_TYPES
from concept.models import Concept
from reporting.exchange.export import export_file
from reporting.exchange.kinds import KINDS_BY_KEY


def kind_or_error(key):
    kind = KINDS_BY_KEY.get(key)
    if kind is None:
        allowed = ", ".join(KINDS_BY_KEY)
        raise CommandError(f"Unbekannte Datenart „{key}“. Erlaubt: {allowed}.")
    return kind


def concept_or_error(slug):
    try:
        return Concept.objects.get(slug=slug)
    except Concept.DoesNotExist:
        raise CommandError(f"Ein Konzept „{slug}“ gibt es nicht.") from None


class Command(BaseCommand):
    help = (
        "Exportiert Daten eines Konzepts als CSV (wie deutsches Excel es öffnet) oder XLSX. "
        "Datenarten: " + ", ".join(KINDS_BY_KEY) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help="measures, progress, indicator-values, organisations, networks"
        )
        parser.add_argument("--concept", required=True, help="Kurzname (Slug) des Konzepts")
        parser.add_argument("--format", default="csv", help="csv (Standard) oder xlsx")
        parser.add_argument(
            "--output",
            help="Zieldatei; ohne Angabe der übliche Dateiname im aktuellen Verzeichnis, "
            "„-“ schreibt CSV auf die Standardausgabe",
        )

    def handle(self, *args, kind, concept, format, output, **options):
        kind = kind_or_error(kind)
        if format not in CONTENT_TYPES:
            raise CommandError(f"Unbekanntes Format „{format}“. Erlaubt: csv, xlsx.")
        concept = concept_or_error(concept)
        export = export_file(kind, concept, format)
        if output == "-":
            if format != "csv":
                raise CommandError("Auf die Standardausgabe lässt sich nur CSV schreiben.")
            sys.stdout.buffer.write(export.content)
            return
        path = Path(output or export.filename)
        if path.is_dir():
            path = path / export.filename
        try:
            path.write_bytes(export.content)
        except OSError as error:
            raise CommandError(f"„{path}“ lässt sich nicht schreiben: {error.strerror}.") from None
        self.stdout.write(f"{export.rows} Zeilen geschrieben: {path}")
