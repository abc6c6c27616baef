"""concept.locking under real concurrency: two writers, each in its own thread with its own
database connection, start from the same version at the same moment, 20 rounds per entity.
Every round one saves and the other is refused (StaleVersion); nothing saved is lost, and an
import confirmed twice at once is imported once.

Run on PostgreSQL (DATABASE_URL=postgres://…) to test the database's row locking; on SQLite
the same tests run against its single writer."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from concept import roles
from concept.legal import legal_page_save
from concept.locking import StaleVersion, version_of
from concept.models import LegalPage
from goals.models import IndicatorValue
from goals.services import indicator_value_update
from measures import services as measure_services
from measures.models import Decision, Measure, ProgressEntry
from networks import services as network_services
from networks.models import Meeting, Network, Organisation
from reporting.models import AnnualReport
from reporting.report.services import annual_report_create, annual_report_update
from tests.factories import (
    ConceptFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    OrganisationFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20


def _sqlite_shared_memory():
    """SQLite's in-memory test database is shared between threads through SQLite's shared
    cache, whose table locks fail at once ("database table is locked") instead of waiting:
    a limitation of that test database, not of the guard."""
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def at_once(write):
    """Call write("A") and write("B") at the same moment, each in its own thread (and so
    its own database connection). Returns {"A": outcome, "B": outcome}: "saved",
    "conflict", or the unexpected exception."""
    start = threading.Barrier(2)
    outcomes = {}

    def run(who):
        try:
            start.wait(timeout=10)
            write(who)
            outcomes[who] = "saved"
        except StaleVersion:
            outcomes[who] = "conflict"
        except Exception as error:  # reported by the assertion in race()
            outcomes[who] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(who,)) for who in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def race(load, write, stored):
    """ROUNDS rounds: both writers load the object in their thread and write a value of
    their own against the version it had before the round. Returns the values saved."""
    if _sqlite_shared_memory():
        pytest.skip(
            "SQLite's in-memory test database shares one cache between threads, whose table "
            "locks fail at once instead of waiting; run with a file or PostgreSQL database"
        )
    saved = []
    for number in range(ROUNDS):
        version = version_of(load())

        def write_one(who, number=number, version=version):
            write(load(), version, f"{who}{number}")

        outcomes = at_once(write_one)
        assert sorted(outcomes.values(), key=str) == ["conflict", "saved"], outcomes
        winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
        saved.append(f"{winner}{number}")
        # The winner's write is what is stored: nothing was overwritten afterwards.
        assert stored() == saved[-1]
        assert version_of(load()) == version + 1
    return saved


def recorded(obj, field):
    """The values of a field in obj's history, oldest first."""
    return list(obj.history.order_by("history_date", "history_id").values_list(field, flat=True))


@pytest.fixture
def concept():
    return ConceptFactory(slug="lk-rennen")


@pytest.fixture
def user(concept):
    user = add_member(concept, UserFactory(first_name="Kim", last_name="K"), roles.COORDINATION)
    return user


def test_measure(concept, user):
    measure = MeasureFactory(concept=concept, goal=GoalFactory(concept=concept))
    Measure.history.filter(id=measure.pk).delete()  # as loaded from an outline

    def write(obj, version, value):
        measure_services.measure_update(
            measure=obj, user=user, expected_version=version, data={"description": value}
        )

    def stored():
        return Measure.objects.get(pk=measure.pk).description

    saved = race(lambda: Measure.objects.get(pk=measure.pk), write, stored)
    assert [v for v in recorded(measure, "description") if v] == saved


def test_sachstand_correction(concept, user):
    measure = MeasureFactory(concept=concept, goal=GoalFactory(concept=concept))
    entry = measure_services.progress_entry_create(
        measure=measure,
        author=user,
        date=dt.date(2025, 6, 30),
        status="in_progress",
        traffic_light="green",
        progress=50,
        text="Erster Text",
    )

    def write(obj, version, value):
        measure_services.progress_entry_correct(
            entry=obj, user=user, expected_version=version, reason="Tippfehler", text=value
        )

    saved = race(
        lambda: ProgressEntry.objects.get(pk=entry.pk),
        write,
        lambda: ProgressEntry.objects.get(pk=entry.pk).text,
    )
    assert recorded(entry, "text") == ["Erster Text", *saved]


def test_kennzahlwert(concept, user):
    goal = GoalFactory(concept=concept)
    indicator = IndicatorFactory(concept=concept, name="Kurse", unit="Anzahl")
    item = IndicatorValueFactory(
        indicator=indicator, reference_date=dt.date(2024, 12, 31), value=Decimal(10)
    )
    assert goal.pk

    def write(obj, version, value):
        indicator_value_update(item=obj, user=user, expected_version=version, note=value)

    saved = race(
        lambda: IndicatorValue.objects.select_related("indicator").get(pk=item.pk),
        write,
        lambda: IndicatorValue.objects.get(pk=item.pk).note,
    )
    assert [v for v in recorded(item, "note") if v] == saved


def test_organisation_without_history(concept, user):
    organisation = OrganisationFactory(concept=concept, name="Jobcenter")
    Organisation.history.filter(id=organisation.pk).delete()

    def write(obj, version, value):
        network_services.organisation_update(
            organisation=obj,
            expected_version=version,
            name=obj.name,
            short_name=value,
            kind=obj.kind,
            website=obj.website,
            is_public=obj.is_public,
            user=user,
        )

    saved = race(
        lambda: Organisation.objects.get(pk=organisation.pk),
        write,
        lambda: Organisation.objects.get(pk=organisation.pk).short_name,
    )
    assert [v for v in recorded(organisation, "short_name") if v] == saved


