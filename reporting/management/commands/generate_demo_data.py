from django.core.management.base import BaseCommand, CommandError

from goals.models import IndicatorValue, SubGoal
from measures.models import ProgressEntry
from reporting.demo.scale import generate


def scale_type(value):
    try:
        scale = int(value)
    except ValueError:
        raise CommandError(f"--scale muss eine ganze Zahl sein, nicht „{value}“.") from None
    if not 1 <= scale <= 1000:
        raise CommandError(f"--scale muss zwischen 1 und 1000 liegen, nicht {scale}.")
    return scale


class Command(BaseCommand):
    help = (
        "Erzeugt ein synthetisches Konzept „demo-skala-N“ mit dem N-fachen Umfang des "
        "LK Vechta (Teilziele, Maßnahmen, Sachstände, Kennzahlwerte) für Benchmarks und Tests. "
        "Ein vorhandenes Konzept gleichen Namens wird ersetzt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=scale_type, default=1, help="Faktor N (1–1000)")
        parser.add_argument("--seed", type=int, default=1, help="Startwert des Zufallsgenerators")

    def handle(self, *args, scale, seed, verbosity, **options):
        concept = generate(scale=scale, seed=seed)
        if not verbosity:
            return
        counts = {
            "Ziele": concept.goals.count(),
            "Teilziele": SubGoal.objects.filter(goal__concept=concept).count(),
            "Maßnahmen": concept.measures.count(),
            "Sachstände": ProgressEntry.objects.filter(measure__concept=concept).count(),
            "Kennzahlwerte": IndicatorValue.objects.filter(indicator__concept=concept).count(),
        }
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Konzept „{concept.slug}“ erzeugt: {summary}."))
