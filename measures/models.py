import datetime as dt
import posixpath
from calendar import monthrange

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concept import formatting
from concept.history import Change, HistoricalRecords
from concept.models import Concept
from goals.models import StrategicGoal, SubGoal
from measures.vocabulary import ATTENTION_LIGHTS, Status, TrafficLight
from networks.models import Meeting, Network, Organisation

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class UpdateCadence(models.IntegerChoices):
    """How often a measure owes a Sachstand, in calendar months (the stored value)."""

    MONTHLY = 1, _("monatlich")
    QUARTERLY = 3, _("vierteljährlich")
    HALF_YEARLY = 6, _("halbjährlich")
    YEARLY = 12, _("jährlich")


# Measures in these states owe no Sachstand, so they are never overdue: umgesetzt is done,
# entfallen will not happen, zurückgestellt is paused by a decision and comes back with a
# Sachstand when it is resumed. A verstetigt measure keeps running as a regular offer and
# still reports its figures, so it keeps its cadence (docs/pages.md).
NEVER_OVERDUE = (Status.IMPLEMENTED, Status.DEFERRED, Status.DROPPED)
# The progress an Umsetzungsstand implies; any other value contradicts it.
COMPLETE = (Status.IMPLEMENTED, Status.ESTABLISHED)


def overdue_rule():
    """What "überfällig" means, in the words the pages show wherever they count or mark it."""
    labels = [f"„{Status(status).label}“" for status in NEVER_OVERDUE]
    return gettext(
        "Überfällig: kein Sachstand seit mehr als dem vereinbarten Turnus (halbjährlich = "
        "6 Monate), gezählt ab dem letzten Sachstand, sonst ab Beginn. Nicht für Maßnahmen, "
        "die %(statuses)s sind."
    ) % {
        "statuses": gettext("%(first)s oder %(last)s")
        % {"first": ", ".join(labels[:-1]), "last": labels[-1]}
    }


def state_errors(status, progress):
    """{"progress": message} when Umsetzungsstand and Fortschritt contradict each other:
    "umgesetzt"/"verstetigt" need 100 %, "nicht begonnen" needs 0 %."""
    if progress is None or status not in (*COMPLETE, Status.NOT_STARTED):
        return {}
    needed = 0 if status == Status.NOT_STARTED else 100
    if progress == needed:
        return {}
    return {
        "progress": _(
            "Umsetzungsstand „%(status)s“ und Fortschritt %(progress)s %% widersprechen sich: "
            "„%(status)s“ setzt einen Fortschritt von %(needed)s %% voraus."
        )
        % {"status": Status(status).label, "progress": progress, "needed": needed}
    }


def dropped_errors(status, reason):
    """{"status_reason": message} when a measure is dropped (entfällt) without a reason."""
    if status == Status.DROPPED and not (reason or "").strip():
        return {"status_reason": _("Bitte begründen, warum die Maßnahme entfällt.")}
    return {}


def deviation_errors(traffic_light, previous_light, deviation):
    """{"deviation": message} when a Sachstand turns the Ampel to gelb or rot (from any other
    colour, so also rot → gelb and gelb → rot) without a short reason (Abweichung). One that
    keeps the Ampel as it was needs none: the reason was given when it changed."""
    if (
        traffic_light in ATTENTION_LIGHTS
        and traffic_light != previous_light
        and not (deviation or "").strip()
    ):
        return {
            "deviation": _(
                "Die Ampel wechselt auf „%(light)s“: Bitte beschreiben Sie kurz die Abweichung "
                "(Pflicht, wenn die Ampel auf gelb oder rot wechselt)."
            )
            % {"light": TrafficLight(traffic_light).short_label}
        }
    return {}


def period_errors(start_date, end_date):
    """{"end_date": message} when a measure ends before it begins."""
    if start_date and end_date and end_date < start_date:
        return {"end_date": _("Das Ende liegt vor dem Beginn.")}
    return {}


