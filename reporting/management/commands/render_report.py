"""Render the yearly report of a concept as PDF, synchronously (no task worker needed)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concept.models import Concept
from reporting.models import AnnualReport
from reporting.report.pdf import render_pdf
from reporting.report.snapshot import build_snapshot


class Command(BaseCommand):
    help = (
        "Erstellt den Controlling- und Evaluationsbericht als PDF: ein finaler Bericht "
        "unverändert, ein Entwurf aus den aktuellen Daten (neueste Fassung des Jahres)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concept", required=True, help="Kurzname (slug) des Konzepts")
        parser.add_argument("--year", required=True, type=int, help="Berichtsjahr, z. B. 2025")
        parser.add_argument("--output", required=True, help="Pfad der PDF-Datei")

    def handle(self, *args, concept, year, output, verbosity, **options):
        found = Concept.objects.filter(slug=concept).first()
        if found is None:
            raise CommandError(f"Kein Konzept mit dem Kurznamen „{concept}“.")
        if not 2000 <= year <= 2100:
            raise CommandError(f"Ungültiges Berichtsjahr {year}: erlaubt sind 2000 bis 2100.")
        target = Path(output)
        if target.is_dir() or not target.parent.is_dir():
            raise CommandError(f"Ausgabepfad „{output}“ ist kein beschreibbarer Dateipfad.")
        started = time.perf_counter()
        report = AnnualReport.objects.filter(concept=found, year=year).order_by("-version").first()
        if report is None:
            # Not yet created in the portal: a draft from the live data, without its texts.
            report = AnnualReport(concept=found, year=year)
        data = bytes(report.pdf) if report.is_final else render_pdf(build_snapshot(report))
        try:
            target.write_bytes(data)
        except OSError as error:
            raise CommandError(
                f"Ausgabepfad „{output}“ ist nicht beschreibbar: {error.strerror}."
            ) from None
        if verbosity:
            if report.pk is None:
                state = "Entwurf ohne Berichtstexte, im Portal noch nicht angelegt"
            else:
                state = f"Fassung {report.version}, " + ("final" if report.is_final else "Entwurf")
            self.stdout.write(
                f"Bericht {year} ({state}) nach {target} geschrieben: {len(data)} Bytes, "
                f"{time.perf_counter() - started:.1f} s."
            )
