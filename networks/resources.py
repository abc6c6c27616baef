"""Data exchange of Akteure and Netzwerke (the machinery is concept.exchange).

Both are identified by their name (case does not matter, as in the models); new and changed
rows go through networks.services. A row from an older export is compared with the entry
as it was exported (its history): what others changed since stays, and only a cell both
changed is refused.
"""

from types import SimpleNamespace

from django.utils.translation import gettext_lazy

from concept.exchange.cells import (
    BooleanCell,
    ChoiceCell,
    IntegerCell,
    RefCell,
    RefListCell,
    TextCell,
)
from concept.exchange.columns import CHECK, KEY, Column
from concept.exchange.resource import ConceptResource
from concept.exchange.values import lookup_key
from networks import services
from networks.models import Network, Organisation

KIND_MESSAGE = gettext_lazy("„%(value)s“ ist keine gültige Art (erlaubt: %(allowed)s).")
UNKNOWN_ORGANISATION = gettext_lazy("„%(value)s“: diesen Akteur gibt es in diesem Konzept nicht.")


class NamedResource(ConceptResource):
    """Rows keyed by their name within the concept."""

    model = None

    def load(self):
        self.existing = {lookup_key(item.name): item for item in self.queryset()}

    def label(self, instance, values):
        return instance.name if instance is not None else values.get("name", "")

    def find(self, values, errors):
        name = values.get("name")
        if not name:
            return None, None, ""
        key = lookup_key(name)
        return self.existing.get(key), key, name

    #: columns read from a history record as they are (values_at)
    recorded_fields = ()

    def record_at(self, instance, version):
        """The newest history record of that version (None if not recorded)."""
        return (
            instance.history.filter(version=version)
            .order_by("-history_date", "-history_id")
            .first()
        )

    def values_at(self, instance, version):
        record = self.record_at(instance, version)
        return None if record is None else self.recorded_values(record)

    def recorded_values(self, record):
        return {name: getattr(record, name) for name in self.recorded_fields}

    def current(self, instance, values, attribute):
        """The file's value, or the stored one for columns the file leaves out."""
        if attribute in values:
            return values[attribute]
        column = self.column(attribute)
        return column.value(instance)


class OrganisationResource(NamedResource):
    name = Column(
        gettext_lazy("Name"), TextCell(max_length=200, required=True), attribute="name", role=KEY
    )
    short_name = Column(gettext_lazy("Kurzname"), TextCell(max_length=60), attribute="short_name")
    kind = Column(
        gettext_lazy("Art"),
        ChoiceCell(Organisation.Kind, message=KIND_MESSAGE, required=True),
        attribute="kind",
    )
    website = Column(gettext_lazy("Website"), TextCell(max_length=200), attribute="website")
    is_public = Column(gettext_lazy("öffentlich"), BooleanCell(), attribute="is_public")
    version = Column(
        gettext_lazy("Version"), IntegerCell(minimum=1), attribute="version", role=CHECK
    )

    required_columns = (gettext_lazy("Name"),)
    row_noun = gettext_lazy("Akteur")
    slug = "akteure"
    recorded_fields = ("short_name", "kind", "website", "is_public")

    class Meta:
        model = Organisation
        fields = ("name", "short_name", "kind", "website", "is_public", "version")
        export_order = fields
        import_order = fields

    def queryset(self):
        return Organisation.objects.filter(concept=self.concept).order_by("name")

    def export_queryset(self, params=None):
        return self.queryset()

    def apply(self, organisation, values, changes):
        if organisation is None:
            organisation = services.organisation_create(
                concept=self.concept,
                name=values["name"],
                short_name=values.get("short_name", ""),
                kind=values.get("kind", Organisation.Kind.OTHER),
                website=values.get("website", ""),
                is_public=values.get("is_public", False),
                user=self.user,
                reason=self.change_reason,
            )
            self.existing[lookup_key(organisation.name)] = organisation
            return organisation
        return services.organisation_update(
            organisation=organisation,
            expected_version=organisation.version,
            name=organisation.name,
            **{
                attribute: self.current(organisation, values, attribute)
                for attribute in ("short_name", "kind", "website", "is_public")
            },
            user=self.user,
            reason=self.change_reason,
        )


