"""Reads for the coordination workspace and the committees page; each runs a fixed number of
queries."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext_lazy as _

from concept import formatting
from concept.history import HISTORY_LIMIT, HistoryReader, history_events
from concept.locking import person
from goals.models import Indicator, IndicatorValue
from measures.filters import ANSWERED, NOBODY, PENDING, WITHOUT_GOAL, list_url
from measures.models import (
    Campaign,
    Decision,
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    campaign_rows_answered,
)
from measures.services import TRACKED_FIELDS, field_changes
from networks.models import Meeting, Network


def lead_prefetch():
    return Prefetch(
        "involvements",
        queryset=MeasureOrganisation.objects.filter(role=MeasureOrganisation.Role.LEAD)
        .select_related("organisation")
        .order_by("organisation__name"),
        to_attr="leads",
    )


def measure_list_queryset(concept):
    return (
        Measure.objects.filter(concept=concept)
        .with_last_entry()
        .select_related("goal")
        .prefetch_related(lead_prefetch())
        .order_by("position", "number")
    )


def measure_entry_queryset():
    """Measures for recording a Sachstand: whether a committee decision names the measure
    (`has_decisions`) comes with the measure, so a form without any asks no more."""
    return Measure.objects.annotate(
        has_decisions=Exists(Decision.measures.through.objects.filter(measure=OuterRef("pk")))
    )


def measure_detail_queryset():
    return Measure.objects.prefetch_related(
        Prefetch("sub_goals", queryset=Measure.sub_goals.rel.model.objects.select_related("goal")),
        Prefetch(
            "involvements",
            queryset=MeasureOrganisation.objects.select_related("organisation").order_by(
                "role", "organisation__name"
            ),
        ),
        "networks",
        "responsible_users",
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("meeting__network").order_by("-meeting__date"),
        ),
    )


def entry_timeline(measure):
    """The measure's Sachstände for its timeline, newest first: withdrawn ones too (they
    are shown as such), each with its evidence and `.corrections`, the history records of
    its corrections (who, when, why), oldest first. At most three queries."""
    entries = list(
        ProgressEntry.with_withdrawn.filter(measure=measure)
        .select_related("author", "decision", "withdrawn_by")
        .prefetch_related("evidence")
    )
    by_pk = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.measure = measure
        entry.corrections = []
        entry.withdrawn_by_name = person(entry.withdrawn_by)
    # A correction moves a Sachstand's version on: one never corrected has none to show.
    corrected = [entry.pk for entry in entries if entry.version > 1]
    if corrected:
        corrections = (
            ProgressEntry.history.filter(
                id__in=corrected,
                history_type="~",
                history_change_reason__isnull=False,
                withdrawn_at__isnull=True,
            )
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        for record in corrections:
            record.user_name = person(record.history_user)
            by_pk[record.id].corrections.append(record)
    return entries


def sub_goal_indicators(measure):
    """Indicators of the measure's Teilziele with their values (two queries)."""
    return list(
        Indicator.objects.filter(sub_goal__in=[s.pk for s in measure.sub_goals.all()])
        .select_related("sub_goal__goal")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("reference_date"))
        )
    )


def measure_history(measure):
    """The newest HISTORY_LIMIT events of measure_history_page()."""
    return measure_history_page(measure)[0]


def _entry_event_kind(record):
    if record.history_type == "~" and record.withdrawn_at is not None:
        # Nothing changes a withdrawn Sachstand afterwards: its last record withdrew it.
        return "entry_withdrawn"
    return {"+": "entry_created", "~": "entry_changed", "-": "entry_deleted"}[record.history_type]


def measure_history_page(measure, before=None, limit=HISTORY_LIMIT):
    """The measure's and its Sachstände's changes in German, newest first: who, when, what
    (fields and assignments). Returns up to limit events older than before (an aware
    datetime; None = from now) and the cursor for the next older page (None at the end).
    At most three queries per page, whatever the length of the history."""
    records = measure.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    entry_records = (
        ProgressEntry.history.filter(measure_id=measure.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    if before is not None:
        records = records.filter(history_date__lt=before)
        entry_records = entry_records.filter(history_date__lt=before)
    # One record more than shown: the last one is only the "before" of its successor.
    records = list(records[: limit + 2])
    entry_records = list(entry_records[: limit + 1])
    reader = HistoryReader(Measure, records, TRACKED_FIELDS)
    events = history_events(
        records, lambda older, newer: field_changes(older, newer, reader), shown=limit + 1
    )
    for record in entry_records[:limit]:
        events.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": _entry_event_kind(record),
                "entry_date": record.date,
                "changes": [],
                "reason": record.history_change_reason or "",
                # Why the Ampel stands at gelb or rot, as recorded with the Sachstand.
                "deviation": record.deviation if record.history_type == "+" else "",
            }
        )
    # A source that filled its quota may hold more events older than its last one fetched:
    # show only what is certain, the rest comes with the next page.
    horizons = []
    if len(records) == limit + 2:
        horizons.append(records[limit].history_date)
    if len(entry_records) > limit:
        horizons.append(entry_records[limit - 1].history_date)
    horizon = max(horizons, default=None)
    if horizon is not None:
        events = [e for e in events if e["date"] >= horizon]
    events.sort(key=lambda e: e["date"], reverse=True)
    more = horizon is not None or len(events) > limit
    events = events[:limit]
    older = events[-1]["date"] if more and events else (horizon if more else None)
    return events, older


# --- Committees and their decisions (evaluation cycle) --------------------------------------


def decisions_with_measures(queryset):
    """Decisions with their meeting and committee; the affected measures in one more query."""
    return queryset.select_related("meeting__network").prefetch_related(
        Prefetch("measures", queryset=Measure.objects.order_by("position", "number"))
    )


