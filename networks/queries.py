"""Reads for the networks and organisations directories; each runs a fixed number of queries.

The directories show which measures a network or organisation takes part in and the
decisions taken in a network's meetings. The measures app declares those relations
(Measure.networks, MeasureOrganisation, Decision.meeting); these reads follow them by the
names they give Network, Organisation and Meeting (`measures`, `involvements`,
`decisions`), in the models' own order, and import nothing from the apps above.
"""

from django.db.models import Prefetch

from concept.models import Statement
from networks.models import Meeting, Network, Organisation


def derived_goals(measures):
    """The strategic goals a network serves: those of its measures, each once, in order.
    (Network has no goals of its own; they follow from what it works on.)"""
    goals = {m.goal.pk: m.goal for m in measures if m.goal_id}
    return sorted(goals.values(), key=lambda goal: goal.number)


def network_queryset():
    return (
        Network.objects.select_related("coordinator", "statement")
        .prefetch_related(
            Prefetch("members", queryset=Organisation.objects.order_by("name")),
            "measures__goal",
        )
        .order_by("position", "name")
    )


def network_directory(concept):
    """All networks of the concept, each with .goals; committees (Gremien) listed apart."""
    networks, committees = [], []
    for network in network_queryset().filter(concept=concept):
        network.goals = derived_goals(network.measures.all())
        (committees if network.kind == Network.Kind.COMMITTEE else networks).append(network)
    return networks, committees


def network_detail_queryset():
    meetings = Meeting.objects.order_by("-date", "-pk").prefetch_related("decisions__measures")
    return network_queryset().prefetch_related(Prefetch("meetings", queryset=meetings))


def statements_to_split(concept):
    """Statements of the networks section that the import kept as one line of several names."""
    return list(
        Statement.objects.filter(
            concept=concept, needs_split=True, section=Statement.Section.COORDINATION
        ).order_by("position", "pk")
    )


def organisation_queryset():
    networks = Network.objects.order_by("position", "name")
    return Organisation.objects.prefetch_related(
        "involvements__measure",
        Prefetch("networks", queryset=networks),
        Prefetch("coordinated_networks", queryset=networks),
    ).order_by("name")


def with_roles(organisation):
    """Split an organisation's involvements into lead and partner measures, each in the
    concept's order of measures."""
    involvements = sorted(
        organisation.involvements.all(), key=lambda i: (i.measure.position, i.measure.number)
    )
    organisation.lead_measures = [i.measure for i in involvements if i.role == i.Role.LEAD]
    organisation.partner_measures = [i.measure for i in involvements if i.role == i.Role.PARTNER]
    return organisation


def organisation_directory(concept):
    return [with_roles(o) for o in organisation_queryset().filter(concept=concept)]
