from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concept.history import Change, HistoricalRecords
from concept.models import Concept
from goals.models import StrategicGoal

# The report's texts, as the portal edits them (also reporting.report.snapshot).
NARRATIVE_FIELDS = (
    "foreword",
    "summary",
    "introduction",
    "need_for_action",
    "outlook",
    "resolution_proposal",
)
# The imprint (Impressum) and the reporting path (Beratungsfolge) with its dates.
IMPRINT_FIELDS = ("publisher", "contact")
PATH_FIELDS = (
    "steering_group_on",
    "hvb_conference_on",
    "committee_name",
    "committee_on",
    "council_on",
)
# Everything the Koordination edits on a draft (the form, services, conflicts, corrections).
EDITABLE_FIELDS = (*NARRATIVE_FIELDS, *IMPRINT_FIELDS, *PATH_FIELDS)


class ReportHistoryBase(models.Model):
    """Extra column of a report's history records (simple-history `bases`)."""

    # The assessments per goal after the change: [[goal number, label, text], …], so a
    # conflict can say which assessment changed. None where not recorded.
    assessments = models.JSONField(_("Bewertungen je Ziel"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def assessments_snapshot(report):
    return [
        [number, str(short_title or title), text]
        for number, short_title, title, text in GoalAssessment.objects.filter(report=report)
        .order_by("goal__number")
        .values_list("goal__number", "goal__short_title", "goal__title", "text")
    ]


def record_assessments(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record receiver (ReportingConfig.ready): every history record
    of a report carries its assessments."""
    history_instance.assessments = assessments_snapshot(instance)


def assessment_changes(older, newer):
    """The assessments that differ between two history records of a report."""
    if older.assessments is None or newer.assessments is None:
        return []
    old = {row[0]: row for row in older.assessments}
    new = {row[0]: row for row in newer.assessments}
    changes = []
    for number in sorted(old.keys() | new.keys()):
        before, after = old.get(number, ["", "", ""]), new.get(number, ["", "", ""])
        if before[2] != after[2]:
            label = _("Bewertung Ziel %(number)s: %(title)s") % {
                "number": number,
                "title": after[1] or before[1],
            }
            changes.append(Change(f"goal_{number}", str(label), before[2] or "–", after[2] or "–"))
    return changes


# Without an adoption date, reports reach this many years back.
YEARS_BACK_WITHOUT_ADOPTION = 10


def report_years(concept, today=None) -> range:
    """The years a report can be created for: from the year the concept was adopted (or ten
    years back, if it has no adoption date) up to the current year. A report of a year to
    come has no data yet, and one of a year long before the concept reports on nothing."""
    today = today or timezone.localdate()
    first = (
        concept.adopted_on.year if concept.adopted_on else today.year - YEARS_BACK_WITHOUT_ADOPTION
    )
    return range(first, today.year + 1)


class AnnualReport(models.Model):
    """The yearly Controlling-/Evaluationsbericht. A final report is frozen: its snapshot
    and PDF bytes never change; a correction is a new version of the same year.

    Final is not public: the district takes the report through its committees first and
    publishes it as a separate step (published_at), which can be withdrawn again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        FINAL = "final", _("final")

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(
        _("Berichtsjahr"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField(_("Fassung"), default=1)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    foreword = models.TextField(_("Vorwort"), blank=True)
    summary = models.TextField(_("Das Wichtigste in Kürze"), blank=True)
    introduction = models.TextField(_("Einleitung: Auftrag und Methodik"), blank=True)
    need_for_action = models.TextField(_("Handlungsbedarf und Empfehlungen"), blank=True)
    outlook = models.TextField(_("Ausblick / Fortschreibung"), blank=True)
    resolution_proposal = models.TextField(_("Beschlussvorschlag"), blank=True)
    publisher = models.CharField(
        _("Herausgeber"),
        max_length=300,
        blank=True,
        help_text=_("Für das Impressum. Leer: die Gebietskörperschaft des Konzepts."),
    )
    contact = models.TextField(
        _("Kontakt"),
        blank=True,
        help_text=_(
            "Für das Impressum: Stelle, Anschrift, Telefon, E-Mail. Leer: die Kontaktangaben "
            "des Impressums des Portals."
        ),
    )
    steering_group_on = models.DateField(_("Steuerungsgruppe am"), null=True, blank=True)
    hvb_conference_on = models.DateField(_("HVB-Konferenz am"), null=True, blank=True)
    committee_name = models.CharField(
        _("Ausschuss"),
        max_length=200,
        blank=True,
        help_text=_("z. B. Ausschuss für Soziales und Integration; leer: „Fachausschuss“."),
    )
    committee_on = models.DateField(_("Ausschuss am"), null=True, blank=True)
    council_on = models.DateField(_("Kreistag am"), null=True, blank=True)
    correction_note = models.TextField(_("Grund der Korrektur"), blank=True)
    # Final despite the completeness check's findings (reporting.report.completeness): who
    # finalised it gave this reason; the findings it overrode are kept beside it.
    override_reason = models.TextField(
        _("Begründung: final trotz offener Punkte"), blank=True, editable=False
    )
    override_findings = models.JSONField(
        _("offene Punkte beim Finalsetzen"), null=True, blank=True, editable=False
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("ersetzt Fassung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    snapshot = models.JSONField(_("Datenstand"), null=True, blank=True, editable=False)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    finalised_at = models.DateTimeField(_("final seit"), null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("final gesetzt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(
        _("veröffentlicht am"), null=True, blank=True, editable=False
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veröffentlicht von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    # Lost-update guard (concept.locking); `version` is the Fassung, so the token has its
    # own name.
    edit_version = models.PositiveIntegerField(_("Bearbeitungsstand"), default=1, editable=False)
    history = HistoricalRecords(
        verbose_name=_("Controlling-/Evaluationsbericht (Verlauf)"),
        excluded_fields=["pdf", "snapshot"],
        bases=[ReportHistoryBase],
    )

    version_field = "edit_version"
    conflict_fields = ["status", *EDITABLE_FIELDS, "correction_note"]
    history_changes = staticmethod(assessment_changes)

    class Meta:
        verbose_name = _("Controlling-/Evaluationsbericht")
        verbose_name_plural = _("Controlling-/Evaluationsberichte")
        ordering = ["concept", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "year", "version"], name="report_unique_version_per_year"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(pdf__isnull=False) & ~Q(pdf_sha256="") & Q(snapshot__isnull=False)),
                name="report_final_is_frozen",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="final"),
                name="report_published_is_final",
            ),
        ]

    def __str__(self):
        suffix = f" ({_('Fassung')} {self.version})" if self.version > 1 else ""
        return f"{_('Bericht')} {self.year} – {self.concept}{suffix}"

    def clean(self):
        """The reporting path runs Steuerungsgruppe → HVB-Konferenz → Ausschuss → Kreistag:
        a recorded date is not earlier than the one of a step before it, and none lies
        before the report year."""
        errors, earlier = {}, None
        for name in ("steering_group_on", "hvb_conference_on", "committee_on", "council_on"):
            day = getattr(self, name)
            if day is None:
                continue
            if self.year and day.year < self.year:
                errors[name] = _("Das Datum liegt vor dem Berichtsjahr %(year)s.") % {
                    "year": self.year
                }
            elif earlier and day < earlier[1]:
                errors[name] = _(
                    "Das Datum liegt vor dem vorherigen Schritt der Beratungsfolge (%(step)s)."
                ) % {"step": self._meta.get_field(earlier[0]).verbose_name}
            earlier = (name, day)
        if errors:
            raise ValidationError(errors)

    @property
    def is_final(self):
        return self.status == self.Status.FINAL

    @property
    def is_published(self):
        return self.published_at is not None


class GoalAssessment(models.Model):
    """The report's assessment of one strategic goal."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("Bericht"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    goal = models.ForeignKey(
        StrategicGoal,
        verbose_name=_("Strategisches Ziel"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(_("Bewertung"), blank=True)

    class Meta:
        verbose_name = _("Bewertung je Ziel")
        verbose_name_plural = _("Bewertungen je Ziel")
        ordering = ["goal__number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "goal"], name="assessment_unique_per_goal"),
        ]

    def __str__(self):
        return str(self.goal)


class ReportRender(models.Model):
    """A PDF rendering of a report, run in the background (django-tasks): a preview from
    live data, or the rendering that makes a draft final. The status page polls it."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("Vorschau")
        FINAL = "final", _("Finalisierung")

    class State(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("Bericht"), on_delete=models.CASCADE, related_name="renders"
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("Zustand"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("Fortschritt (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("Schritt"), max_length=200, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    error = models.TextField(_("Fehler"), blank=True)
    # A preview: the fingerprint of the data it shows (reporting.report.completeness), which
    # finalising compares with the current data. A finalisation: the fingerprint of the
    # preview it was requested on, and the override reason given with it, if any.
    fingerprint = models.CharField(_("Prüfsumme der Daten"), max_length=64, blank=True)
    override_reason = models.TextField(_("Begründung: final trotz offener Punkte"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angefordert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angefordert am"), auto_now_add=True)
    finished_at = models.DateTimeField(_("fertig am"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF-Erstellung")
        verbose_name_plural = _("PDF-Erstellungen")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.report} – {self.get_kind_display()} ({self.get_state_display()})"

    @property
    def is_pending(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)