def open_follow_ups(concept):
    """Decisions with a follow-up date not yet done, the earliest first."""
    return decisions_with_measures(
        Decision.objects.filter(
            meeting__network__concept=concept,
            follow_up_date__isnull=False,
            follow_up_done=False,
        )
    ).order_by("follow_up_date", "pk")


def committees(concept):
    """The committees of the concept, each with .meeting_list (newest first) and every
    meeting with .decision_list."""
    decisions = decisions_with_measures(Decision.objects.order_by("pk"))
    meetings = Meeting.objects.order_by("-date", "-pk").prefetch_related(
        Prefetch("decisions", queryset=decisions, to_attr="decision_list")
    )
    return list(
        Network.objects.filter(concept=concept, kind=Network.Kind.COMMITTEE)
        .order_by("position", "name")
        .prefetch_related(Prefetch("meetings", queryset=meetings, to_attr="meeting_list"))
    )


# --- Sachstandsabfragen (campaigns) ------------------------------------------------------------


@dataclass
class CampaignCount:
    """Answered and pending measures of one group (a goal, a person); the links lead to the
    measure list filtered to exactly those measures."""

    label: str
    answered: int = 0
    pending: int = 0
    answered_url: str = ""
    pending_url: str = ""

    @property
    def total(self):
        return self.answered + self.pending


@dataclass
class CampaignProgress:
    campaign: Campaign
    total: CampaignCount
    goals: list = field(default_factory=list)
    people: list = field(default_factory=list)
    # The campaign's measures nobody is responsible for: nobody was asked by mail.
    unassigned: CampaignCount | None = None

    @property
    def share(self) -> str:
        """The answered share as people read it: "75 %"."""
        return formatting.share(self.total.answered, self.total.total, 0) or formatting.percent(0)


def _count(counts, key, label, answered, urls):
    count = counts.get(key)
    if count is None:
        count = counts[key] = CampaignCount(label, **urls)
    if answered:
        count.answered += 1
    else:
        count.pending += 1


def _campaign_urls(concept, campaign, **params):
    """The measure list of the campaign's answered and pending measures, narrowed by params."""
    params = {"abfrage": campaign.pk, **params}
    return {
        "answered_url": list_url(concept, **params, abfrage_stand=ANSWERED),
        "pending_url": list_url(concept, **params, abfrage_stand=PENDING),
    }


def _goal_order(key):
    return (key == WITHOUT_GOAL, int(key) if key.isdigit() else 0)


def campaign_progress(concept, campaigns) -> list[CampaignProgress]:
    """Each campaign's answered and pending measures, in total, per goal (Koordination und
    Netzwerke last) and per responsible person (a measure with two counts for both), with
    links to the filtered measure list. Two queries, however many campaigns and measures."""
    campaigns = list(campaigns)
    if not campaigns:
        return []
    through = Campaign.measures.through
    rows = (
        through.objects.filter(campaign__in=campaigns)
        .annotate(answered=campaign_rows_answered())
        .values_list(
            "campaign_id", "measure_id", "measure__goal__number", "measure__goal__short_title",
            "answered",
        )
    )  # fmt: skip
    people = (
        Measure.responsible_users.through.objects.filter(
            measure_id__in=through.objects.filter(campaign__in=campaigns).values("measure_id")
        )
        .values_list(
            "measure_id", "user_id", "user__first_name", "user__last_name", "user__username"
        )
        .order_by("user__last_name", "user__first_name", "user__username")
    )  # fmt: skip
    responsible, names = {}, {}
    for measure_id, user_id, first, last, username in people:
        responsible.setdefault(measure_id, []).append(user_id)
        names[user_id] = f"{first} {last}".strip() or username
    found = {}
    for campaign in campaigns:
        campaign.concept = concept
        total = CampaignCount(str(_("alle")), **_campaign_urls(concept, campaign))
        found[campaign.pk] = (CampaignProgress(campaign, total), {}, {})
    for campaign_id, measure_id, goal_number, goal_title, answered in rows:
        item, goals, persons = found[campaign_id]
        campaign = item.campaign
        if answered:
            item.total.answered += 1
        else:
            item.total.pending += 1
        if goal_number is None:
            goal, label = WITHOUT_GOAL, str(_("Koordination und Netzwerke"))
        else:
            goal, label = str(goal_number), f"{goal_number} – {goal_title}"
        _count(goals, goal, label, answered, _campaign_urls(concept, campaign, ziel=goal))
        for user_id in responsible.get(measure_id) or [NOBODY]:
            label = names[user_id] if user_id != NOBODY else str(_("ohne Verantwortliche"))
            urls = _campaign_urls(concept, campaign, verantwortlich=user_id)
            _count(persons, user_id, label, answered, urls)
    result = []
    for item, goals, persons in found.values():
        item.goals = [goals[key] for key in sorted(goals, key=_goal_order)]
        item.unassigned = persons.pop(NOBODY, None)
        item.people = sorted(persons.values(), key=lambda c: (-c.pending, c.label.casefold()))
        result.append(item)
    return result


def pending_campaigns(concept, user, today):
    """The running campaigns (deadline not passed, not ended) that still wait for a
    Sachstand of one of the user's measures: {measure id: [campaign, …]}. One query."""
    rows = (
        Campaign.measures.through.objects.filter(
            campaign__concept=concept,
            campaign__deadline__gte=today,
            campaign__closed_at__isnull=True,
            measure__responsible_users=user,
        )
        .annotate(answered=campaign_rows_answered())
        .filter(answered=False)
        .select_related("campaign")
        .order_by("campaign__deadline", "campaign__pk")
    )
    pending = {}
    for row in rows:
        pending.setdefault(row.measure_id, []).append(row.campaign)
    return pending
