"""Demo content for a fresh installation: users per role and plausible progress.

Everything created here is marked as demo (is_demo, "[Demo]" in texts), so it can never be
mistaken for the district's own statements.
"""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from concept import roles
from concept.models import Concept, Membership
from goals.models import Indicator, StatisticsImport, StatisticsSource, SubGoal
from goals.services import statistics_import_apply, statistics_region_set
from goals.statistics.files import location_folder
from goals.statistics.plan import plan_folder
from measures.models import Decision, Measure, ProgressEntry, Status, TrafficLight, add_months
from measures.services import progress_entry_create
from networks.models import Meeting, Network

DEMO_PASSWORD = "Integration-Demo-2025"
FIXTURE = settings.BASE_DIR / "fixtures" / "lk_vechta.json"

DEMO_USERS = [
    # username, first name, last name, role, staff, superuser
    ("admin", "Alex", "Administration", roles.ADMINISTRATION, True, True),
    ("koordination", "Kim", "Koordination", roles.COORDINATION, True, False),
    ("verantwortlich", "Vera", "Verantwortlich", roles.MEASURE_OWNERS, False, False),
    ("steuerung", "Sam", "Steuerung", roles.STEERING_GROUP, False, False),
]
OWNER_MEASURES = ["S4", "S6", "B5"]

G, Y, R, GR = TrafficLight.GREEN, TrafficLight.YELLOW, TrafficLight.RED, TrafficLight.GREY
# A measure's path up to the day the demo is seeded: (months before that day, status,
# traffic light, progress); each Sachstand up to DAYS_EARLIER days earlier still. So a demo
# seeded on any day looks like a district at work: every measure has a recent Sachstand
# (half-yearly cadence) except the delayed and the quiet ones, whose last is seven or eight
# months old (overdue).
# Every gelb or rot Sachstand says why (services.progress_entry_errors).
DEVIATIONS = {
    Y: "[Demo] Verzögerung: Räume erst ab dem nächsten Quartal verfügbar.",
    R: "[Demo] Personalengpass beim Träger.",
}
PROFILES = {
    "ongoing": [
        (-21, Status.PREPARING, G, 10),
        (-15, Status.IN_PROGRESS, G, 35),
        (-9, Status.IN_PROGRESS, Y, 50),
        (-3, Status.IN_PROGRESS, G, 65),
    ],
    "at_risk": [
        (-16, Status.PREPARING, G, 10),
        (-10, Status.IN_PROGRESS, G, 30),
        (-4, Status.IN_PROGRESS, Y, 40),
    ],
    "quiet": [
        (-20, Status.IN_PROGRESS, G, 30),
        (-8, Status.IN_PROGRESS, G, 45),
    ],
    "done": [
        (-22, Status.IN_PROGRESS, G, 40),
        (-14, Status.IN_PROGRESS, G, 80),
        (-5, Status.IMPLEMENTED, G, 100),
    ],
    "permanent": [
        (-20, Status.IN_PROGRESS, G, 70),
        (-8, Status.ESTABLISHED, G, 100),
        (-2, Status.ESTABLISHED, G, 100),
    ],
    "delayed": [
        (-19, Status.PREPARING, Y, 15),
        (-13, Status.IN_PROGRESS, Y, 20),
        (-7, Status.IN_PROGRESS, R, 25),
    ],
    "deferred": [
        (-18, Status.PREPARING, Y, 5),
        (-10, Status.DEFERRED, GR, 5),
    ],
    "not_started": [
        (-4, Status.NOT_STARTED, GR, 0),
    ],
}
DAYS_EARLIER = 20
# The measures are entered a little before the first demo Sachstand.
HISTORY_MONTHS = 24
# The source gives no adoption date; the demo assumes one this many days before its history,
# so the rule that no Sachstand lies before the adoption (measures.services.entry_date_errors)
# is in force.
ADOPTED_DAYS_BEFORE = 45
PROFILE_WEIGHTS = {
    "ongoing": 12,
    "at_risk": 2,
    "quiet": 2,
    "done": 5,
    "permanent": 5,
    "delayed": 3,
    "deferred": 2,
    "not_started": 3,
}