def test_network_without_history(concept, user):
    caritas = OrganisationFactory(concept=concept, name="Caritas")
    network = network_services.network_create(concept=concept, name="KMN-Treffen")
    network.members.add(caritas)
    Network.history.filter(id=network.pk).delete()

    def write(obj, version, value):
        network_services.network_update(
            network=obj,
            expected_version=version,
            name=obj.name,
            kind=obj.kind,
            purpose=value,
            coordinator=None,
            members=[caritas],
            meeting_cadence="",
            platform_url="",
            statement=None,
            is_public=False,
            user=user,
        )

    saved = race(
        lambda: Network.objects.get(pk=network.pk),
        write,
        lambda: Network.objects.get(pk=network.pk).purpose,
    )
    assert [v for v in recorded(network, "purpose") if v] == saved
    assert list(Network.objects.get(pk=network.pk).members.all()) == [caritas]


def _committee_meeting(concept):
    committee = network_services.network_create(
        concept=concept, name="Steuerungsgruppe", kind=Network.Kind.COMMITTEE
    )
    return network_services.meeting_create(
        network=committee, date=dt.date(2025, 6, 4), topic="Zwischenbilanz"
    )


def test_meeting(concept, user):
    meeting = _committee_meeting(concept)

    def write(obj, version, value):
        network_services.meeting_update(
            meeting=obj,
            expected_version=version,
            date=obj.date,
            topic=obj.topic,
            presented="",
            minutes=value,
            user=user,
        )

    saved = race(
        lambda: Meeting.objects.select_related("network").get(pk=meeting.pk),
        write,
        lambda: Meeting.objects.get(pk=meeting.pk).minutes,
    )
    assert [v for v in recorded(meeting, "minutes") if v] == saved


def test_decision(concept, user):
    measure = MeasureFactory(concept=concept, goal=GoalFactory(concept=concept))
    decision = measure_services.decision_create(
        meeting=_committee_meeting(concept), user=user, text="Anfang", measures=[measure]
    )

    def write(obj, version, value):
        measure_services.decision_update(
            decision=obj,
            user=user,
            expected_version=version,
            text=value,
            kind=obj.kind,
            measures=[measure],
            follow_up_date=None,
        )

    saved = race(
        lambda: Decision.objects.select_related("meeting__network").get(pk=decision.pk),
        write,
        lambda: Decision.objects.get(pk=decision.pk).text,
    )
    assert [v for v in dict.fromkeys(recorded(decision, "text")) if v != "Anfang"] == saved


def test_report_texts(concept, user):
    goal = GoalFactory(concept=concept)
    report = annual_report_create(concept=concept, year=2025)

    def write(obj, version, value):
        annual_report_update(
            report=obj,
            expected_version=version,
            data={"foreword": value},
            assessments={goal.pk: value},
            user=user,
        )

    saved = race(
        lambda: AnnualReport.objects.get(pk=report.pk),
        write,
        lambda: AnnualReport.objects.get(pk=report.pk).foreword,
    )
    assert [v for v in recorded(report, "foreword") if v] == saved
    assert [row[0][2] for row in recorded(report, "assessments") if row] == saved


def test_legal_page(db):
    if _sqlite_shared_memory():
        pytest.skip("see race()")
    page = legal_page_save(kind=LegalPage.Kind.IMPRINT, expected_version=None, body="Anfang")

    def write(obj, version, value):
        legal_page_save(kind=obj.kind, expected_version=version, body=value)

    saved = race(
        lambda: LegalPage.objects.get(pk=page.pk),
        write,
        lambda: LegalPage.objects.get(pk=page.pk).body,
    )
    assert recorded(page, "body") == ["Anfang", *saved]


def test_import_confirmed_twice_at_once_imports_once(concept, user, settings, tmp_path):
    """The same preview confirmed from two requests at the same moment (a double click,
    two tabs): one imports, the other is refused; never twice."""
    settings.PENDING_UPLOADS_DIR = str(tmp_path)
    measure = MeasureFactory(concept=concept, goal=GoalFactory(concept=concept), code="S1")
    first = Client()
    first.force_login(user)
    second = Client()
    second.cookies = first.cookies  # the same session, as two tabs have
    upload = reverse("exchange:import", kwargs={"slug": concept.slug, "kind": "sachstaende"})
    confirm = reverse(
        "exchange:import_confirm", kwargs={"slug": concept.slug, "kind": "sachstaende"}
    )
    for number in range(ROUNDS):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=number)
        csv = (
            "Maßnahme;Datum;Umsetzungsstand;Ampel;Fortschritt;Sachstand\r\n"
            f"S1;{day:%d.%m.%Y};in Umsetzung;grün;{number + 1};Runde {number}\r\n"
        ).encode()
        preview = first.post(
            upload, {"file": SimpleUploadedFile("sachstaende.csv", csv, "text/csv")}
        )
        token = preview.context["token"]
        assert token, preview.context["report"].error_messages
        if _sqlite_shared_memory():
            pytest.skip("see race()")

        responses = {}
        clients = {"A": first, "B": second}

        def confirm_once(who, token=token, responses=responses, clients=clients):
            responses[who] = clients[who].post(confirm, {"token": token})

        assert at_once(confirm_once) == {"A": "saved", "B": "saved"}
        assert {response.status_code for response in responses.values()} == {302}
        assert measure.entries.filter(date=day).count() == 1
    assert measure.entries.count() == ROUNDS