def add_months(day, months):
    """The same day `months` calendar months later (earlier if negative). A day the target
    month lacks becomes its last: 31.08. + 6 months = 28.02. (29.02. in a leap year)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def earliest_on_time(today, months):
    """The earliest date a cadence of `months` may have started from and still not be
    overdue on `today`: add_months(d, months) < today exactly when d < earliest_on_time(today,
    months). So the SQL condition compares plain dates and says what next_update_due says."""
    back = add_months(today, -months)
    # Cut to the end of a shorter month: every day of it is due before today.
    return back + dt.timedelta(days=1) if back.day < today.day else back


def update_due(last_entry_date, start_date, created_at, cadence):
    """The day by which the next Sachstand is due (on that day it is still on time, from the
    next it is overdue): the cadence in calendar months after the last one, or, before the
    first, after the measure was taken up – the later of its start and the day it was
    entered, so a measure entered today (with an old start) or starting later owes nothing
    yet."""
    if last_entry_date is None:
        days = [d for d in (start_date, created_at and timezone.localdate(created_at)) if d]
        last_entry_date = max(days) if days else None
    if last_entry_date is None:
        return None
    return add_months(last_entry_date, cadence)


class MeasureQuerySet(models.QuerySet):
    def with_last_entry(self):
        """Annotate the date of the newest Sachstand (None if there is none). A subquery, so
        it stays right whatever other joins the queryset adds."""
        newest = ProgressEntry.objects.filter(measure=models.OuterRef("pk")).order_by("-date")
        return self.annotate(last_entry_date=models.Subquery(newest.values("date")[:1]))

    @staticmethod
    def overdue_q(today):
        """Condition on a queryset annotated by with_last_entry(): no Sachstand within the
        measure's update cadence, counted from the last Sachstand, else from the later of
        the start and the day the measure was entered (Measure.next_update_due). The cadence is
        one of few fixed values, so the date arithmetic is done here, once per cadence, and
        stays portable (no per-row intervals in SQL)."""
        stale = Q()
        for cadence in UpdateCadence:
            since = earliest_on_time(today, cadence.value)
            taken_up = Q(created_at__date__lt=since) & (
                Q(start_date__isnull=True) | Q(start_date__lt=since)
            )
            stale |= Q(update_cadence=cadence.value) & (
                Q(last_entry_date__lt=since) | (Q(last_entry_date__isnull=True) & taken_up)
            )
        return stale & ~Q(status__in=NEVER_OVERDUE)

    def overdue(self, today):
        """Measures whose Sachstand is overdue (never those in NEVER_OVERDUE)."""
        return self.with_last_entry().filter(self.overdue_q(today))

    def needs_attention(self, today):
        """Handlungsbedarf, as on the dashboard: red or yellow Ampel, or an overdue Sachstand.
        Keeps a last_entry_date the queryset already has (the measure list's)."""
        annotated = "last_entry_date" in self.query.annotations
        queryset = self if annotated else self.with_last_entry()
        return queryset.filter(Q(traffic_light__in=ATTENTION_LIGHTS) | self.overdue_q(today))

    def responsible(self, user):
        return self.filter(responsible_users=user)


class MeasureManager(models.Manager.from_queryset(MeasureQuerySet)):
    def get_by_natural_key(self, concept_slug, number):
        return self.get(concept__slug=concept_slug, number=number)


class MeasureHistoryBase(models.Model):
    """Extra column of a measure's history records (simple-history `bases`)."""

    # Teilziele, Akteure, Netzwerke and Verantwortliche as they stood after the change, with
    # their names at that time, so the history can say what changed even after a rename or
    # deletion. None where they were not recorded (bulk history of loaded data).
    assignments = models.JSONField(_("Zuordnungen"), null=True, blank=True, editable=False)
    # The Sachstand whose saving made this change (progress_entry_create), so the change
    # carries its date. Plain values, no foreign key: the date stays if it is deleted.
    entry_date = models.DateField(
        _("Datum des Sachstands"), null=True, blank=True, editable=False, db_index=True
    )
    entry_id = models.PositiveBigIntegerField(
        _("Sachstand (ID)"), null=True, blank=True, editable=False
    )
    # That Sachstand was withdrawn later (progress_entry_withdraw): "Änderungen seit" no
    # longer lists this change, as if it had not been recorded; the history keeps it.
    entry_withdrawn = models.BooleanField(
        _("Sachstand zurückgezogen"), default=False, editable=False
    )

    class Meta:
        abstract = True


ASSIGNMENT_FIELDS = ["sub_goals", "organisations", "networks", "responsible_users"]


def assignments_snapshot(measure):
    """The measure's assignments as stored in its history: {kind: [[key, label], …]}.
    One query; read from the database, never from a possibly stale prefetch."""
    text = models.CharField()

    def rows(kind, queryset, key, *columns):
        """The assignments of one kind as rows (kind, key, three texts): every column as
        text, so that the four selects line up."""
        values = [Cast(column, text) for column in columns]
        values += [Value("", output_field=text)] * (3 - len(values))
        return (
            queryset.order_by()
            .annotate(
                row_kind=Value(kind, output_field=text),
                row_key=models.F(key),
                row_1=values[0],
                row_2=values[1],
                row_3=values[2],
            )
            .values_list("row_kind", "row_key", "row_1", "row_2", "row_3")
        )

    found = {field: [] for field in ASSIGNMENT_FIELDS}
    for kind, key, first, second, third in rows(
        "sub_goals", SubGoal.objects.filter(measures=measure), "pk", "goal__number", "number"
    ).union(
        rows(
            "organisations",
            MeasureOrganisation.objects.filter(measure=measure),
            "organisation_id",
            "role",
            "organisation__name",
        ),
        rows("networks", Network.objects.filter(measures=measure), "pk", "name"),
        rows(
            "responsible_users",
            get_user_model().objects.filter(responsible_measures=measure),
            "pk",
            "first_name",
            "last_name",
            "username",
        ),
        all=True,
    ):
        if kind == "sub_goals":
            found[kind].append([key, f"{first}.{second}"])
        elif kind == "organisations":
            found[kind].append([key, first, second])
        elif kind == "networks":
            found[kind].append([key, first])
        else:
            found[kind].append([key, f"{first} {second}".strip() or third])
    return {
        "sub_goals": sorted(found["sub_goals"]),
        "organisations": sorted(found["organisations"], key=lambda row: (row[1], row[2])),
        "networks": sorted(found["networks"], key=lambda row: row[1]),
        "responsible_users": sorted(found["responsible_users"], key=lambda row: row[1]),
    }


def assignment_label(field, row):
    """One recorded assignment as users read it: "1.3", "Jobcenter (Federführung)"."""
    if field == "organisations":
        _pk, role, name = row
        return f"{name} ({MeasureOrganisation.Role(role).label})"
    return row[1]


def assignment_changes(older, newer):
    """The assignments that differ between two history records; nothing where either record
    did not store them (then they are unknown, not empty)."""
    changes = []
    if older.assignments is None or newer.assignments is None:
        return changes
    for field in ASSIGNMENT_FIELDS:
        old = [assignment_label(field, row) for row in older.assignments.get(field, [])]
        new = [assignment_label(field, row) for row in newer.assignments.get(field, [])]
        if sorted(old) != sorted(new):
            changes.append(
                Change(
                    field,
                    str(Measure._meta.get_field(field).verbose_name),
                    ", ".join(old) or "–",
                    ", ".join(new) or "–",
                )
            )
    return changes


def record_assignments(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record receiver (connected in MeasuresConfig.ready): a history
    record that simple-history writes on a save outside the services (the admin, the
    baseline of concept.locking) carries the measure's assignments too. The services write
    their records themselves (measures.services.record_measure_change)."""
    history_instance.assignments = assignments_snapshot(instance)


def measure_label(code, number) -> str:
    """How users name a measure, and its key in the measure's URL: its code, or its outline
    number if it has none."""
    return code or number


class Measure(models.Model):
    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="measures"
    )
    code = models.CharField(
        _("Kürzel"),
        max_length=20,
        blank=True,
        help_text=_("Wie im Konzept, z. B. S1 oder aG1; leer, wenn das Konzept keins vergibt."),
    )
    number = models.CharField(
        _("Gliederungsnummer"), max_length=30, help_text=_("Nummer im Konzept, z. B. 4.1.9")
    )
    title = models.CharField(_("Titel"), max_length=500)
    description = models.TextField(_("Beschreibung"), blank=True)
    target_group = models.CharField(_("Zielgruppe"), max_length=300, blank=True)
    goal = models.ForeignKey(
        StrategicGoal,
        verbose_name=_("Strategisches Ziel"),
        on_delete=models.PROTECT,
        related_name="measures",
        null=True,
        blank=True,
        help_text=_("Leer für Maßnahmen der Koordination und Netzwerke."),
    )
    sub_goals = models.ManyToManyField(
        SubGoal, verbose_name=_("Teilziele"), related_name="measures", blank=True
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("Akteure"),
        through="MeasureOrganisation",
        related_name="measures",
        blank=True,
    )
    networks = models.ManyToManyField(
        Network, verbose_name=_("Netzwerke"), related_name="measures", blank=True
    )
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Verantwortliche"),
        related_name="responsible_measures",
        blank=True,
    )
    start_date = models.DateField(_("Beginn"), null=True, blank=True)
    end_date = models.DateField(_("Ende"), null=True, blank=True)
    update_cadence = models.PositiveSmallIntegerField(
        _("Aktualisierungsturnus"),
        choices=UpdateCadence.choices,
        default=UpdateCadence.HALF_YEARLY,
        help_text=_(
            "In Kalendermonaten ab dem letzten Sachstand: halbjährlich heißt, nach einem "
            "Sachstand vom 19.09. ist der nächste bis zum 19.03. fällig."
        ),
    )
    status = models.CharField(
        _("Umsetzungsstand"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    status_reason = models.TextField(
        _("Begründung"), blank=True, help_text=_("Pflicht, wenn die Maßnahme entfällt.")
    )
    traffic_light = models.CharField(
        _("Ampel"), max_length=10, choices=TrafficLight.choices, default=TrafficLight.GREY
    )
    progress = models.PositiveSmallIntegerField(
        _("Fortschritt (%)"), default=0, validators=PERCENT_VALIDATORS
    )
    is_public = models.BooleanField(_("öffentlich"), default=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    # Lost-update guard (concept.locking): every write claims it; a stale form is refused.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    history = HistoricalRecords(
        verbose_name=_("Maßnahme (Verlauf)"),
        excluded_fields=["position"],
        bases=[MeasureHistoryBase],
    )

    # What a conflict (concept.locking) and the history name, in display order; the
    # assignments come from the records' snapshot (history_changes).
    conflict_fields = [
        "status",
        "traffic_light",
        "progress",
        "status_reason",
        "title",
        "description",
        "target_group",
        "goal",
        "start_date",
        "end_date",
        "update_cadence",
        "is_public",
    ]
    history_changes = staticmethod(assignment_changes)

    objects = MeasureManager()

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["concept", "position", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "code"],
                condition=~Q(code=""),
                name="measure_unique_code_per_concept",
            ),
            models.UniqueConstraint(
                fields=["concept", "number"], name="measure_unique_number_per_concept"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="measure_progress_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DROPPED) | ~Q(status_reason=""),
                name="measure_dropped_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="measure_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(code__contains=" "), name="measure_code_without_space"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.title}"

    def get_absolute_url(self):
        return reverse("measures:detail", kwargs={"slug": self.concept.slug, "key": self.label})

    def natural_key(self):
        return (*self.concept.natural_key(), self.number)

    natural_key.dependencies = [
        "concept.concept",
        "goals.strategicgoal",
        "goals.subgoal",
        "networks.network",
    ]

    @property
    def label(self):
        """How users name the measure, and its key in URLs (measure_label)."""
        return measure_label(self.code, self.number)

    def next_update_due(self, last_entry_date):
        """The date by which the next Sachstand is due (None for those never overdue)."""
        if self.status in NEVER_OVERDUE:
            return None
        return update_due(last_entry_date, self.start_date, self.created_at, self.update_cadence)

    def is_overdue(self, last_entry_date, today):
        due = self.next_update_due(last_entry_date)
        return due is not None and due < today

    def clean(self):
        errors = {}
        if self.goal_id and self.goal.concept_id != self.concept_id:
            errors["goal"] = _("Das strategische Ziel gehört zu einem anderen Konzept.")
        errors.update(dropped_errors(self.status, self.status_reason))
        errors.update(period_errors(self.start_date, self.end_date))
        # Umsetzungsstand and Fortschritt are checked where they are written: with the
        # Sachstand that sets them (ProgressEntry.clean). Data from before that rule must
        # stay editable (texts, dates).
        if errors:
            raise ValidationError(errors)


class MeasureOrganisationManager(models.Manager):
    def get_by_natural_key(self, concept_slug, number, organisation_name):
        return self.get(
            measure__concept__slug=concept_slug,
            measure__number=number,
            organisation__name=organisation_name,
        )


class MeasureOrganisation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Federführung")
        PARTNER = "partner", _("Partner")

    measure = models.ForeignKey(
        Measure, verbose_name=_("Maßnahme"), on_delete=models.CASCADE, related_name="involvements"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Akteur"),
        on_delete=models.CASCADE,
        related_name="involvements",
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.PARTNER)

    objects = MeasureOrganisationManager()

    class Meta:
        verbose_name = _("Beteiligung")
        verbose_name_plural = _("Beteiligungen")
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "organisation"], name="involvement_unique_per_measure"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"

    def natural_key(self):
        return (*self.measure.natural_key(), self.organisation.name)

    natural_key.dependencies = ["measures.measure", "networks.organisation"]


class Decision(models.Model):
    """A Beschluss of a committee meeting; the reason shown beside the changes it caused."""

    class Kind(models.TextChoices):
        ADJUST = "adjust", _("Maßnahme anpassen")
        ADD = "add", _("Maßnahme aufnehmen")
        STOP = "stop", _("Maßnahme beenden")
        OTHER = "other", _("Sonstiger Beschluss")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("Sitzung"), on_delete=models.PROTECT, related_name="decisions"
    )
    text = models.TextField(_("Beschlusstext"))
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.ADJUST)
    measures = models.ManyToManyField(
        Measure, verbose_name=_("betroffene Maßnahmen"), related_name="decisions", blank=True
    )
    follow_up_date = models.DateField(_("Wiedervorlage am"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("Wiedervorlage erledigt"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    # Lost-update guard (concept.locking): every change claims it.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    # The affected measures are part of the history, so a conflict names their change too.
    history = HistoricalRecords(verbose_name=_("Beschluss (Verlauf)"), m2m_fields=[measures])

    class Meta:
        verbose_name = _("Beschluss")
        verbose_name_plural = _("Beschlüsse")
        ordering = ["-meeting__date", "pk"]

    def __str__(self):
        return f"{self.meeting}: {self.text[:60]}"


class ProgressEntryQuerySet(models.QuerySet):
    def demo(self):
        return self.filter(is_demo=True)


class CountingEntryManager(models.Manager.from_queryset(ProgressEntryQuerySet)):
    """The Sachstände that count: every reader (the measure's state, dashboard, lists,
    "Änderungen seit", exports, the report, public pages and `measure.entries`) sees only
    these. A withdrawn Sachstand stays in the database and its history and is read only
    through ProgressEntry.with_withdrawn (the measure's timeline)."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class ProgressEntry(models.Model):
    """A Sachstand: the state of a measure at a date, with what happened and what comes next."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("Maßnahme"), on_delete=models.CASCADE, related_name="entries"
    )
    date = models.DateField(_("Datum"))
    period = models.CharField(
        _("Berichtszeitraum"), max_length=40, blank=True, help_text=_("z. B. 1. Halbjahr 2025")
    )
    status = models.CharField(_("Umsetzungsstand"), max_length=20, choices=Status.choices)
    traffic_light = models.CharField(_("Ampel"), max_length=10, choices=TrafficLight.choices)
    progress = models.PositiveSmallIntegerField(_("Fortschritt (%)"), validators=PERCENT_VALIDATORS)
    text = models.TextField(_("Sachstand"), blank=True)
    next_steps = models.TextField(_("Nächste Schritte"), blank=True)
    deviation = models.TextField(_("Abweichung / Begründung"), blank=True)
    participants = models.PositiveIntegerField(_("Teilnehmende"), null=True, blank=True)
    staff = models.DecimalField(
        _("Personal (VZÄ)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost = models.DecimalField(
        _("Kosten (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding = models.DecimalField(
        _("Fördermittel (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("Anlass: Beschluss"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_entries",
    )
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    # Lost-update guard (concept.locking): every correction claims it; also the export's
    # "Version" column.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    # Withdrawn (zurückgezogen): no longer counted anywhere, kept for the timeline and history.
    withdrawn_at = models.DateTimeField(
        _("zurückgezogen am"), null=True, blank=True, editable=False
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zurückgezogen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("Grund des Zurückziehens"), blank=True, editable=False)
    history = HistoricalRecords(verbose_name=_("Sachstand (Verlauf)"))

    # The first manager is the default one, and so the one of `measure.entries`.
    objects = CountingEntryManager()
    with_withdrawn = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Sachstand")
        verbose_name_plural = _("Sachstände")
        ordering = ["-date", "-created_at", "-pk"]
        get_latest_by = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="entry_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="entry_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(funding__isnull=True) | Q(funding__gte=0),
                name="entry_funding_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(staff__isnull=True) | Q(staff__gte=0),
                name="entry_staff_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["measure", "-date"], name="entry_measure_date")]

    def __str__(self):
        return f"{self.measure.label} – {formatting.date(self.date)}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    def clean(self):
        # A new Sachstand's state is checked here; a recorded one's only when a correction
        # changes it (services.progress_entry_correct), so the texts of one that predates
        # the rule stay correctable.
        errors = state_errors(self.status, self.progress) if self._state.adding else {}
        if errors:
            raise ValidationError(errors)


def evidence_upload_to(instance, filename):
    return f"nachweise/{instance.entry.measure.concept.slug}/{filename}"


class Evidence(models.Model):
    """A Nachweis of a Sachstand: an uploaded file or a link."""

    entry = models.ForeignKey(
        ProgressEntry,
        verbose_name=_("Sachstand"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    label = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    file = models.FileField(_("Datei"), upload_to=evidence_upload_to, blank=True)
    url = models.URLField(_("Link"), blank=True)

    class Meta:
        verbose_name = _("Nachweis")
        verbose_name_plural = _("Nachweise")
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="evidence_file_xor_url",
            ),
        ]

    def __str__(self):
        return self.label or self.url or self.file.name

    @property
    def filename(self):
        """The uploaded file's name without its storage folders ("nachweis.pdf")."""
        return posixpath.basename(self.file.name) if self.file else ""


class CampaignQuerySet(models.QuerySet):
    def running(self, today):
        """Campaigns that ask for Sachstände now: deadline not passed, not ended."""
        return self.filter(deadline__gte=today, closed_at__isnull=True)


class Campaign(models.Model):
    """A Sachstandsabfrage: the Koordination asks the people responsible for the chosen
    measures for a Sachstand as of a reference date, by a deadline. Answers are ordinary
    Sachstände (answered_q)."""

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="campaigns"
    )
    title = models.CharField(
        _("Bezeichnung"),
        max_length=200,
        blank=True,
        help_text=_("Leer lassen für „Sachstände zum 31.12.2025 bis 31.01.2026“."),
    )
    reference_date = models.DateField(
        _("Sachstände zum"), help_text=_("Der Stichtag, dessen Stand erfragt wird.")
    )
    deadline = models.DateField(_("Rückmeldung bis"))
    message = models.TextField(
        _("Hinweis an die Verantwortlichen"),
        blank=True,
        help_text=_("Steht in der E-Mail an die Verantwortlichen, z. B. wofür die Angaben dienen."),
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("Maßnahmen"), related_name="campaigns", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eröffnet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("eröffnet am"), auto_now_add=True)
    reminded_on = models.DateField(_("zuletzt erinnert am"), null=True, blank=True, editable=False)
    # Ended by the Koordination (campaign_close): it asks nobody any more; its Rücklauf stays.
    closed_at = models.DateTimeField(_("beendet am"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beendet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Lost-update guard (concept.locking): the admin claims it.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(
        verbose_name=_("Sachstandsabfrage (Verlauf)"), m2m_fields=[measures]
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("Sachstandsabfrage")
        verbose_name_plural = _("Sachstandsabfragen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("reference_date")),
                name="campaign_deadline_not_before_reference_date",
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse(
            "measures:campaign_detail", kwargs={"slug": self.concept.slug, "pk": self.pk}
        )

    @property
    def label(self):
        if self.title:
            return self.title
        return gettext("Sachstände zum %(date)s bis %(deadline)s") % {
            "date": formatting.date(self.reference_date),
            "deadline": formatting.date(self.deadline),
        }

    @property
    def is_closed(self):
        return self.closed_at is not None

    def clean(self):
        if self.reference_date and self.deadline and self.deadline < self.reference_date:
            raise ValidationError({"deadline": _("Die Frist liegt vor dem Stichtag der Abfrage.")})


def answered(measure, reference_date, opened_at):
    """Exists: the measure has answered a campaign, by a Sachstand (not withdrawn) dated on
    or after its reference date, or recorded since it was opened. The arguments are values
    or expressions (OuterRef), so one query checks the measures of many campaigns."""
    entries = ProgressEntry.objects.filter(measure=measure)
    return models.Exists(entries.filter(Q(date__gte=reference_date) | Q(created_at__gte=opened_at)))


def campaign_answered(campaign):
    """answered() for a queryset of the campaign's measures."""
    return answered(models.OuterRef("pk"), campaign.reference_date, campaign.created_at)


def campaign_rows_answered():
    """answered() for a queryset of Campaign.measures.through (campaign, measure) rows."""
    return answered(
        models.OuterRef("measure_id"),
        models.OuterRef("campaign__reference_date"),
        models.OuterRef("campaign__created_at"),
    )
