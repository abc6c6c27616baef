import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concept import roles
from concept.history import HistoricalRecords


class ConceptQuerySet(models.QuerySet):
    def for_user(self, user):
        """Concepts a user may see: members see theirs, superusers all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(members=user)

    def with_role(self, user, *names):
        """Concepts in which the user holds one of these roles; superusers: all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(pk__in=roles.concept_ids_with(user, *names))

    def editable_by(self, user):
        return self.with_role(user, *roles.EDITORS)

    def administered_by(self, user):
        return self.with_role(user, roles.ADMINISTRATION)


class ConceptManager(models.Manager.from_queryset(ConceptQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Concept(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        ADOPTED = "adopted", _("beschlossen")
        ARCHIVED = "archived", _("archiviert")

    slug = models.SlugField(_("Kurzname (URL)"), max_length=80, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    district = models.CharField(_("Gebietskörperschaft"), max_length=200)
    version_label = models.CharField(_("Fassung"), max_length=100, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    adopted_on = models.DateField(_("beschlossen am"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("Vorgängerkonzept (Fortschreibung von)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        verbose_name=_("Mitglieder"),
        related_name="concepts",
        blank=True,
    )
    # Set by the concept's Administration: its people get reminders even if they switched
    # them off (docs/mail.md).
    reminders_mandatory = models.BooleanField(
        _("Erinnerungen verpflichtend"),
        default=False,
        # Rows written by code that predates the field (an older host, an older migration
        # state) still get a value.
        db_default=False,
        help_text=_(
            "Personen dieses Konzepts erhalten Erinnerungen an fällige Sachstände, "
            "Wiedervorlagen und Kennzahlen auch dann, wenn sie sie abgeschaltet haben."
        ),
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    # Moves whenever anything of the concept changes (concept.dataversion); cached pages
    # are keyed on it (concept.pagecache).
    data_version = models.PositiveBigIntegerField(
        _("Datenstand"), default=0, db_default=0, editable=False
    )

    objects = ConceptManager()

    class Meta:
        verbose_name = _("Integrationskonzept")
        verbose_name_plural = _("Integrationskonzepte")
        ordering = ["district", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("pk")),
                name="concept_not_own_predecessor",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("concept:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class Membership(models.Model):
    """A person's role in one concept."""

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    # Least privilege: a member added without a role reads.
    role = models.CharField(
        _("Rolle"), max_length=20, choices=roles.Role.choices, default=roles.STEERING_GROUP
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["concept", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "user"], name="membership_unique_person"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} ({self.concept})"


class StatementManager(models.Manager):
    def get_by_natural_key(self, concept_slug, number):
        return self.get(concept__slug=concept_slug, number=number)


class Statement(models.Model):
    """A numbered statement of the concept outside goals and measures.

    The findings of the Ausgangslage (1.1.x), the statements on coordination (3.x)
    and the evaluation steps (5.x) keep their outline number and exact wording.
    """

    class Section(models.TextChoices):
        SITUATION = "situation", _("Ausgangslage")
        COORDINATION = "coordination", _("Koordination und Netzwerke")
        EVALUATION = "evaluation", _("Fortschreibung / Evaluation")

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="statements"
    )
    section = models.CharField(_("Abschnitt"), max_length=20, choices=Section.choices)
    number = models.CharField(
        _("Gliederungsnummer"),
        max_length=30,
        help_text=_("Nummer in der Gliederung des Konzepts, z. B. 1.1.2"),
    )
    text = models.TextField(_("Text"))
    needs_split = models.BooleanField(
        _("Liste zu trennen"),
        default=False,
        help_text=_("Beim Import als eine Zeile erkannt, die mehrere Einträge enthält."),
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)

    objects = StatementManager()

    class Meta:
        verbose_name = _("Aussage")
        verbose_name_plural = _("Aussagen")
        ordering = ["concept", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "number"], name="statement_unique_number_per_concept"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.text[:60]}"

    def natural_key(self):
        return (*self.concept.natural_key(), self.number)

    natural_key.dependencies = ["concept.concept"]

    @property
    def depth(self):
        return self.number.count(".")


class AbbreviationManager(models.Manager):
    def get_by_natural_key(self, concept_slug, short_form):
        return self.get(concept__slug=concept_slug, short_form=short_form)


class Abbreviation(models.Model):
    """An abbreviation the concept's people use ("BES" for Berufseinstiegsschule): the
    portal's search finds the one form when the other is asked for, and the yearly report
    lists them as its Abkürzungsverzeichnis. Kept by Koordination in the admin."""

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="abbreviations"
    )
    short_form = models.CharField(
        _("Abkürzung"),
        max_length=30,
        help_text=_(
            "Wie sie geschrieben wird, z. B. BES oder Kita; Groß- und Kleinschreibung "
            "spielt bei der Suche keine Rolle."
        ),
    )
    long_form = models.CharField(
        _("Langform"), max_length=200, help_text=_("z. B. Berufseinstiegsschule")
    )
    # Lost-update guard (concept.locking): every save through the admin claims it.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(verbose_name=_("Abkürzung (Verlauf)"))

    objects = AbbreviationManager()

    class Meta:
        verbose_name = _("Abkürzung")
        verbose_name_plural = _("Abkürzungen")
        ordering = ["concept", Lower("short_form")]
        constraints = [
            models.UniqueConstraint(
                "concept",
                Lower("short_form"),
                name="abbreviation_unique_short_form_per_concept",
                violation_error_message=_(
                    "Diese Abkürzung gibt es in diesem Konzept schon (auch in anderer "
                    "Groß- und Kleinschreibung)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.short_form} – {self.long_form}"

    def natural_key(self):
        return (*self.concept.natural_key(), self.short_form)

    natural_key.dependencies = ["concept.concept"]

    def clean(self):
        errors = {}
        self.short_form = self.short_form.strip()
        self.long_form = self.long_form.strip()
        if self.short_form and not re.search(r"[^\W_]", self.short_form):
            errors["short_form"] = _(
                "Die Abkürzung braucht mindestens einen Buchstaben oder eine Ziffer."
            )
        if self.long_form and not re.search(r"[^\W_]", self.long_form):
            errors["long_form"] = _(
                "Die Langform braucht mindestens einen Buchstaben oder eine Ziffer."
            )
        if (
            self.short_form
            and self.long_form
            and self.short_form.casefold() == self.long_form.casefold()
        ):
            errors["long_form"] = _("Die Langform ist dieselbe wie die Abkürzung.")
        if errors:
            raise ValidationError(errors)


class LegalPage(models.Model):
    """A page every German public body's website must have (Impressum, Datenschutzerklärung,
    Erklärung zur Barrierefreiheit), one of each per installation, kept by Administration.

    Plain text: paragraphs are separated by blank lines and rendered escaped, links made
    clickable — no HTML or Markdown, so nothing an editor types can break the page.
    """

    class Kind(models.TextChoices):
        IMPRINT = "imprint", _("Impressum")
        PRIVACY = "privacy", _("Datenschutzerklärung")
        ACCESSIBILITY = "accessibility", _("Erklärung zur Barrierefreiheit")

    kind = models.CharField(_("Seite"), max_length=20, choices=Kind.choices, unique=True)
    title = models.CharField(
        _("Überschrift"), max_length=200, blank=True, help_text=_("Leer: der Name der Seite.")
    )
    body = models.TextField(
        _("Text"),
        blank=True,
        help_text=_("Absätze durch eine Leerzeile trennen; Internetadressen werden verlinkt."),
    )
    contact_email = models.EmailField(_("Kontakt: E-Mail"), blank=True)
    contact_phone = models.CharField(_("Kontakt: Telefon"), max_length=60, blank=True)
    contact_address = models.TextField(_("Kontakt: Postanschrift"), blank=True)
    arbitration_text = models.TextField(
        _("Schlichtungsverfahren"),
        blank=True,
        help_text=_(
            "Nur für die Erklärung zur Barrierefreiheit: Hinweis auf die Schlichtungsstelle "
            "nach dem Behindertengleichstellungsrecht (des Bundes oder Landes)."
        ),
    )
    arbitration_url = models.URLField(_("Schlichtungsstelle: Link"), blank=True)
    updated_at = models.DateTimeField(_("Stand"), auto_now=True)
    # Lost-update guard (concept.locking): every save through the portal or the admin claims it.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)
    history = HistoricalRecords(verbose_name=_("Rechtliche Seite (Verlauf)"))

    class Meta:
        verbose_name = _("Rechtliche Seite")
        verbose_name_plural = _("Rechtliche Seiten")
        ordering = ["kind"]

    def __str__(self):
        return self.heading

    @property
    def heading(self):
        return self.title or self.get_kind_display()

    @property
    def has_content(self):
        return bool(self.body.strip())

    @property
    def has_contact(self):
        return bool(self.contact_email or self.contact_phone or self.contact_address.strip())


class UsedToken(models.Model):
    """A one-time token that has been used (concept.locking.claim_token): an import's
    confirmation runs once, however often and however fast it is sent."""

    key = models.CharField(_("Schlüssel (SHA-256)"), max_length=64, unique=True)
    purpose = models.CharField(_("Zweck"), max_length=40)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verwendet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(_("verwendet am"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("verwendetes Token")
        verbose_name_plural = _("verwendete Tokens")

    def __str__(self):
        return self.purpose


class MailLog(models.Model):
    """One e-mail to one recipient (concept.mail): what was sent to whom, when, and how
    its delivery went. The row is written before the mail is queued, so a mail that cannot
    be delivered stays visible here with its error; it is never lost silently."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        SENDING = "sending", _("wird gesendet")
        RETRYING = "retrying", _("neuer Versuch geplant")
        SENT = "sent", _("gesendet")
        FAILED = "failed", _("fehlgeschlagen")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_logs",
    )
    # "user:<id>" for a person, else the address in lower case: who the mail was meant for,
    # also after the person's account or address changed. The same (recipient, kind, key)
    # is sent once.
    recipient_key = models.CharField(_("Empfängerschlüssel"), max_length=260)
    address = models.CharField(_("E-Mail-Adresse"), max_length=254, blank=True)
    concept = models.ForeignKey(
        Concept,
        verbose_name=_("Konzept"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_logs",
    )
    kind = models.CharField(_("Art"), max_length=40)
    # Empty: no key, every such mail is sent.
    key = models.CharField(_("Schlüssel"), max_length=200, blank=True)
    subject = models.CharField(_("Betreff"), max_length=300)
    body_text = models.TextField(_("Text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    error = models.TextField(_("Fehler"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("letzter Versuch"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("nächster Versuch"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erneut gesendet von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("erneut gesendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("E-Mail")
        verbose_name_plural = _("E-Mails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_key", "kind", "key"],
                condition=~models.Q(key=""),
                name="mail_log_once_per_key",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="mail_log_status")]

    def __str__(self):
        return f"{self.subject} → {self.address}"


class ReminderSetting(models.Model):
    """How a person wants reminders: at once (the default, also without a row), collected
    once a week, or not at all (unless a concept makes them mandatory)."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("sofort (sobald etwas fällig wird)")
        WEEKLY = "weekly", _("einmal pro Woche gesammelt")
        OFF = "off", _("keine Erinnerungen")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="reminder_setting",
    )
    frequency = models.CharField(
        _("Erinnerungen"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Einstellung für Erinnerungen")
        verbose_name_plural = _("Einstellungen für Erinnerungen")

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class ReminderNotice(models.Model):
    """That a person was reminded of one thing in one state ("m12:2026-03-31:overdue"):
    an immediate reminder goes out only when something new is due, not every day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="reminder_notices",
    )
    topic = models.CharField(_("Anlass"), max_length=120)
    created_at = models.DateTimeField(_("erinnert am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Erinnerung")
        verbose_name_plural = _("Erinnerungen")
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="reminder_notice_once"),
        ]

    def __str__(self):
        return f"{self.user}: {self.topic}"
