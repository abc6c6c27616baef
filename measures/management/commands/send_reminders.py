"""Send the reminders of the day (docs/mail.md): run daily by cron or a systemd timer."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures import reminders


def days_argument(value):
    try:
        days = int(value)
    except ValueError:
        raise CommandError(f"--days: „{value}“ ist keine ganze Zahl.") from None
    if not 0 <= days <= 366:
        raise CommandError(f"--days: {days} liegt nicht zwischen 0 und 366.")
    return days


class Command(BaseCommand):
    help = (
        "Erinnert per E-Mail an fällige und überfällige Sachstände, Wiedervorlagen und "
        "Kennzahlen (eine E-Mail pro Person) und schickt der Koordination wöchentlich die "
        "seit mehr als einem Turnus überfälligen Maßnahmen. Mehrfaches Ausführen am selben "
        "Tag sendet nichts doppelt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            default=str(reminders.DEFAULT_DAYS),
            help=f"fällig in den nächsten N Tagen (Vorgabe {reminders.DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="nur anzeigen, wer was bekäme; nichts senden, nichts speichern",
        )

    def handle(self, *args, days, dry_run, **options):
        days = days_argument(days)
        result = reminders.run(timezone.localdate(), days, dry_run=dry_run)
        for line in reminders.describe(result):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(
                f"Probelauf: {len(result.reminders)} Erinnerungen und "
                f"{len(result.escalations)} Wochenübersichten würden versandt; nichts gesendet."
            )
        else:
            self.stdout.write(f"{result.sent} E-Mails zum Versand eingereiht.")
