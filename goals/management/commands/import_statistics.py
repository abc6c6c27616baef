"""Read official statistics into a concept's Kennzahlen: the same plan and checks as in the
browser, all or nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from concept.locking import StaleVersion
from concept.models import Concept
from goals import services
from goals.models import StatisticsImport, StatisticsRegion, StatisticsSource
from goals.statistics.base import StatisticsFileError
from goals.statistics.files import location_folder
from goals.statistics.plan import CHANGED, NEW, plan_folder

ABORTED = "Einlesen abgebrochen – es wurde nichts gespeichert."


def concept_or_error(slug) -> Concept:
    try:
        return Concept.objects.get(slug=slug)
    except Concept.DoesNotExist:
        raise CommandError(f"Ein Konzept „{slug}“ gibt es nicht.") from None


def user_or_error(username):
    if not username:
        return None
    try:
        return get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"Einen Benutzer „{username}“ gibt es nicht.") from None


def write_plan(stdout, plan, verbosity):
    for item in plan.indicators:
        counts = (
            f"{len(item.new)} neu, {len(item.changed)} geändert, {len(item.removed)} entfallen, "
            f"{len(item.unchanged)} unverändert"
        )
        stdout.write(f"{item.status_label}: {item.name} [{item.series.indicator_id}] – {counts}")
        if item.status == CHANGED or (verbosity > 1 and item.status == NEW):
            for change in item.field_changes:
                stdout.write(f"  {change.label}: {change.old} → {change.new}")
            for line in item.changed:
                changes = "; ".join(f"{c.label}: {c.old} → {c.new}" for c in line.changes)
                stdout.write(f"  {line.label}: {changes}")
            for value in item.removed:
                stdout.write(f"  {value.period} {value.breakdown}: {value.value} → entfällt")
            if verbosity > 1:
                for line in item.new:
                    stdout.write(f"  {line.label}: – → {line.value}")
    for series in plan.skipped:
        stdout.write(f"ohne Zahl für die Region: {series.title} [{series.indicator_id}]")


class Command(BaseCommand):
    help = (
        "Liest amtliche Statistik (Open SDG: data/indicator_<id>.csv, meta/<id>.md, "
        "translations/de/*.yml) für eine Region in die Kennzahlen eines Konzepts. Ein Fehler "
        "in einer Datei bricht ab, ohne etwas zu speichern."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Ordner (oder ZIP-Datei) der Quelle")
        parser.add_argument("--concept", required=True, help="Kurzname (Slug) des Konzepts")
        parser.add_argument(
            "--region", help="Regionalschlüssel in der Quelle, z. B. K03460 (GeoCode)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="nur prüfen und zeigen, nichts speichern"
        )
        parser.add_argument("--source", help="Kurzname einer angelegten Statistikquelle")
        parser.add_argument("--format", help="opensdg (Standard) oder ffcsv")
        parser.add_argument("--name", help="Bezeichnung einer neuen Quelle")
        parser.add_argument("--publisher", help="Herausgeber einer neuen Quelle")
        parser.add_argument("--user", help="Benutzername, unter dem die Werte im Verlauf stehen")

    def _source(self, directory: Path, options) -> StatisticsSource:
        if options["source"]:
            source = StatisticsSource.objects.filter(slug=options["source"]).first()
            if source is None:
                raise CommandError(f"Eine Statistikquelle „{options['source']}“ gibt es nicht.")
            if options["format"] and options["format"] != source.format:
                raise CommandError(
                    f"Die Quelle „{source.slug}“ hat das Format {source.format}, "
                    f"nicht {options['format']}."
                )
            return source
        location = str(directory.resolve())
        source = StatisticsSource.objects.filter(location=location).first()
        if source is not None:
            return source
        fmt = options["format"] or StatisticsSource.Format.OPENSDG
        if fmt not in StatisticsSource.Format.values:
            allowed = ", ".join(StatisticsSource.Format.values)
            raise CommandError(f"Unbekanntes Format „{fmt}“. Erlaubt: {allowed}.")
        base = slugify(directory.resolve().name)[:50] or "statistik"
        slug, number = base, 1
        while StatisticsSource.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        # Kept unsaved until the reading is written: a dry run leaves no trace.
        return StatisticsSource(
            slug=slug,
            name=options["name"] or directory.resolve().name,
            publisher=options["publisher"] or "Herausgeber nicht angegeben",
            format=fmt,
            location=location,
        )

    def handle(self, *args, directory, concept, region, dry_run, verbosity, **options):
        concept = concept_or_error(concept)
        user = user_or_error(options["user"])
        path = Path(directory)
        if not path.exists():
            raise CommandError(f"Den Ordner „{directory}“ gibt es nicht.")
        source = self._source(path, options)
        known = None
        if source.pk:
            known = StatisticsRegion.objects.filter(concept=concept, source=source).first()
        if not region:
            if known is None:
                raise CommandError(
                    "Bitte mit --region den Regionalschlüssel angeben, z. B. K03460."
                )
            region = known.region_key
        try:
            with location_folder(str(path)) as folder:
                if source.pk is None:
                    plan = plan_folder(
                        concept=concept,
                        source=StatisticsSource(pk=0, **_fields(source)),
                        region_key=region,
                        folder=folder,
                    )
                    plan.source = source
                else:
                    plan = plan_folder(
                        concept=concept, source=source, region_key=region, folder=folder
                    )
                write_plan(self.stdout, plan, verbosity)
                if dry_run:
                    self.stdout.write(f"Prüfung (nichts gespeichert): {plan.summary}.")
                    return
                from django.db import transaction

                with transaction.atomic():
                    if source.pk is None:
                        source.full_clean()
                        source.save()
                        self.stderr.write(
                            f"Hinweis: neue Statistikquelle „{source.slug}“ angelegt; "
                            "Herausgeber, Lizenz und Quellenangabe bitte in der Verwaltung "
                            "ergänzen."
                        )
                    services.statistics_import_apply(
                        plan=plan, user=user, origin=StatisticsImport.Origin.COMMAND
                    )
        except StatisticsFileError as error:
            raise CommandError(f"{ABORTED}\n{error.message}") from None
        except StaleVersion as conflict:
            raise CommandError(f"{ABORTED}\n{conflict.message}") from None
        except ValidationError as error:
            raise CommandError(f"{ABORTED}\n" + " ".join(error.messages)) from None
        self.stdout.write(f"Gespeichert: {plan.summary}.")


def _fields(source):
    return {
        f.name: getattr(source, f.name)
        for f in StatisticsSource._meta.concrete_fields
        if f.name not in ("id",)
    }