TEXTS = {
    Status.NOT_STARTED: "[Demo] Noch nicht begonnen; Zuständigkeit und Ressourcen werden geklärt.",
    Status.PREPARING: "[Demo] Konzeption und Abstimmung mit den Beteiligten laufen.",
    Status.IN_PROGRESS: "[Demo] Umsetzung läuft; {participants} Teilnehmende im Berichtszeitraum.",
    Status.IMPLEMENTED: "[Demo] Maßnahme abgeschlossen; Ergebnisse dokumentiert.",
    Status.ESTABLISHED: "[Demo] Als Daueraufgabe in den Regelbetrieb übernommen.",
    Status.DEFERRED: "[Demo] Zurückgestellt, bis die Finanzierung geklärt ist.",
}
NEXT_STEPS = {
    Status.NOT_STARTED: "[Demo] Auftakttermin vereinbaren.",
    Status.PREPARING: "[Demo] Beginn der Umsetzung planen.",
    Status.IN_PROGRESS: "[Demo] Nächste Durchführung und Auswertung.",
    Status.IMPLEMENTED: "[Demo] Verstetigung prüfen.",
    Status.ESTABLISHED: "[Demo] Jährliche Überprüfung.",
    Status.DEFERRED: "[Demo] Wiedervorlage im nächsten Haushaltsjahr.",
}

# LK Vechta's Kennzahlen from official statistics (fixtures/statistik/README.md): the LSN's
# Integrationsmonitoring Niedersachsen, read like any configured source. Numbers, years,
# titles and the source are facts; which Teilziel a Kennzahl serves is the demo's choice.
STATISTICS_DIR = settings.BASE_DIR / "fixtures" / "statistik" / "niedersachsen-im"
STATISTICS_SOURCE = {
    "slug": "lsn-integrationsmonitoring",
    "name": "Integrationsmonitoring Niedersachsen",
    "publisher": "Landesamt für Statistik Niedersachsen (LSN)",
    "publisher_short": "LSN",
    "licence": "Offene Daten, Nutzung mit Quellenangabe",
    "attribution": "Quelle: Landesamt für Statistik Niedersachsen (LSN), "
    "Integrationsmonitoring Niedersachsen",
    "url": "https://github.com/christoph-LSN/IM_Data",
    "format": "opensdg",
}
STATISTICS_REGION = "K03460"  # GeoCode of Landkreis Vechta (Kreisschlüssel 03460)
STATISTICS_REFRESH_DAYS = 7
# The Ausgangslage of the concept is 2019: a linked Kennzahl's baseline is its 2019 value.
STATISTICS_BASELINE_YEAR = 2019
STATISTICS_LINKS = [
    # indicator id, unit in the source, goal, Teilziel, direction
    ("3-1-2", "%", 1, 1, Indicator.Direction.HIGHER),  # children in Kitas, family language
    ("4-1-4", "Prozent", 2, 2, Indicator.Direction.LOWER),  # leaving school without a Abschluss
    ("6-2-1", "Quote", 4, 1, Indicator.Direction.LOWER),  # Mindestsicherung per 1000
    ("2-3-1", "", 6, 1, Indicator.Direction.HIGHER),  # naturalisations
]


def _ensure_concept(stdout, today):
    concept = Concept.objects.filter(slug="lk-vechta").first()
    if concept is None:
        call_command("loaddata", str(FIXTURE), verbosity=0)
        concept = Concept.objects.get(slug="lk-vechta")
        # loaddata writes no history; record the loaded state as each measure's first version,
        # entered before the demo Sachstände (which are dated as if typed in on their day).
        entered = _at_ten(add_months(today, -HISTORY_MONTHS))
        measures = Measure.objects.filter(concept=concept)
        measures.update(created_at=entered)
        Measure.history.bulk_history_create(list(measures), default_date=entered)
        stdout.write("Integrationskonzept LK Vechta geladen.")
    return concept


def _ensure_adoption(concept, today):
    if concept.adopted_on is None:
        entered = add_months(today, -HISTORY_MONTHS)
        concept.adopted_on = entered - dt.timedelta(days=ADOPTED_DAYS_BEFORE)
        concept.save(update_fields=["adopted_on", "updated_at"])


def _ensure_users(concept):
    User = get_user_model()
    users = {}
    for username, first, last, role, staff, superuser in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.is_staff, user.is_superuser, user.is_active = staff, superuser, True
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.update_or_create(concept=concept, user=user, defaults={"role": role})
        users[role] = user
    owner = users[roles.MEASURE_OWNERS]
    for measure in Measure.objects.filter(concept=concept, code__in=OWNER_MEASURES):
        measure.responsible_users.add(owner)
    return users


