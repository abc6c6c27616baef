import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept.models import Concept
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.services import measure_update, progress_entry_correct, progress_entry_withdraw
from tests.factories import CommitteeFactory, DecisionFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "dashboard": lambda c: c.get_absolute_url(),
    "goal": lambda c: reverse("reporting:goal_detail", kwargs={"slug": c.slug, "number": 1}),
    "mindmap": lambda c: reverse("reporting:mind_map", kwargs={"slug": c.slug}),
    "changes": lambda c: reverse("reporting:changes", kwargs={"slug": c.slug}) + "?seit=01.01.2020",
    # Every row of the period, not a page: the same queries all the same.
    "changes_print": lambda c: (
        reverse("reporting:changes_print", kwargs={"slug": c.slug}) + "?seit=01.01.2020"
    ),
    "changes_csv": lambda c: (
        reverse("reporting:changes_csv", kwargs={"slug": c.slug}) + "?seit=01.01.2020"
    ),
}
# Fixed ceilings, so a page that starts to query per row fails here even at scale 1.
CEILINGS = {
    "dashboard": 17,  # + the running Sachstandsabfragen (2 more while one runs)
    "goal": 11,
    "mindmap": 8,
    # Seven kinds of change, a count and a page each; the decisions' measures, the history
    # records before the master-data changes and the Sachstand corrections, and the goals
    # the master-data changes name.
    "changes": 23,
    "changes_print": 16,
    "changes_csv": 15,
}


def add_evaluation_cycle(concept, scale):
    """Committees with meetings and decisions, status, Ampel and master-data changes in the
    history, and corrected and withdrawn Sachstände, growing with the scale like the rest of
    the generated data."""
    measures = list(Measure.objects.filter(concept=concept).order_by("pk"))
    # Sachstände with a newer one: withdrawing them leaves the measures' state as it is.
    newer = ProgressEntry.objects.filter(measure=OuterRef("measure"), date__gt=OuterRef("date"))
    entries = list(
        ProgressEntry.objects.filter(Exists(newer), measure__concept=concept).order_by("pk")
    )
    for entry in entries[: 2 * scale]:
        progress_entry_correct(
            entry=entry,
            user=None,
            expected_version=entry.version,
            reason="Tippfehler",
            text=f"{entry.text} (korrigiert)",
            participants=(entry.participants or 0) + 1,
        )
    for entry in entries[2 * scale : 3 * scale]:
        progress_entry_withdraw(
            entry=entry, user=None, expected_version=entry.version, reason="Doppelt erfasst"
        )
    for i in range(2):
        committee = CommitteeFactory(concept=concept, name=f"Gremium {i}")
        for k in range(3 * scale):
            meeting = MeetingFactory(
                network=committee, date=dt.date(2025, 1, 1) + dt.timedelta(days=k), topic="T"
            )
            DecisionFactory(
                meeting=meeting,
                text="Beschluss",
                follow_up_date=dt.date(2026, 1, 1),
                measures=measures[k : k + 3],
            )
    for measure in measures[: 4 * scale]:
        measure.status = Status.DEFERRED
        measure.save()
    for measure in measures[: 3 * scale]:
        red = measure.traffic_light == TrafficLight.RED
        measure.traffic_light = TrafficLight.YELLOW if red else TrafficLight.RED
        measure.save()
        measure_update(
            measure=measure,
            user=None,
            expected_version=measure.version,
            data={"title": f"{measure.title} (neu)", "goal": None},
            sub_goals=[],
            networks=[committee],
            reason="Beschluss der Steuerungsgruppe",
        )


def test_dashboard_pages_run_the_same_queries_at_scale_1_and_10(client):
    user = UserFactory(is_superuser=True)
    for scale in (1, 10):
        call_command("generate_demo_data", scale=scale, verbosity=0)
        add_evaluation_cycle(Concept.objects.get(slug=f"demo-skala-{scale}"), scale)
    client.force_login(user)
    counts = {}
    for scale in (1, 10):
        concept = Concept.objects.get(slug=f"demo-skala-{scale}")
        for name, make_url in PAGES.items():
            target = make_url(concept)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            assert response.status_code == 200, target
            counts[name, scale] = len(queries)
        # The pages really show the grown data.
        data = client.get(concept.get_absolute_url()).context["data"]
        assert data.overall.total == 37 * scale
        changes = client.get(PAGES["changes"](concept)).context["changes"]
        assert len(changes.rows("status")) == 4 * scale
        assert len(changes.rows("lights")) == 3 * scale
        assert len(changes.rows("master")) == 3 * scale
        assert all(
            {"Titel", "Netzwerke"} <= {change.label for change in row.changes}
            for row in changes.rows("master")
        )
        corrections = changes.rows("corrections")
        assert len(corrections) == 3 * scale
        assert sum(row.withdrawn for row in corrections) == scale
        assert all(
            {"Sachstand", "Teilnehmende"} == {change.label for change in row.changes}
            for row in corrections
            if not row.withdrawn
        )
    for name in PAGES:
        assert counts[name, 1] == counts[name, 10], (name, counts)
        assert counts[name, 10] <= CEILINGS[name], (name, counts)