class NetworkResource(NamedResource):
    name = Column(
        gettext_lazy("Name"), TextCell(max_length=200, required=True), attribute="name", role=KEY
    )
    kind = Column(
        gettext_lazy("Art"),
        ChoiceCell(Network.Kind, message=KIND_MESSAGE, required=True),
        attribute="kind",
    )
    purpose = Column(gettext_lazy("Zweck"), TextCell(), attribute="purpose")
    coordinator = Column(
        gettext_lazy("Koordination"),
        RefCell(
            name=lambda o: o.name,
            message=UNKNOWN_ORGANISATION,
            hint=gettext_lazy("Name eines Akteurs"),
        ),
        attribute="coordinator",
        aliases=("koordinierender Akteur",),
    )
    members = Column(
        gettext_lazy("Mitglieder"),
        RefListCell(
            name=lambda o: o.name,
            message=UNKNOWN_ORGANISATION,
            hint=gettext_lazy("Namen von Akteuren"),
        ),
        attribute="members",
        getter=lambda n: sorted(n.members.all(), key=lambda o: o.name.casefold()),
    )
    meeting_cadence = Column(
        gettext_lazy("Sitzungsturnus"), TextCell(max_length=120), attribute="meeting_cadence"
    )
    platform_url = Column(
        gettext_lazy("Plattform"),
        TextCell(max_length=200),
        attribute="platform_url",
        aliases=("Plattform / Link", "Link"),
    )
    is_public = Column(gettext_lazy("öffentlich"), BooleanCell(), attribute="is_public")
    version = Column(
        gettext_lazy("Version"), IntegerCell(minimum=1), attribute="version", role=CHECK
    )

    required_columns = (gettext_lazy("Name"),)
    row_noun = gettext_lazy("Netzwerk")
    slug = "netzwerke"
    recorded_fields = ("kind", "purpose", "meeting_cadence", "platform_url", "is_public")

    class Meta:
        model = Network
        fields = (
            "name",
            "kind",
            "purpose",
            "coordinator",
            "members",
            "meeting_cadence",
            "platform_url",
            "is_public",
            "version",
        )
        export_order = fields
        import_order = fields

    def queryset(self):
        return (
            Network.objects.filter(concept=self.concept)
            .select_related("coordinator", "statement")
            .prefetch_related("members")
            .order_by("position", "name")
        )

    def export_queryset(self, params=None):
        return self.queryset()

    def load(self):
        super().load()
        organisations = {
            lookup_key(o.name): o for o in Organisation.objects.filter(concept=self.concept)
        }
        self.fields["coordinator"].widget.lookup = organisations
        self.fields["members"].widget.lookup = organisations

    def recorded_values(self, record):
        values = super().recorded_values(record)
        coordinator = record.coordinator_id
        values["coordinator"] = SimpleNamespace(pk=coordinator) if coordinator else None
        # The members as recorded with that record (simple-history's m2m_fields).
        recorded = Network.history.model.members.model.objects.filter(history=record)
        values["members"] = [
            SimpleNamespace(pk=pk) for pk in recorded.values_list("organisation_id", flat=True)
        ]
        return values

    def apply(self, network, values, changes):
        if network is None:
            network = services.network_create(
                concept=self.concept,
                name=values["name"],
                kind=values.get("kind", Network.Kind.NETWORK),
                purpose=values.get("purpose", ""),
                coordinator=values.get("coordinator"),
                members=values.get("members", ()),
                meeting_cadence=values.get("meeting_cadence", ""),
                platform_url=values.get("platform_url", ""),
                is_public=values.get("is_public", False),
                user=self.user,
                reason=self.change_reason,
            )
            self.existing[lookup_key(network.name)] = network
            return network
        return services.network_update(
            network=network,
            expected_version=network.version,
            name=network.name,
            statement=network.statement,
            **{
                attribute: self.current(network, values, attribute)
                for attribute in (
                    "kind",
                    "purpose",
                    "coordinator",
                    "members",
                    "meeting_cadence",
                    "platform_url",
                    "is_public",
                )
            },
            user=self.user,
            reason=self.change_reason,
        )
