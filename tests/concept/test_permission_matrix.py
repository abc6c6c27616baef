"""Every URL of a concept × every role × own and another concept: one table, checked whole.

Anonymous people are sent to the login; members of another concept are not even told the
concept exists (404); members whose role does not allow an action get 403; the rest get
through. A URL added without a row here fails `test_every_concept_url_is_in_the_matrix`.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from django.utils import timezone

from concept import roles
from concept.models import Statement
from goals.models import Indicator
from measures.services import campaign_open
from networks.models import Network
from reporting.models import ReportRender
from tests.factories import (
    AnnualReportFactory,
    ConceptFactory,
    DecisionFactory,
    EvidenceFactory,
    MeasureFactory,
    MeetingFactory,
    ProgressEntryFactory,
    ReportRenderFactory,
    StatementFactory,
    UserFactory,
    add_member,
    one_of_everything,
)

pytestmark = pytest.mark.django_db

READ, OWNER, EDIT = "read", "owner", "edit"
PDF = b"%PDF-1.7 matrix"

# name, kwargs (besides slug; filled from the fixture below), method, who may
MATRIX = [
    ("concept:detail", {}, "get", READ),
    ("concept:structure", {}, "get", READ),
    ("concept:outline_export", {}, "get", READ),
    ("reporting:goal_detail", {"number": 1}, "get", READ),
    ("reporting:mind_map", {}, "get", READ),
    ("reporting:changes", {}, "get", READ),
    ("reporting:changes_csv", {}, "get", READ),
    ("reporting:changes_print", {}, "get", READ),
    ("measures:list", {}, "get", READ),
    ("measures:mine", {}, "get", READ),
    ("measures:grid", {"group": "1"}, "get", EDIT),
    ("measures:grid", {"group": "1"}, "post", EDIT),
    ("measures:detail", {"key": "S4"}, "get", READ),
    ("measures:history", {"key": "S4"}, "get", READ),
    ("measures:entry_list", {"key": "S4"}, "get", READ),
    # The Sachstand is the Koordination's: Maßnahmenverantwortliche correct only their own.
    ("measures:entry_correct", {"key": "S4", "pk": "entry"}, "get", EDIT),
    ("measures:entry_withdraw", {"key": "S4", "pk": "entry"}, "get", EDIT),
    ("measures:state_edit", {"key": "S4"}, "post", OWNER),
    ("measures:entry_create", {"key": "S4"}, "get", OWNER),
    ("measures:no_change", {"key": "S4"}, "post", OWNER),
    ("measures:edit", {"key": "S4"}, "get", OWNER),
    ("measures:evidence_download", {"key": "S4", "pk": "evidence"}, "get", READ),
    ("measures:committees", {}, "get", READ),
    ("measures:campaign_list", {}, "get", READ),
    ("measures:campaign_create", {}, "get", EDIT),
    ("measures:campaign_detail", {"pk": "campaign"}, "get", READ),
    ("measures:campaign_remind", {"pk": "campaign"}, "post", EDIT),
    ("measures:campaign_close", {"pk": "campaign"}, "get", EDIT),
    ("measures:decision_create", {"meeting_pk": "committee_meeting"}, "get", EDIT),
    ("measures:decision_edit", {"pk": "decision"}, "get", EDIT),
    ("goals:indicator_list", {}, "get", READ),
    ("goals:indicator_detail", {"pk": "indicator"}, "get", READ),
    ("goals:indicator_value_edit", {"pk": "indicator", "value_pk": "value"}, "get", EDIT),
    ("goals:statistics", {}, "get", EDIT),
    ("goals:statistics_preview", {}, "post", EDIT),
    ("goals:statistics_confirm", {}, "post", EDIT),
    ("exchange:overview", {}, "get", READ),
    ("exchange:export", {"kind": "massnahmen", "fmt": "csv"}, "get", READ),
    ("exchange:import", {"kind": "massnahmen"}, "get", EDIT),
    ("exchange:import_confirm", {"kind": "massnahmen"}, "post", EDIT),
    ("reports:list", {}, "get", READ),
    ("reports:detail", {"pk": "draft"}, "get", READ),
    ("reports:edit", {"pk": "draft"}, "get", EDIT),
    ("reports:delete", {"pk": "draft"}, "get", EDIT),
    ("reports:render_status", {"job": "render"}, "get", EDIT),
    ("reports:render_download", {"job": "render"}, "get", EDIT),
    # A preview request may replace older renders: after the rows that read them.
    ("reports:preview", {"pk": "draft"}, "post", EDIT),
    ("reports:finalise", {"pk": "draft"}, "post", EDIT),
    ("reports:publish", {"pk": "final"}, "post", EDIT),
    ("reports:withdraw", {"pk": "final"}, "post", EDIT),
    ("reports:correct", {"pk": "final"}, "post", EDIT),
    ("reports:download", {"pk": "final"}, "get", READ),
    ("networks:list", {}, "get", READ),
    ("networks:create", {}, "get", EDIT),
    ("networks:statement_split", {"pk": "statement"}, "get", EDIT),
    ("networks:detail", {"pk": "network"}, "get", READ),
    ("networks:edit", {"pk": "network"}, "get", EDIT),
    ("networks:meeting_create", {"pk": "network"}, "get", EDIT),
    ("networks:meeting_edit", {"pk": "network", "meeting_pk": "meeting"}, "get", EDIT),
    ("networks:committee_meeting_create", {}, "get", EDIT),
    ("networks:committee_meeting_edit", {"meeting_pk": "committee_meeting"}, "get", EDIT),
    ("networks:organisation_list", {}, "get", READ),
    ("networks:organisation_create", {}, "get", EDIT),
    ("networks:organisation_detail", {"pk": "organisation"}, "get", READ),
    ("networks:organisation_edit", {"pk": "organisation"}, "get", EDIT),
    ("search:results", {}, "get", READ),
]

ALLOWED = {
    roles.ADMINISTRATION: {READ, OWNER, EDIT},
    roles.COORDINATION: {READ, OWNER, EDIT},
    roles.MEASURE_OWNERS: {READ, OWNER},  # OWNER: S4 is theirs
    roles.STEERING_GROUP: {READ},
}


@pytest.fixture
def concept(db):
    concept = one_of_everything()
    MeasureFactory(concept=concept, goal=concept.goals.get(number=1), code="S4")
    return concept


@pytest.fixture
def objects(concept, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    author = add_member(concept, UserFactory(), roles.COORDINATION)
    entry = ProgressEntryFactory(
        measure=concept.measures.get(code="S4"),
        author=author,
        date=dt.date(2025, 3, 1),
        progress=20,
    )
    evidence = EvidenceFactory(
        entry=entry, label="Protokoll", upload=SimpleUploadedFile("liste.txt", b"Teilnehmerliste")
    )
    committee = Network.objects.get(concept=concept, kind=Network.Kind.COMMITTEE)
    network = Network.objects.filter(concept=concept).exclude(pk=committee.pk).get()
    committee_meeting = MeetingFactory(network=committee, date=dt.date(2025, 2, 1), topic="Sitzung")
    meeting = MeetingFactory(network=network, date=dt.date(2025, 2, 2), topic="Treffen")
    decision = DecisionFactory(meeting=committee_meeting, text="B", created_by=author)
    indicator = Indicator.objects.filter(concept=concept, values__isnull=False).first()
    draft = concept.reports.get(year=2025)
    final = AnnualReportFactory(concept=concept, year=2024, final=True, pdf=PDF)
    render = ReportRenderFactory(
        report=draft,
        kind=ReportRender.Kind.PREVIEW,
        state=ReportRender.State.DONE,
        pdf=PDF,
        requested_by=author,
    )
    today = timezone.localdate()
    campaign, _sent = campaign_open(
        concept=concept, user=author, reference_date=today, deadline=today
    )
    return {
        "slug": concept.slug,
        "campaign": campaign.pk,
        "entry": entry.pk,
        "evidence": evidence.pk,
        "committee_meeting": committee_meeting.pk,
        "meeting": meeting.pk,
        "decision": decision.pk,
        "network": network.pk,
        "organisation": concept.organisations.first().pk,
        "indicator": indicator.pk,
        "value": indicator.values.first().pk,
        "draft": draft.pk,
        "final": final.pk,
        "render": render.pk,
        "statement": StatementFactory(
            concept=concept,
            section=Statement.Section.COORDINATION,
            number="3.9",
            text="Arbeitskreis A, Arbeitskreis B",
            needs_split=True,
        ).pk,
    }


def target(name, kwargs, objects):
    filled = {key: objects.get(value, value) for key, value in kwargs.items()}
    return reverse(name, kwargs={"slug": objects["slug"], **filled})


def request(client, method, url):
    return client.get(url) if method == "get" else client.post(url, {})


def test_every_concept_url_is_in_the_matrix():
    def names(patterns, namespace=None):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern.url_patterns, pattern.namespace or namespace)
            elif "slug" in pattern.pattern.regex.groupindex or namespace:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    concept_urls = {
        name
        for name in names(get_resolver().url_patterns)
        if not name.startswith(("public:", "admin:", "concept:outline_import", "concept:list"))
    }
    assert concept_urls == {name for name, *_rest in MATRIX}


@pytest.mark.parametrize("role", roles.ALL)
def test_own_concept(client, concept, objects, role):
    user = add_member(concept, UserFactory(), role)
    concept.measures.get(code="S4").responsible_users.add(user)
    client.force_login(user)
    refused, allowed_but_blocked = [], []
    for name, kwargs, method, need in MATRIX:
        response = request(client, method, target(name, kwargs, objects))
        if need in ALLOWED[role]:
            if response.status_code in (401, 403, 404, 500):
                allowed_but_blocked.append((name, response.status_code))
        elif response.status_code != 403:
            refused.append((name, response.status_code))
    assert not refused, "should be 403"
    assert not allowed_but_blocked, "should get through"


def test_owner_of_other_measures_may_not_change_S4(client, concept, objects):
    client.force_login(add_member(concept, UserFactory(), roles.MEASURE_OWNERS))
    for name, kwargs, method, need in MATRIX:
        if need == OWNER:
            assert request(client, method, target(name, kwargs, objects)).status_code == 403


@pytest.mark.parametrize("role", roles.ALL)
def test_other_concept_is_not_found(client, concept, objects, role):
    """Even Administration of another district learns nothing about this one."""
    client.force_login(add_member(ConceptFactory(), UserFactory(), role))
    answers = {
        name: request(client, method, target(name, kwargs, objects)).status_code
        for name, kwargs, method, _need in MATRIX
    }
    assert {name: code for name, code in answers.items() if code != 404} == {}


def test_anonymous_goes_to_the_login(client, concept, objects):
    login = reverse("login")
    for name, kwargs, method, _need in MATRIX:
        response = request(client, method, target(name, kwargs, objects))
        assert response.status_code == 302 and response.url.startswith(login), name
