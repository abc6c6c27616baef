"""The kinds of data that go out and come back in, and the resource of each."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from goals.resources import IndicatorValueResource
from measures.resources import MeasureResource, ProgressEntryResource
from networks.resources import NetworkResource, OrganisationResource


@dataclass(frozen=True)
class Kind:
    key: str  # in the command line
    label: object
    resource: type
    list_url: str  # where the rows are shown: "app:name"

    @property
    def slug(self) -> str:
        """In URLs and file names (the resource's)."""
        return self.resource.slug


KINDS = (
    Kind("measures", gettext_lazy("Maßnahmen"), MeasureResource, "measures:list"),
    Kind("progress", gettext_lazy("Sachstände"), ProgressEntryResource, "measures:list"),
    Kind(
        "indicator-values",
        gettext_lazy("Kennzahlwerte"),
        IndicatorValueResource,
        "goals:indicator_list",
    ),
    Kind(
        "organisations", gettext_lazy("Akteure"), OrganisationResource, "networks:organisation_list"
    ),
    Kind("networks", gettext_lazy("Netzwerke"), NetworkResource, "networks:list"),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}
KINDS_BY_SLUG = {kind.slug: kind for kind in KINDS}
