from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from concept import formatting
from concept.history import HistoricalRecords
from concept.models import Concept, Statement


def _name_taken(model, obj):
    """Another row of the concept has this name, ignoring case ("KMN-Treffen" = "KMN-treffen")."""
    others = model.objects.filter(concept_id=obj.concept_id, name__iexact=obj.name.strip())
    return others.exclude(pk=obj.pk).exists()


class OrganisationManager(models.Manager):
    def get_by_natural_key(self, concept_slug, name):
        return self.get(concept__slug=concept_slug, name=name)


class Organisation(models.Model):
    """An Akteur: department, town, agency, school, association …"""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("Landkreisverwaltung")
        MUNICIPALITY = "municipality", _("Stadt / Gemeinde")
        EMPLOYMENT = "employment", _("Arbeitsverwaltung")
        EDUCATION = "education", _("Bildungseinrichtung")
        CHILDCARE = "childcare", _("Kindertagesbetreuung")
        WELFARE = "welfare", _("Wohlfahrtsverband")
        ASSOCIATION = "association", _("Verein / Initiative")
        OTHER = "other", _("Sonstige")

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("Name"), max_length=200)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("Website"), blank=True)
    is_public = models.BooleanField(_("öffentlich"), default=False)
    # Lost-update guard (concept.locking): every write claims it; a stale form is refused.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    objects = OrganisationManager()
    history = HistoricalRecords(verbose_name=_("Akteur (Verlauf)"))

    class Meta:
        verbose_name = _("Akteur")
        verbose_name_plural = _("Akteure")
        ordering = ["concept", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "name"], name="organisation_unique_name_per_concept"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.concept.natural_key(), self.name)

    natural_key.dependencies = ["concept.concept"]

    def clean(self):
        if self.concept_id and self.name and _name_taken(Organisation, self):
            raise ValidationError(
                {"name": _("Einen Akteur mit diesem Namen gibt es in diesem Konzept schon.")}
            )


class NetworkManager(models.Manager):
    def get_by_natural_key(self, concept_slug, name):
        return self.get(concept__slug=concept_slug, name=name)


class Network(models.Model):
    """A Netzwerk of local actors; committees of the evaluation cycle are kind GREMIUM."""

    class Kind(models.TextChoices):
        NETWORK = "network", _("Netzwerk")
        WORKING_GROUP = "working_group", _("Arbeitskreis")
        COORDINATION = "coordination", _("Koordinierungsstelle")
        SERVICE = "service", _("Dienst / Programm")
        COMMITTEE = "committee", _("Gremium")
        PLATFORM = "platform", _("Austauschplattform")

    concept = models.ForeignKey(
        Concept, verbose_name=_("Konzept"), on_delete=models.CASCADE, related_name="networks"
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)
    purpose = models.TextField(_("Zweck"), blank=True)
    coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("koordinierender Akteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_networks",
    )
    members = models.ManyToManyField(
        Organisation, verbose_name=_("Mitglieder"), related_name="networks", blank=True
    )
    meeting_cadence = models.CharField(_("Sitzungsturnus"), max_length=120, blank=True)
    platform_url = models.URLField(_("Plattform / Link"), blank=True)
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("Aussage im Konzept"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="networks",
        help_text=_("Die Stelle im Konzept, die das Netzwerk nennt."),
    )
    is_public = models.BooleanField(_("öffentlich"), default=False)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    objects = NetworkManager()
    # Members are part of the history, so a changed list shows up like any other field.
    history = HistoricalRecords(
        verbose_name=_("Netzwerk (Verlauf)"), excluded_fields=["position"], m2m_fields=[members]
    )

    class Meta:
        verbose_name = _("Netzwerk")
        verbose_name_plural = _("Netzwerke")
        ordering = ["concept", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "name"], name="network_unique_name_per_concept"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.concept.natural_key(), self.name)

    natural_key.dependencies = ["concept.concept", "networks.organisation", "concept.statement"]

    def clean(self):
        errors = {}
        if self.concept_id and self.name and _name_taken(Network, self):
            errors["name"] = _("Ein Netzwerk mit diesem Namen gibt es in diesem Konzept schon.")
        if self.coordinator_id and self.coordinator.concept_id != self.concept_id:
            errors["coordinator"] = _("Der Akteur gehört zu einem anderen Konzept.")
        if self.statement_id and self.statement.concept_id != self.concept_id:
            errors["statement"] = _("Die Aussage gehört zu einem anderen Konzept.")
        if errors:
            raise ValidationError(errors)


class MeetingQuerySet(models.QuerySet):
    def of_committees(self):
        return self.filter(network__kind=Network.Kind.COMMITTEE)


class Meeting(models.Model):
    """A meeting of a network; for committees (Steuerungsgruppe, HVB-Konferenz) the
    sessions of the evaluation cycle, where decisions are taken."""

    network = models.ForeignKey(
        Network,
        verbose_name=_("Netzwerk / Gremium"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    date = models.DateField(_("Datum"))
    topic = models.CharField(_("Thema"), max_length=300)
    presented = models.CharField(
        _("vorgestellt"),
        max_length=300,
        blank=True,
        help_text=_("Was vorgestellt wurde, z. B. Dashboard, Jahresbericht 2025."),
    )
    minutes = models.TextField(_("Kurzprotokoll"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    # Lost-update guard (concept.locking): every change claims it.
    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("Sitzung (Verlauf)"))

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["-date", "pk"]

    def __str__(self):
        return f"{self.network} – {formatting.date(self.date)}"
