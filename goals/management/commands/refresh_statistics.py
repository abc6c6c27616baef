"""Re-read the configured statistics sources whose interval has passed, for cron."""

from django.core.management.base import BaseCommand, CommandError

from goals.management.commands.import_statistics import concept_or_error, write_plan
from goals.statistics.refresh import refresh_due
from goals.tasks import schedule_refresh


class Command(BaseCommand):
    help = (
        "Liest die konfigurierten Statistikquellen neu, deren Aktualisierungsabstand "
        "abgelaufen ist (für cron). Eine Quelle mit Fehler wird übersprungen, ohne etwas zu "
        "speichern; dann endet der Befehl mit Status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concept", help="nur die Quellen dieses Konzepts (Kurzname)")
        parser.add_argument(
            "--all", action="store_true", help="alle konfigurierten Quellen, auch nicht fällige"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="nur prüfen und zeigen, nichts speichern"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="die regelmäßige Aktualisierung durch den Worker einplanen (einmal genügt)",
        )

    def handle(self, *args, concept, all, dry_run, schedule, verbosity, **options):
        if schedule:
            if schedule_refresh():
                self.stdout.write("Aktualisierung durch den Worker eingeplant.")
            else:
                self.stdout.write("Aktualisierung war schon eingeplant (oder ohne Warteschlange).")
            return
        concept = concept_or_error(concept) if concept else None
        outcomes = refresh_due(concept=concept, force=all, dry_run=dry_run)
        failed = []
        for outcome in outcomes:
            region = outcome.region
            title = f"{region.concept.slug}: {region.source.name} ({region.region_key})"
            if outcome.error:
                failed.append(f"{title}: {outcome.error}")
                continue
            self.stdout.write(title)
            if verbosity > 1 or dry_run:
                write_plan(self.stdout, outcome.plan, verbosity)
            prefix = "Prüfung (nichts gespeichert)" if dry_run else "Gespeichert"
            self.stdout.write(f"  {prefix}: {outcome.plan.summary}.")
        if not outcomes:
            self.stdout.write("Keine Quelle fällig.")
        if failed:
            raise CommandError(
                "Nicht aktualisiert – für diese Quellen wurde nichts gespeichert:\n"
                + "\n".join(failed)
            )