def _at_ten(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _as_recorded_on_its_day(entry):
    """A demo Sachstand as if typed in on its day (with the state change it made), so that
    "Änderungen seit" and the histories read like two years of use, not one afternoon."""
    moment = _at_ten(entry.date)
    ProgressEntry.objects.filter(pk=entry.pk).update(created_at=moment)
    ProgressEntry.history.filter(id=entry.pk).update(history_date=moment)
    Measure.history.filter(entry_id=entry.pk).update(history_date=moment)


def _demo_progress(concept, author, today):
    if ProgressEntry.objects.filter(measure__concept=concept, is_demo=True).exists():
        return 0
    rng = random.Random(f"{concept.slug}-demo")
    names, weights = zip(*PROFILE_WEIGHTS.items(), strict=True)
    created = 0
    for measure in Measure.objects.filter(concept=concept).order_by("position", "number"):
        profile = PROFILES[rng.choices(names, weights)[0]]
        # Never before the concept was adopted or the measure started.
        earliest = max(d for d in (concept.adopted_on, measure.start_date, dt.date.min) if d)
        for months, status, light, progress in profile:
            day = add_months(today, months) - dt.timedelta(days=rng.randint(0, DAYS_EARLIER))
            participants = rng.randint(8, 60) if status == Status.IN_PROGRESS else None
            if day < earliest:
                continue
            entry = progress_entry_create(
                measure=measure,
                author=author,
                date=day,
                period=f"{1 if day.month <= 6 else 2}. Halbjahr {day.year}",
                status=status,
                traffic_light=light,
                progress=progress,
                text=TEXTS[status].format(participants=participants),
                next_steps=NEXT_STEPS[status],
                deviation=DEVIATIONS.get(light, ""),
                participants=participants,
                cost=Decimal(rng.randrange(500, 25000, 250)) if participants else None,
                is_demo=True,
            )
            _as_recorded_on_its_day(entry)
            created += 1
    return created


def _statistics_indicators(concept):
    """Read LK Vechta's Kennzahlen from the LSN's files once and link some to Teilziele. The
    invented Kennzahlen of earlier demos (marked as demo) give way to them."""
    Indicator.objects.filter(concept=concept, is_demo=True).delete()
    source, _created = StatisticsSource.objects.get_or_create(
        slug=STATISTICS_SOURCE["slug"],
        defaults={**STATISTICS_SOURCE, "location": str(STATISTICS_DIR)},
    )
    if StatisticsImport.objects.filter(concept=concept, source=source).exists():
        return 0
    region = statistics_region_set(concept=concept, source=source, region_key=STATISTICS_REGION)
    region.refresh_days = STATISTICS_REFRESH_DAYS
    region.save(update_fields=["refresh_days"])
    with location_folder(source.location) as folder:
        plan = plan_folder(
            concept=concept, source=source, region_key=STATISTICS_REGION, folder=folder
        )
    reading = statistics_import_apply(plan=plan, user=None, origin=StatisticsImport.Origin.DEMO)
    for indicator_id, unit, goal, number, direction in STATISTICS_LINKS:
        indicator = Indicator.objects.filter(
            concept=concept,
            statistics_source=source,
            statistics_id=indicator_id,
            statistics_unit=unit,
        ).first()
        sub_goal = SubGoal.objects.filter(
            goal__concept=concept, goal__number=goal, number=number
        ).first()
        if indicator is None or sub_goal is None:
            continue
        baseline = indicator.values.filter(
            reference_date__year=STATISTICS_BASELINE_YEAR, breakdown=""
        ).first()
        indicator.sub_goal = sub_goal
        indicator.direction = direction
        if baseline is not None:
            indicator.baseline_value = baseline.value
            indicator.baseline_year = STATISTICS_BASELINE_YEAR
        indicator.full_clean()
        indicator.save()
    return reading.indicators_created


def _demo_decision(concept, author, today):
    committee = Network.objects.filter(concept=concept, kind=Network.Kind.COMMITTEE).first()
    if committee is None or Meeting.objects.filter(network=committee).exists():
        return
    meeting = Meeting.objects.create(
        network=committee,
        date=add_months(today, -4),
        topic=f"[Demo] Zwischenbilanz {today.year - 1}",
        presented=f"[Demo] Dashboard und Controllingbericht {today.year - 1}",
    )
    red = list(Measure.objects.filter(concept=concept, traffic_light=TrafficLight.RED)[:2])
    decision = Decision.objects.create(
        meeting=meeting,
        text="[Demo] Für die Maßnahmen mit roter Ampel legt die Koordination bis zur "
        "nächsten Sitzung einen angepassten Zeitplan vor.",
        kind=Decision.Kind.ADJUST,
        follow_up_date=add_months(today, 1),
        created_by=author,
    )
    decision.measures.set(red)


@transaction.atomic
def seed_demo(stdout, today=None):
    """Seed the demo; its dates are relative to `today` (default: the day it runs)."""
    today = today or timezone.localdate()
    concept = _ensure_concept(stdout, today)
    _ensure_adoption(concept, today)
    users = _ensure_users(concept)
    coordinator = users[roles.COORDINATION]
    entries = _demo_progress(concept, coordinator, today)
    indicators = _statistics_indicators(concept)
    _demo_decision(concept, coordinator, today)
    return concept, users, entries, indicators
