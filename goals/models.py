import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concept import formatting
from concept.history import HistoricalRecords
from concept.models import Concept, Statement

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]

# How a Kennzahl's unit (as typed, compared without case and surrounding spaces) is read.
# A share: its values lie between 0 and 100, and a change of them is in Prozentpunkte.
PERCENT_UNITS = frozenset({"%", "prozent", "v. h.", "v.h."})
# Words that only say "a number": not written after a value ("121", not "121 Anzahl").
NUMBER_WORDS = frozenset({"anzahl", "anz.", "zahl", "stück", "stk."})
# Counts: whole numbers, never negative.
COUNT_UNITS = NUMBER_WORDS | {"personen", "fälle", "plätze", "teilnehmende"}


def goal_label(number, short_title) -> str:
    """How a strategic goal is named wherever it is listed, in the portal and in the yearly
    report: "Ziel 4: Arbeit" (its number and short title)."""
    return gettext("Ziel %(number)s: %(title)s") % {"number": number, "title": short_title}


class StrategicGoalManager(models.Manager):
    def get_by_natural_key(self, concept_slug, number):
        return self.get(concept__slug=concept_slug, number=number)


class StrategicGoal(models.Model):
    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="goals"
    )
    number = models.PositiveSmallIntegerField(_("Nummer"), validators=[MinValueValidator(1)])
    title = models.CharField(_("Titel"), max_length=300)
    short_title = models.CharField(
        _("Kurztitel"), max_length=120, help_text=_("Wie im Maßnahmenteil, z. B. „Sprache“.")
    )
    aim = models.TextField(_("Zielaussage"), blank=True)

    objects = StrategicGoalManager()

    class Meta:
        verbose_name = _("Strategisches Ziel")
        verbose_name_plural = _("Strategische Ziele")
        ordering = ["concept", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "number"], name="goal_unique_number_per_concept"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="goal_number_positive"),
        ]

    def __str__(self):
        return f"{_('Strategisches Ziel')} {self.number}: {self.short_title}"

    def natural_key(self):
        return (*self.concept.natural_key(), self.number)

    natural_key.dependencies = ["concept.concept"]

    @property
    def label(self):
        return goal_label(self.number, self.short_title or self.title)


class SubGoalManager(models.Manager):
    def get_by_natural_key(self, concept_slug, goal_number, number):
        return self.get(goal__concept__slug=concept_slug, goal__number=goal_number, number=number)


class SubGoal(models.Model):
    goal = models.ForeignKey(
        StrategicGoal,
        verbose_name=_("Strategisches Ziel"),
        on_delete=models.CASCADE,
        related_name="sub_goals",
    )
    number = models.PositiveSmallIntegerField(_("Nummer"), validators=[MinValueValidator(1)])
    text = models.TextField(_("Text"))

    objects = SubGoalManager()

    class Meta:
        verbose_name = _("Teilziel")
        verbose_name_plural = _("Teilziele")
        ordering = ["goal__concept", "goal__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="subgoal_unique_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="subgoal_number_positive"
            ),
        ]

    def __str__(self):
        return f"{_('Teilziel')} {self.label}: {self.text[:80]}"

    @property
    def label(self):
        """Number as users quote it: "1.3" is Teilziel 3 of goal 1."""
        return f"{self.goal.number}.{self.number}"

    def natural_key(self):
        return (*self.goal.natural_key(), self.number)

    natural_key.dependencies = ["goals.strategicgoal"]


class StatisticsSource(models.Model):
    """An official statistics publication Kennzahlen are read from (e.g. the LSN's
    Integrationsmonitoring), with what its publisher asks to be cited. Shared by concepts;
    each concept names its own region in it (StatisticsRegion)."""

    class Format(models.TextChoices):
        OPENSDG = "opensdg", _("Open SDG (data/, meta/, translations/)")
        FFCSV = "ffcsv", _("GENESIS-Flatfile-CSV (ffcsv)")

    slug = models.SlugField(_("Kurzname"), max_length=60, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    publisher = models.CharField(_("Herausgeber"), max_length=200)
    publisher_short = models.CharField(
        _("Herausgeber (kurz)"), max_length=40, blank=True, help_text=_("z. B. LSN")
    )
    licence = models.CharField(_("Lizenz"), max_length=200, blank=True)
    attribution = models.TextField(
        _("Quellenangabe"),
        blank=True,
        help_text=_("Wie der Herausgeber zitiert werden möchte, z. B. „Quelle: LSN“."),
    )
    url = models.URLField(_("Adresse"), max_length=500, blank=True)
    format = models.CharField(_("Format"), max_length=20, choices=Format.choices)
    location = models.CharField(
        _("Ablage zum Einlesen"),
        max_length=500,
        blank=True,
        help_text=_(
            "Ordner oder ZIP-Datei auf dem Server, aus dem die Quelle gelesen und "
            "aktualisiert wird; leer: nur per Hochladen."
        ),
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Statistikquelle")
        verbose_name_plural = _("Statistikquellen")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def short_label(self):
        """The source as a source line names it: "LSN, Integrationsmonitoring Niedersachsen"."""
        return f"{self.publisher_short}, {self.name}" if self.publisher_short else self.name


REGION_KEY_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_.-]{1,20}$",
    _("Ein Regionalschlüssel besteht aus Buchstaben und Ziffern, z. B. K03460 oder 03460."),
)


