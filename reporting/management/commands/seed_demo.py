from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Lädt das Integrationskonzept LK Vechta (falls noch nicht vorhanden), legt je Rolle "
        "eine Demo-Person an und erzeugt Demo-Sachstände der letzten zwei Jahre, datiert ab heute. "
        "Wiederholbar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Auch ohne DJANGO_DEBUG=1 ausführen (Demo-Passwörter sind öffentlich bekannt).",
        )

    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Demo-Benutzer haben bekannte Passwörter. Nur mit DJANGO_DEBUG=1 oder "
                "--allow-production ausführen."
            )
        concept, users, entries, indicators = seed_demo(self.stdout)
        if entries:
            self.stdout.write(f"{entries} Demo-Sachstände angelegt.")
        if indicators:
            self.stdout.write(f"{indicators} Kennzahlen aus amtlicher Statistik (LSN) angelegt.")
        self.stdout.write(self.style.SUCCESS(f"Demo für „{concept.title}“ bereit. Anmeldungen:"))
        for role, user in users.items():
            self.stdout.write(
                f"  {role.label:<26} Benutzer: {user.username:<15} Passwort: {DEMO_PASSWORD}"
            )
