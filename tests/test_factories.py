"""The factories build data through the services, with their effects and their refusals."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concept import locking, roles
from concept.models import LegalPage
from measures.models import Measure, Status, TrafficLight
from networks.models import Network
from reporting.models import AnnualReport
from tests.factories import (
    PDF,
    AnnualReportFactory,
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    EvidenceFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    LegalPageFactory,
    MeasureFactory,
    MeetingFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_sachstand_moves_its_measure_and_is_in_the_history():
    measure = MeasureFactory()
    author = UserFactory()
    entry = ProgressEntryFactory(
        measure=measure,
        author=author,
        date=dt.date(2025, 3, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.RED,
        progress=30,
    )
    stored = Measure.objects.get(pk=measure.pk)
    assert (stored.status, stored.traffic_light, stored.progress) == (
        Status.IN_PROGRESS,
        TrafficLight.RED,
        30,
    )
    assert stored.version == 2
    newest = stored.history.first()
    assert newest.history_user == author and newest.traffic_light == TrafficLight.RED
    assert entry.history.get().history_user == author


def test_an_older_sachstand_leaves_the_measure_as_the_newer_one_set_it():
    measure = MeasureFactory()
    ProgressEntryFactory(measure=measure, date=dt.date(2025, 6, 1), progress=60)
    ProgressEntryFactory(measure=measure, date=dt.date(2025, 1, 1), progress=10)
    assert Measure.objects.get(pk=measure.pk).progress == 60


def test_a_sachstand_factory_refuses_what_the_service_refuses():
    measure = MeasureFactory()
    with pytest.raises(ValidationError, match="Zukunft"):
        ProgressEntryFactory(measure=measure, date=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="widersprechen sich"):
        ProgressEntryFactory(measure=measure, status=Status.IMPLEMENTED, progress=50)
    with pytest.raises(ValidationError, match="entfällt"):
        ProgressEntryFactory(measure=measure, status=Status.DROPPED)
    assert not measure.entries.exists()
    # A field the service does not take is an error, not silently stored.
    with pytest.raises(TypeError):
        ProgressEntryFactory(measure=measure, version=7)


def test_a_link_and_a_file_as_evidence_pass_the_upload_checks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert EvidenceFactory().url == "https://example.org/nachweis"
    upload = SimpleUploadedFile("bericht.pdf", b"%PDF-1.7 Inhalt")
    assert EvidenceFactory(upload=upload).filename == "bericht.pdf"
    with pytest.raises(ValidationError, match="passt nicht zur Dateiendung"):
        EvidenceFactory(upload=SimpleUploadedFile("bericht.pdf", b"kein PDF"))


def test_an_indicator_value_twice_for_the_same_day_is_refused():
    indicator = IndicatorFactory(name="Kurse")
    IndicatorValueFactory(indicator=indicator, reference_date=dt.date(2024, 12, 31), value=3)
    with pytest.raises(ValidationError, match="schon einen Wert"):
        IndicatorValueFactory(indicator=indicator, reference_date=dt.date(2024, 12, 31))


def test_organisations_and_networks_are_checked_and_placed_by_their_service():
    concept = ConceptFactory()
    organisation = OrganisationFactory(concept=concept, name="  Jobcenter ")
    assert organisation.name == "Jobcenter"
    with pytest.raises(ValidationError, match="gibt es in diesem Konzept schon"):
        OrganisationFactory(concept=concept, name="Jobcenter")
    first = NetworkFactory(concept=concept, members=[organisation])
    second = NetworkFactory(concept=concept)
    assert (first.position, second.position) == (1, 2)
    assert list(first.members.all()) == [organisation]
    with pytest.raises(ValidationError, match="anderen Konzept"):
        NetworkFactory(concept=concept, members=[OrganisationFactory()])


def test_decisions_belong_to_committee_meetings():
    committee = CommitteeFactory()
    assert committee.kind == Network.Kind.COMMITTEE
    measure = MeasureFactory(concept=committee.concept)
    decision = DecisionFactory(
        meeting=MeetingFactory(network=committee),
        measures=[measure],
        follow_up_date=dt.date(2026, 1, 1),
        follow_up_done=True,
    )
    assert list(decision.measures.all()) == [measure]
    assert decision.follow_up_done and decision.version == 2
    plain = MeetingFactory(network=NetworkFactory())
    with pytest.raises(ValidationError, match="nur in Sitzungen eines Gremiums"):
        DecisionFactory(meeting=plain)
    with pytest.raises(ValidationError, match="dieses Konzepts"):
        DecisionFactory(meeting=MeetingFactory(network=committee), measures=[MeasureFactory()])


def test_a_final_report_is_frozen_by_the_finalising_service():
    draft = AnnualReportFactory(foreword="Vorwort")
    assert draft.status == AnnualReport.Status.DRAFT and draft.foreword == "Vorwort"
    final = AnnualReportFactory(year=2024, final=True)
    assert final.is_final and not final.is_published
    assert bytes(final.pdf) == PDF and final.pdf_sha256 == hashlib.sha256(PDF).hexdigest()
    assert final.snapshot["concept"]["title"] == final.concept.title
    published = AnnualReportFactory(concept=final.concept, year=2023, published=True)
    assert published.is_final and published.is_published
    correction = AnnualReportFactory(supersedes=final, correction_note="Zahl korrigiert")
    assert (correction.year, correction.version) == (2024, 2)
    with pytest.raises(ValidationError, match="schon einen Bericht"):
        AnnualReportFactory(concept=final.concept, year=2024)
    with pytest.raises(TypeError):
        AnnualReportFactory(status=AnnualReport.Status.FINAL)


def test_a_legal_page_exists_once_per_kind():
    page = LegalPageFactory(kind=LegalPage.Kind.PRIVACY, body="Text")
    assert page.version == 1 and page.body == "Text"
    with pytest.raises(locking.StaleVersion):
        LegalPageFactory(kind=LegalPage.Kind.PRIVACY)
    # The Schlichtungsstelle belongs to the accessibility statement only.
    with pytest.raises(TypeError):
        LegalPageFactory(kind=LegalPage.Kind.IMPRINT, arbitration_url="https://x.example/")


def test_a_second_membership_changes_the_role():
    membership = MembershipFactory(role=roles.COORDINATION)
    again = MembershipFactory(
        concept=membership.concept, user=membership.user, role=roles.STEERING_GROUP
    )
    assert again.pk == membership.pk and again.role == roles.STEERING_GROUP
    assert roles.role_in(membership.user, membership.concept.pk) == roles.STEERING_GROUP