class StatisticsRegion(models.Model):
    """A concept's use of a statistics source: the key of its district in the source
    (GeoCode K03460, Kreisschlüssel 03460), whether it is refreshed by itself, when last read."""

    concept = models.ForeignKey(
        Concept,
        verbose_name=_("Konzept"),
        on_delete=models.CASCADE,
        related_name="statistics_regions",
    )
    source = models.ForeignKey(
        StatisticsSource,
        verbose_name=_("Statistikquelle"),
        on_delete=models.PROTECT,
        related_name="regions",
    )
    region_key = models.CharField(
        _("Regionalschlüssel"), max_length=20, validators=[REGION_KEY_VALIDATOR]
    )
    refresh_days = models.PositiveSmallIntegerField(
        _("Aktualisieren alle … Tage"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leer: nur von Hand aktualisieren."),
    )
    read_at = models.DateTimeField(_("zuletzt gelesen"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Statistikquelle des Konzepts")
        verbose_name_plural = _("Statistikquellen der Konzepte")
        ordering = ["concept", "source__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "source"], name="statisticsregion_one_per_concept"
            ),
        ]

    def __str__(self):
        return f"{self.source} ({self.region_key})"

    def refresh_due(self, now=None) -> bool:
        if not self.refresh_days or not self.source.location:
            return False
        if self.read_at is None:
            return True
        now = now or timezone.now()
        return self.read_at + dt.timedelta(days=self.refresh_days) <= now


class StatisticsImport(models.Model):
    """One reading of a source for a concept: when, by whom, how, what it changed, and the
    raw files it read (SourceFile, with their SHA-256)."""

    class Origin(models.TextChoices):
        COMMAND = "command", _("Befehl")
        UPLOAD = "upload", _("Hochgeladen")
        CONFIGURED = "configured", _("Konfigurierte Quelle")
        REFRESH = "refresh", _("Automatische Aktualisierung")
        DEMO = "demo", _("Demodaten")

    concept = models.ForeignKey(
        Concept,
        verbose_name=_("Konzept"),
        on_delete=models.CASCADE,
        related_name="statistics_imports",
    )
    source = models.ForeignKey(
        StatisticsSource,
        verbose_name=_("Statistikquelle"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    region_key = models.CharField(_("Regionalschlüssel"), max_length=20)
    read_at = models.DateTimeField(_("gelesen am"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(_("Weg"), max_length=20, choices=Origin.choices)
    indicators_created = models.PositiveIntegerField(_("Kennzahlen neu"), default=0)
    values_created = models.PositiveIntegerField(_("Werte neu"), default=0)
    values_changed = models.PositiveIntegerField(_("Werte geändert"), default=0)
    values_removed = models.PositiveIntegerField(_("Werte entfallen"), default=0)
    values_unchanged = models.PositiveIntegerField(_("Werte unverändert"), default=0)

    class Meta:
        verbose_name = _("Statistik-Einlesung")
        verbose_name_plural = _("Statistik-Einlesungen")
        ordering = ["-read_at"]

    def __str__(self):
        return f"{self.source} ({formatting.date(timezone.localdate(self.read_at))})"


class SourceFile(models.Model):
    """A raw file read by a StatisticsImport, named as in its folder, with its SHA-256: which
    bytes a value came from can be checked later."""

    statistics_import = models.ForeignKey(
        StatisticsImport,
        verbose_name=_("Einlesung"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    name = models.CharField(_("Datei"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))

    class Meta:
        verbose_name = _("Rohdatei")
        verbose_name_plural = _("Rohdateien")
        ordering = ["statistics_import", "name"]

    def __str__(self):
        return f"{self.name} ({self.sha256[:12]}…)"


class ValueCadence(models.IntegerChoices):
    """How often a Kennzahl gets a new value, in calendar months after the last Stichtag."""

    MONTHLY = 1, _("monatlich")
    QUARTERLY = 3, _("vierteljährlich")
    HALF_YEARLY = 6, _("halbjährlich")
    YEARLY = 12, _("jährlich")


class IndicatorManager(models.Manager):
    def get_by_natural_key(self, concept_slug, name):
        return self.get(concept__slug=concept_slug, name=name)


class Indicator(models.Model):
    """A Kennzahl: attached to a Teilziel, or to the concept itself for context figures
    of the Ausgangslage (monitoring, not an effect of measures)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("höher ist besser")
        LOWER = "lower", _("niedriger ist besser")
        NEUTRAL = "neutral", _("keine Wertung (Kontextzahl)")

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="indicators"
    )
    sub_goal = models.ForeignKey(
        SubGoal,
        verbose_name=_("Teilziel"),
        on_delete=models.CASCADE,
        related_name="indicators",
        null=True,
        blank=True,
        help_text=_("Leer lassen für Kontextzahlen der Ausgangslage."),
    )
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("Aussage im Konzept"),
        on_delete=models.SET_NULL,
        related_name="indicators",
        null=True,
        blank=True,
        help_text=_("Die Feststellung der Ausgangslage, aus der die Zahl stammt."),
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    description = models.TextField(_("Definition"), blank=True)
    unit = models.CharField(_("Einheit"), max_length=40, help_text=_("z. B. Personen, %"))
    direction = models.CharField(
        _("Wirkungsrichtung"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_value = models.DecimalField(
        _("Ausgangswert"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("Jahr des Ausgangswerts"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    target_value = models.DecimalField(
        _("Zielwert"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(
        _("Zieljahr"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    suppress_below = models.PositiveIntegerField(
        _("Kleine Fallzahlen unterdrücken unter"),
        null=True,
        blank=True,
        help_text=_("Werte unter dieser Zahl erscheinen öffentlich nur als „< n“."),
    )
    is_public = models.BooleanField(_("öffentlich"), default=False)
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    # Set for a Kennzahl read from official statistics (goals/statistics): which table
    # and unit of which source it is, and the source's notes (rounding, series breaks).
    statistics_source = models.ForeignKey(
        StatisticsSource,
        verbose_name=_("Statistikquelle"),
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
    )
    statistics_id = models.CharField(_("Indikator/Tabelle"), max_length=80, blank=True)
    statistics_unit = models.CharField(
        _("Einheit in der Quelle"), max_length=120, blank=True, editable=False
    )
    statistics_note = models.TextField(_("Hinweise der Quelle"), blank=True)
    # Who records the values, and how often a new one is due: reminders (docs/mail.md).
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gepflegt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kept_indicators",
        help_text=_("Diese Person wird erinnert, wenn der nächste Wert fällig ist."),
    )
    value_cadence = models.PositiveSmallIntegerField(
        _("neuer Wert fällig"),
        choices=ValueCadence.choices,
        null=True,
        blank=True,
        help_text=_(
            "Wie oft ein neuer Wert erwartet wird, gezählt ab dem letzten Stichtag; leer: "
            "keine Erinnerung."
        ),
    )

    objects = IndicatorManager()

    class Meta:
        verbose_name = _("Kennzahl")
        verbose_name_plural = _("Kennzahlen")
        ordering = ["concept", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "name"], name="indicator_unique_name_per_concept"
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_year__isnull=True)
                | models.Q(target_year__isnull=True)
                | models.Q(target_year__gte=models.F("baseline_year")),
                name="indicator_target_after_baseline",
            ),
            models.UniqueConstraint(
                fields=["concept", "statistics_source", "statistics_id", "statistics_unit"],
                condition=models.Q(statistics_source__isnull=False),
                name="indicator_unique_statistics_table",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.concept.natural_key(), self.name)

    natural_key.dependencies = ["concept.concept", "goals.subgoal"]

    @property
    def is_percent(self):
        return self.unit.strip().lower() in PERCENT_UNITS

    @property
    def is_count(self):
        return self.unit.strip().lower() in COUNT_UNITS

    @property
    def display_unit(self):
        """The unit as written after a value: "%", "Personen"; nothing after a bare count."""
        if self.is_percent:
            return "%"
        unit = self.unit.strip()
        return "" if unit.lower() in NUMBER_WORDS else unit

    def format_change(self, change) -> str:
        """A change of the value with its sign and unit: a share moves in Prozentpunkte
        ("+3 Prozentpunkte"), anything else in its unit ("+12 Personen", "-3")."""
        if self.is_percent:
            return formatting.points(change)
        text = formatting.signed(change)
        return f"{text} {self.display_unit}" if self.display_unit else text

    def attainment(self, value) -> Decimal | None:
        """Zielerreichung: how far `value` has come on the way from the baseline to the
        target, in whole per cent from 0 to 100, rounded half up (0 → 40 at 33: 83).
        None without baseline, target or value, or when they are equal. Pages and the
        yearly report show this number."""
        base, target = self.baseline_value, self.target_value
        if value is None or base is None or target is None or base == target:
            return None
        share = (Decimal(value) - base) / (target - base) * 100
        return formatting.round_half_up(min(max(share, Decimal(0)), Decimal(100)))

    def clean(self):
        if self.sub_goal_id and self.sub_goal.goal.concept_id != self.concept_id:
            raise ValidationError({"sub_goal": _("Das Teilziel gehört zu einem anderen Konzept.")})
        if self.statement_id and self.statement.concept_id != self.concept_id:
            raise ValidationError({"statement": _("Die Aussage gehört zu einem anderen Konzept.")})
        if (
            self.keeper_id
            and self.concept_id
            and not self.keeper.is_superuser
            and not self.keeper.memberships.filter(concept_id=self.concept_id).exists()
        ):
            raise ValidationError({"keeper": _("Die Person ist kein Mitglied dieses Konzepts.")})


class IndicatorValueManager(models.Manager):
    def get_by_natural_key(self, concept_slug, indicator_name, reference_date, breakdown):
        return self.get(
            indicator__concept__slug=concept_slug,
            indicator__name=indicator_name,
            reference_date=reference_date,
            breakdown=breakdown,
        )


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("Kennzahl"), on_delete=models.CASCADE, related_name="values"
    )
    reference_date = models.DateField(_("Stichtag"))
    period = models.CharField(
        _("Zeitraum"), max_length=40, blank=True, help_text=_("z. B. 2024 oder Schuljahr 2024/25")
    )
    value = models.DecimalField(_("Wert"), max_digits=14, decimal_places=3)
    breakdown = models.CharField(
        _("Aufschlüsselung"),
        max_length=120,
        blank=True,
        help_text=_("Leer für den Gesamtwert, sonst z. B. „weiblich“ oder „Polen“."),
    )
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    # Set for a value read from official statistics: the reading that last wrote it, the
    # source's table and the row exactly as read (file, line, text).
    statistics_import = models.ForeignKey(
        StatisticsImport,
        verbose_name=_("Einlesung"),
        on_delete=models.PROTECT,
        related_name="values",
        null=True,
        blank=True,
    )
    statistics_id = models.CharField(_("Indikator/Tabelle"), max_length=80, blank=True)
    raw_file = models.CharField(_("Rohdatei"), max_length=300, blank=True)
    raw_line = models.PositiveIntegerField(_("Zeile"), null=True, blank=True)
    raw_row = models.TextField(_("Rohzeile"), blank=True)
    series_break = models.BooleanField(
        _("Zeitreihenbruch"),
        default=False,
        help_text=_(
            "Mit diesem Wert beginnt eine neue Zählweise; frühere Werte sind nur "
            "eingeschränkt vergleichbar."
        ),
    )
    # Lost-update guard (concept.locking): every change claims it.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(verbose_name=_("Kennzahlwert (Verlauf)"))

    conflict_fields = ["reference_date", "value", "breakdown", "period", "source", "note"]

    objects = IndicatorValueManager()

    class Meta:
        verbose_name = _("Kennzahlwert")
        verbose_name_plural = _("Kennzahlwerte")
        ordering = ["indicator", "reference_date", "position", "breakdown"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "reference_date", "breakdown"],
                name="indicatorvalue_unique_per_date_and_breakdown",
            ),
        ]

    def __str__(self):
        label = f" ({self.breakdown})" if self.breakdown else ""
        return f"{self.indicator}{label}: {self.value} ({formatting.date(self.reference_date)})"

    def natural_key(self):
        return (*self.indicator.natural_key(), self.reference_date.isoformat(), self.breakdown)

    def clean(self):
        """A value fits its Kennzahl's unit, and it was counted by today: a value is counted
        at its Stichtag, so one in the future has not been counted yet."""
        errors = {}
        indicator, value = self.indicator, self.value
        if (
            value is not None
            and indicator.is_count
            and (value < 0 or value != value.to_integral_value())
        ):
            errors["value"] = _("%(unit)s werden als ganze, nicht negative Zahl erfasst.") % {
                "unit": indicator.unit.strip()
            }
        elif value is not None and indicator.is_percent and not 0 <= value <= 100:
            errors["value"] = _("Ein Anteil in Prozent liegt zwischen 0 und 100.")
        today = timezone.localdate()
        if self.reference_date is not None and self.reference_date > today:
            errors["reference_date"] = ValidationError(
                _(
                    "Der Stichtag %(date)s liegt in der Zukunft; erfasst werden Werte bis "
                    "heute (%(today)s)."
                )
                % {"date": formatting.date(self.reference_date), "today": formatting.date(today)},
                code="future",
            )
        if errors:
            raise ValidationError(errors)

    natural_key.dependencies = ["goals.indicator"]
