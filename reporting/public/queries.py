"""What the public transparency pages show, read as plain values.

The public pages never receive model instances. Each read selects only the columns that may
be published, from rows flagged öffentlich, into small frozen dataclasses — an internal
field (Sachstand texts, reasons, descriptions, minutes, people) cannot reach a public
template, because it is never loaded. A draft concept is not public at all.

Every page also gets a fingerprint of exactly that data: its ETag. It changes whenever
something visible changes (including deletions and goal texts, which carry no timestamp),
and costs no more than the reads the page needs anyway.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.db.models.functions import Length
from django.http import Http404
from django.utils.translation import gettext as _

from concept.models import Concept, LegalPage
from goals.models import StrategicGoal, SubGoal
from measures.models import Measure, Status, TrafficLight
from networks.models import Network, Organisation
from reporting.models import AnnualReport

PUBLIC_STATUSES = [Concept.Status.ADOPTED, Concept.Status.ARCHIVED]


def fingerprint(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PublicConcept:
    slug: str
    title: str
    district: str
    status_label: str
    adopted_on: dt.date | None
    version_label: str


CONCEPT_FIELDS = ["slug", "title", "district", "status", "adopted_on", "version_label"]


def _concept(row):
    return PublicConcept(
        slug=row["slug"],
        title=row["title"],
        district=row["district"],
        status_label=str(Concept.Status(row["status"]).label),
        adopted_on=row["adopted_on"],
        version_label=row["version_label"],
    )


def public_concept(slug):
    """(pk, PublicConcept) of an adopted or archived concept; 404 for drafts and unknowns."""
    row = (
        Concept.objects.filter(slug=slug, status__in=PUBLIC_STATUSES)
        .values("pk", *CONCEPT_FIELDS)
        .first()
    )
    if row is None:
        raise Http404(_("Dieses Integrationskonzept ist nicht öffentlich."))
    return row["pk"], _concept(row)


@dataclass(frozen=True)
class ConceptIndex:
    concepts: tuple

    @property
    def etag(self):
        return fingerprint(self)


def concept_index():
    rows = (
        Concept.objects.filter(status__in=PUBLIC_STATUSES)
        .order_by("district", "title")
        .values(*CONCEPT_FIELDS)
    )
    return ConceptIndex(tuple(_concept(row) for row in rows))


# --- The concept: goals, Teilziele, measures ------------------------------------------------


@dataclass(frozen=True)
class PublicMeasure:
    label: str
    title: str
    status: str
    status_label: str
    traffic_light: str
    traffic_light_label: str
    last_update: dt.date | None


@dataclass(frozen=True)
class PublicSubGoal:
    number: int
    text: str
    label: str  # "2.1": Teilziel 1 of goal 2, numbered as everywhere else in the portal


@dataclass(frozen=True)
class PublicGoal:
    number: int
    title: str
    short_title: str
    aim: str
    sub_goals: tuple
    measures: tuple


@dataclass(frozen=True)
class ConceptPage:
    concept: PublicConcept
    goals: tuple
    coordination_measures: tuple

    @property
    def measures(self):
        return [m for g in self.goals for m in g.measures] + list(self.coordination_measures)

    @property
    def last_update(self):
        """Datenstand: the newest Sachstand date of any published measure."""
        dates = [m.last_update for m in self.measures if m.last_update]
        return max(dates, default=None)

    @property
    def etag(self):
        return fingerprint(self)


def concept_page(slug) -> ConceptPage:
    """Four queries, whatever the size of the concept."""
    concept_pk, concept = public_concept(slug)
    sub_goals = {}
    for row in (
        SubGoal.objects.filter(goal__concept_id=concept_pk)
        .order_by("number")
        .values("goal_id", "goal__number", "number", "text")
    ):
        sub_goals.setdefault(row["goal_id"], []).append(
            PublicSubGoal(row["number"], row["text"], f"{row['goal__number']}.{row['number']}")
        )
    # Labels resolved once, not per row.
    status_labels = {value: str(label) for value, label in Status.choices}
    light_labels = {value: str(label) for value, label in TrafficLight.choices}
    measures = {}
    for row in (
        Measure.objects.filter(concept_id=concept_pk, is_public=True)
        # A join does not pass through the entries' manager: withdrawn ones left out here.
        .annotate(last_update=Max("entries__date", filter=Q(entries__withdrawn_at__isnull=True)))
        .order_by("position", "number")
        .values("goal_id", "code", "number", "title", "status", "traffic_light", "last_update")
    ):
        measures.setdefault(row["goal_id"], []).append(
            PublicMeasure(
                label=row["code"] or row["number"],
                title=row["title"],
                status=row["status"],
                status_label=status_labels.get(row["status"], row["status"]),
                traffic_light=row["traffic_light"],
                traffic_light_label=light_labels.get(row["traffic_light"], row["traffic_light"]),
                last_update=row["last_update"],
            )
        )
    goals = tuple(
        PublicGoal(
            number=row["number"],
            title=row["title"],
            short_title=row["short_title"],
            aim=row["aim"],
            sub_goals=tuple(sub_goals.get(row["pk"], ())),
            measures=tuple(measures.get(row["pk"], ())),
        )
        for row in StrategicGoal.objects.filter(concept_id=concept_pk)
        .order_by("number")
        .values("pk", "number", "title", "short_title", "aim")
    )
    return ConceptPage(concept, goals, tuple(measures.get(None, ())))


# --- Networks directory ---------------------------------------------------------------------


@dataclass(frozen=True)
class PublicOrganisation:
    name: str
    website: str


@dataclass(frozen=True)
class PublicMeasureLink:
    label: str
    title: str


@dataclass(frozen=True)
class PublicNetwork:
    key: str
    name: str
    kind_label: str
    purpose: str
    meeting_cadence: str
    platform_url: str
    coordinator: PublicOrganisation | None
    members: tuple
    measures: tuple
    goals: tuple  # (number, short_title) of the measures' strategic goals


@dataclass(frozen=True)
class PublicActor:
    """An organisation flagged öffentlich, with the public networks it coordinates or joins."""

    key: str
    name: str
    kind_label: str
    website: str
    networks: tuple  # (key, name) of public networks on the same page


@dataclass(frozen=True)
class NetworksPage:
    concept: PublicConcept
    networks: tuple
    organisations: tuple = ()

    @property
    def etag(self):
        return fingerprint(self)


def networks_page(slug) -> NetworksPage:
    """Networks flagged öffentlich with their public organisations and public measures, and
    the organisations flagged öffentlich; meetings, minutes, decisions and who is responsible
    stay internal. Five queries."""
    concept_pk, concept = public_concept(slug)
    rows = list(
        Network.objects.filter(concept_id=concept_pk, is_public=True)
        .order_by("position", "name")
        .values(
            "pk",
            "name",
            "kind",
            "purpose",
            "meeting_cadence",
            "platform_url",
            "coordinator_id",
            "coordinator__name",
            "coordinator__website",
            "coordinator__is_public",
        )
    )
    ids = [row["pk"] for row in rows]
    members, taking_part = _public_members(ids)
    measures, goals = _public_measures(ids)
    kind_labels = {value: str(label) for value, label in Network.Kind.choices}
    networks = tuple(
        PublicNetwork(
            key=f"netzwerk-{row['pk']}",
            name=row["name"],
            kind_label=kind_labels.get(row["kind"], row["kind"]),
            purpose=row["purpose"],
            meeting_cadence=row["meeting_cadence"],
            platform_url=row["platform_url"],
            coordinator=(
                PublicOrganisation(row["coordinator__name"], row["coordinator__website"])
                if row["coordinator__is_public"]
                else None
            ),
            members=tuple(members.get(row["pk"], ())),
            measures=tuple(measures.get(row["pk"], ())),
            goals=tuple(sorted(goals.get(row["pk"], {}).items())),
        )
        for row in rows
    )
    for row in rows:
        if row["coordinator_id"]:
            taking_part.setdefault(row["coordinator_id"], []).append(row["pk"])
    return NetworksPage(concept, networks, _public_actors(concept_pk, rows, taking_part))


def _public_members(network_ids):
    """The public member organisations per network, and the networks per organisation."""
    members, taking_part = {}, {}
    for row in (
        Network.members.through.objects.filter(
            network_id__in=network_ids, organisation__is_public=True
        )
        .order_by("organisation__name")
        .values("network_id", "organisation_id", "organisation__name", "organisation__website")
    ):
        members.setdefault(row["network_id"], []).append(
            PublicOrganisation(row["organisation__name"], row["organisation__website"])
        )
        taking_part.setdefault(row["organisation_id"], []).append(row["network_id"])
    return members, taking_part


def _public_measures(network_ids):
    """The public measures per network, and the goals they serve (number → short title)."""
    measures, goals = {}, {}
    for row in (
        Measure.networks.through.objects.filter(network_id__in=network_ids, measure__is_public=True)
        .order_by("measure__position", "measure__number")
        .values(
            "network_id",
            "measure__code",
            "measure__number",
            "measure__title",
            "measure__goal__number",
            "measure__goal__short_title",
        )
    ):
        label = row["measure__code"] or row["measure__number"]
        measures.setdefault(row["network_id"], []).append(
            PublicMeasureLink(label, row["measure__title"])
        )
        if row["measure__goal__number"] is not None:
            goals.setdefault(row["network_id"], {})[row["measure__goal__number"]] = row[
                "measure__goal__short_title"
            ]
    return measures, goals


def _public_actors(concept_pk, network_rows, taking_part):
    """The organisations flagged öffentlich, each with the public networks it takes part in."""
    names = {row["pk"]: row["name"] for row in network_rows}
    order = {row["pk"]: i for i, row in enumerate(network_rows)}
    kind_labels = {value: str(label) for value, label in Organisation.Kind.choices}
    return tuple(
        PublicActor(
            key=f"akteur-{row['pk']}",
            name=row["name"],
            kind_label=kind_labels.get(row["kind"], row["kind"]),
            website=row["website"],
            networks=tuple(
                (f"netzwerk-{pk}", names[pk])
                for pk in sorted(set(taking_part.get(row["pk"], ())), key=order.get)
            ),
        )
        for row in Organisation.objects.filter(concept_id=concept_pk, is_public=True)
        .order_by("name")
        .values("pk", "name", "kind", "website")
    )


# --- Published yearly reports ---------------------------------------------------------------
# Final is not public: a report appears here only once it is published (published_at set),
# and disappears again when the publication is withdrawn.


def _published_reports(**filters):
    return AnnualReport.objects.filter(
        status=AnnualReport.Status.FINAL, published_at__isnull=False, **filters
    )


@dataclass(frozen=True)
class PublicReport:
    year: int
    version: int
    published_at: dt.datetime
    sha256: str
    size: int
    replaced_by: int | None = None  # version of the published correction that replaces it


@dataclass(frozen=True)
class ReportsPage:
    concept: PublicConcept
    reports: tuple = field(default_factory=tuple)

    @property
    def etag(self):
        return fingerprint(self)


def reports_page(slug) -> ReportsPage:
    """The published reports (never drafts or unpublished final ones), newest first; the
    PDF bytes are not loaded."""
    concept_pk, concept = public_concept(slug)
    rows = list(
        _published_reports(concept_id=concept_pk)
        .annotate(size=Length("pdf"))
        .order_by("-year", "-version")
        .values("pk", "year", "version", "published_at", "pdf_sha256", "size", "supersedes_id")
    )
    replaced_by = {row["supersedes_id"]: row["version"] for row in rows if row["supersedes_id"]}
    reports = tuple(
        PublicReport(
            year=row["year"],
            version=row["version"],
            published_at=row["published_at"],
            sha256=row["pdf_sha256"],
            size=row["size"] or 0,
            replaced_by=replaced_by.get(row["pk"]),
        )
        for row in rows
    )
    return ReportsPage(concept, reports)


def _published_report(slug, year, version):
    return _published_reports(
        concept__slug=slug, concept__status__in=PUBLIC_STATUSES, year=year, version=version
    )


def report_pdf(slug, year, version):
    """(bytes, sha256) of a published report of a public concept; 404 otherwise."""
    row = _published_report(slug, year, version).values_list("pdf", "pdf_sha256").first()
    if row is None or row[0] is None:
        raise Http404(_("Diesen Bericht gibt es nicht oder er ist nicht veröffentlicht."))
    return bytes(row[0]), row[1]


def report_etag(slug, year, version):
    """The stored SHA-256 of a published report (a frozen report's bytes never change) and
    when it was published: withdrawn and published again, it gets a new ETag."""
    row = _published_report(slug, year, version).values_list("pdf_sha256", "published_at").first()
    if row is None:
        return None
    sha256, published_at = row
    return f"{sha256}-{round(published_at.timestamp() * 1_000_000)}"


# --- Legal pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalPageView:
    kind: str
    heading: str
    body: str
    contact_email: str
    contact_phone: str
    contact_address: str
    arbitration_text: str
    arbitration_url: str
    updated_at: dt.datetime | None

    @property
    def has_content(self):
        return bool(self.body.strip())

    @property
    def has_contact(self):
        return bool(self.contact_email or self.contact_phone or self.contact_address.strip())

    @property
    def has_arbitration(self):
        return bool(self.arbitration_text.strip() or self.arbitration_url)

    @property
    def is_empty(self):
        """Nothing kept yet: the page shows one placeholder, not one per missing part."""
        return not (self.has_content or self.has_contact or self.has_arbitration)

    @property
    def is_accessibility(self):
        return self.kind == LegalPage.Kind.ACCESSIBILITY

    @property
    def etag(self):
        return fingerprint(self)


def legal_page(kind) -> LegalPageView:
    """The page's content, or an empty one (shown with a placeholder) if none is kept yet."""
    page = LegalPage.objects.filter(kind=kind).first() or LegalPage(kind=kind)
    return LegalPageView(
        kind=kind,
        heading=page.heading,
        body=page.body,
        contact_email=page.contact_email,
        contact_phone=page.contact_phone,
        contact_address=page.contact_address,
        arbitration_text=page.arbitration_text,
        arbitration_url=page.arbitration_url,
        updated_at=page.updated_at,
    )
