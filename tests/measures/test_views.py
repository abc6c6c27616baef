import datetime as dt
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concept import roles
from concept.models import Concept
from goals.models import IndicatorValue
from measures import services
from measures.models import (
    Evidence,
    Measure,
    ProgressEntry,
    Status,
    TrafficLight,
    UpdateCadence,
    add_months,
)
from measures.services import progress_entry_create
from tests.factories import (
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    EvidenceFactory,
    MeasureFactory,
    MeasureOrganisationFactory,
    MeetingFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
    measures_in_every_state,
)
from tests.measures.conftest import SLUG

pytestmark = pytest.mark.django_db

LK = "lk-vechta"
# What saving one row of the grid may cost (10 measured): the version claim, the Sachstand,
# the measure and their history records.
GRID_QUERIES_PER_SAVED_ROW = 12


def url(name, key=None, slug=SLUG, **kwargs):
    if key is not None:
        kwargs["key"] = key
    return reverse(f"measures:{name}", kwargs={"slug": slug, **kwargs})


def state_data(measure, **changes):
    return {
        "version": measure.version,
        "status": measure.status,
        "traffic_light": measure.traffic_light,
        "progress": measure.progress,
        "note": "",
        "reason": "",
    } | changes


def entry_data(measure, **changes):
    return {
        "version": measure.version,
        "date": "2026-01-15",
        "period": "",
        "status": Status.IN_PROGRESS,
        "traffic_light": TrafficLight.GREEN,
        "progress": 30,
        "text": "Zwei Kurse gestartet.",
        "next_steps": "",
        "deviation": "",
        "participants": "",
        "staff": "",
        "cost": "",
        "funding": "",
        "links": "",
    } | changes


@pytest.fixture
def owner(concept):
    user = add_member(
        concept, UserFactory(first_name="Vera", last_name="Verantwortlich"), roles.MEASURE_OWNERS
    )
    concept.measures.get(code="S4").responsible_users.add(user)
    return user


def member(concept, role):
    user = add_member(concept, UserFactory(), role)
    return user


# --- permissions: every role × every URL --------------------------------------------------

READ_URLS = [
    ("list", None),
    ("mine", None),
    ("detail", "S4"),
    ("detail", "4.1.9"),
]
# (name, key, method) of every editing URL; S4 is the owner's measure.
EDIT_URLS = [
    ("state_edit", "S4", "post"),
    ("entry_create", "S4", "get"),
    ("entry_create", "S4", "post"),
    ("no_change", "S4", "post"),
    ("edit", "S4", "get"),
    ("edit", "S4", "post"),
]
COORDINATION_ONLY = [("grid", None, "get"), ("grid", None, "post")]

EXPECTED = {
    # role: may edit S4 (own), may edit S1 (not own), may use the grid
    roles.ADMINISTRATION: (True, True, True),
    roles.COORDINATION: (True, True, True),
    roles.MEASURE_OWNERS: (True, False, False),
    roles.STEERING_GROUP: (False, False, False),
}


def request(client, name, key, method, htmx=False, **kwargs):
    target = reverse(
        f"measures:{name}", kwargs={"slug": SLUG, **kwargs, **({"key": key} if key else {})}
    )
    headers = {"hx-request": "true"} if htmx else {}
    if method == "get":
        return client.get(target, headers=headers)
    return client.post(target, {}, headers=headers)


@pytest.mark.parametrize(("name", "key"), READ_URLS)
def test_anonymous_is_sent_to_login(client, concept, name, key):
    response = client.get(url(name, key))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(("name", "key", "method"), EDIT_URLS + COORDINATION_ONLY)
def test_anonymous_cannot_edit(client, concept, name, key, method, htmx):
    kwargs = {"group": "1"} if name == "grid" else {}
    response = request(client, name, key, method, htmx=htmx, **kwargs)
    if htmx:  # told to load the login page, not given it as a fragment
        assert response["HX-Redirect"].startswith(reverse("login"))
    else:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("role", roles.ALL)
@pytest.mark.parametrize(("name", "key"), READ_URLS)
def test_every_role_reads(client, concept, owner, role, name, key):
    client.force_login(owner if role == roles.MEASURE_OWNERS else member(concept, role))
    assert client.get(url(name, key)).status_code == 200


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("role", roles.ALL)
@pytest.mark.parametrize(("name", "key", "method"), EDIT_URLS)
@pytest.mark.parametrize("target", ["S4", "S1"])
def test_edit_permissions_per_role(client, concept, owner, role, name, key, method, target, htmx):
    client.force_login(owner if role == roles.MEASURE_OWNERS else member(concept, role))
    own, other, _grid = EXPECTED[role]
    allowed = own if target == "S4" else other
    response = request(client, name, target, method, htmx=htmx)
    if allowed:
        assert response.status_code in (200, 302, 400)  # an empty POST is a form error
    else:
        assert response.status_code == 403
        assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("role", roles.ALL)
def test_grid_is_for_coordination(client, concept, owner, role):
    client.force_login(owner if role == roles.MEASURE_OWNERS else member(concept, role))
    response = client.get(url("grid", group="1"))
    assert response.status_code == (200 if EXPECTED[role][2] else 403)
    changed = grid_row(concept.measures.get(code="S4"), status="preparing")
    response = client.post(url("grid", group="1"), changed)
    assert response.status_code == (200 if EXPECTED[role][2] else 403)
    assert ProgressEntry.objects.exists() == EXPECTED[role][2]


def test_other_districts_measures_are_not_found(client, concept):
    other = ConceptFactory(slug="anderer-kreis")
    client.force_login(member(other, roles.COORDINATION))
    assert client.get(url("detail", "S1")).status_code == 404
    assert client.post(url("state_edit", "S1"), {}).status_code == 404


def test_unknown_measure_is_404(client, concept):
    client.force_login(member(concept, roles.COORDINATION))
    assert client.get(url("detail", "X99")).status_code == 404


# --- list and filters ----------------------------------------------------------------------


@pytest.fixture
def coordinator(client, concept):
    user = member(concept, roles.COORDINATION)
    client.force_login(user)
    return user


def codes(response):
    return [m.label for m in response.context["page"]]


def test_list_filters_combine_and_live_in_the_url(client, lk_vechta):
    client.force_login(member(lk_vechta, roles.COORDINATION))
    response = client.get(url("list", slug=LK), {"ziel": "3"})
    assert codes(response) == ["AuB1", "AuB2", "AuB3", "AuB4"]
    response = client.get(url("list", slug=LK), {"ziel": "k"})
    assert codes(response) == ["N1", "N2", "N3", "N4", "N5"]
    response = client.get(url("list", slug=LK), {"q": "Alphabetisierung"})
    assert codes(response) == ["S6"]
    jobcenter = lk_vechta.organisations.get(name="Jobcenter")
    response = client.get(url("list", slug=LK), {"akteur": jobcenter.pk})
    assert codes(response) == ["AuB1", "AuB3", "AuB4"]
    network = lk_vechta.networks.get(name="Integrationslotsen/-lotsinnen")
    assert codes(client.get(url("list", slug=LK), {"netzwerk": network.pk})) == ["W3"]
    assert codes(client.get(url("list", slug=LK), {"q": "4.1.9"})) == ["4.1.9"]


def test_list_filters_by_status_light_and_sub_goal(client, concept, coordinator):
    s1, b2 = concept.measures.get(code="S1"), concept.measures.get(code="B2")
    Measure.objects.filter(pk=s1.pk).update(status=Status.IN_PROGRESS, traffic_light="red")
    sub_goal = concept.goals.get(number=2).sub_goals.get(number=1)
    b2.sub_goals.add(sub_goal)
    assert codes(client.get(url("list"), {"status": "in_progress"})) == ["S1"]
    assert codes(client.get(url("list"), {"ampel": "red", "ziel": "1"})) == ["S1"]
    assert codes(client.get(url("list"), {"ampel": "red", "ziel": "2"})) == []
    assert codes(client.get(url("list"), {"teilziel": sub_goal.pk})) == ["B2"]


def test_overdue_filter_uses_each_measures_cadence(client, concept, coordinator):
    today = timezone.localdate()
    s1, s2 = concept.measures.get(code="S1"), concept.measures.get(code="S2")
    Measure.objects.filter(pk=s1.pk).update(update_cadence=UpdateCadence.MONTHLY)
    for measure in (s1, s2):
        ProgressEntryFactory(
            measure=measure,
            date=today - dt.timedelta(days=60),
            status="in_progress",
            traffic_light="green",
            progress=10,
        )
    # S3 never had one and was taken up long ago; S4 neither, but it starts only now.
    long_ago = timezone.make_aware(dt.datetime(2020, 1, 1))
    Measure.objects.filter(code="S3", concept=concept).update(
        start_date=today - dt.timedelta(days=400), created_at=long_ago
    )
    Measure.objects.filter(code="S4", concept=concept).update(start_date=today)
    overdue = codes(client.get(url("list"), {"ueberfaellig": "on", "ziel": "1"}))
    # S1 (monthly) is overdue after 60 days, S2 (half-yearly) is not.
    assert "S1" in overdue and "S2" not in overdue and "S3" in overdue
    assert "S4" not in overdue
    Measure.objects.filter(code="S3", concept=concept).update(status=Status.IMPLEMENTED)
    assert "S3" not in codes(client.get(url("list"), {"ueberfaellig": "on", "ziel": "1"}))


def test_list_sorting_by_traffic_light_puts_red_first(client, concept, coordinator):
    goal = concept.goals.get(number=1)
    MeasureFactory(concept=concept, goal=goal, code="A1")
    MeasureFactory(concept=concept, goal=goal, code="G2")
    Measure.objects.filter(code="G2", concept=concept).update(traffic_light="red")
    Measure.objects.filter(code="A1", concept=concept).update(traffic_light="yellow")
    assert codes(client.get(url("list"), {"sortierung": "ampel"}))[:2] == ["G2", "A1"]


def test_htmx_request_gets_only_the_results(client, lk_vechta):
    client.force_login(member(lk_vechta, roles.COORDINATION))
    response = client.get(url("list", slug=LK), {"ziel": "2"}, headers={"hx-request": "true"})
    html = response.text
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and 'id="filter"' not in html
    assert "6 Maßnahmen" in html


def test_invalid_filter_value_is_reported_not_a_crash(client, lk_vechta):
    client.force_login(member(lk_vechta, roles.COORDINATION))
    response = client.get(url("list", slug=LK), {"status": "erfunden", "ziel": "1"})
    assert response.status_code == 200
    assert "Filter ignoriert" in response.text
    assert len(codes(response)) == 9


def test_list_page_without_javascript_has_a_submit_button(client, concept, coordinator):
    html = client.get(url("list")).text
    assert 'method="get"' in html and "Filter anwenden" in html
    assert "<script>" not in html


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_fields_timeline_and_history(client, concept, coordinator):
    measure = MeasureFactory(
        concept=concept,
        goal=concept.goals.get(number=1),
        code="AuB4",
        title="Vernetzung von Jobcenter, Ausländerbehörde und Beratungsstellen",
    )
    MeasureOrganisationFactory(
        measure=measure,
        organisation=OrganisationFactory(concept=concept, name="Ausländerbehörde"),
        role="partner",
    )
    progress_entry_create(
        measure=measure,
        author=coordinator,
        date=dt.date(2025, 3, 1),
        status="in_progress",
        traffic_light="yellow",
        progress=20,
        text="Erstes Vernetzungstreffen.",
        next_steps="Zweites Treffen.",
        deviation="Ausländerbehörde erst ab Mai dabei.",
        participants=14,
    )
    html = client.get(url("detail", "AuB4")).text
    for text in [
        "Vernetzung von Jobcenter",
        "Ausländerbehörde (Partner)",
        "Erstes Vernetzungstreffen.",
        "Zweites Treffen.",
        "Teilnehmende: 14",
        "01.03.2025",
        "Änderungsverlauf",
        "Umsetzungsstand: nicht begonnen → in Umsetzung",
        "Sachstand vom 01.03.2025 erfasst",
        # The Abweichung at the Sachstand in the timeline and in the history.
        "Abweichung / Begründung:</strong> Ausländerbehörde erst ab Mai dabei.",
        "(Abweichung: Ausländerbehörde erst ab Mai dabei.)",
    ]:
        assert text in html, text


def test_uncoded_measure_has_a_stable_url(client, concept, coordinator):
    measure = concept.measures.get(number="4.1.9")
    assert measure.get_absolute_url() == f"/konzepte/{SLUG}/massnahmen/4.1.9/"
    assert "Fortschreibung des kreiseigenen" in client.get(measure.get_absolute_url()).text


# --- editing in place ------------------------------------------------------------------------


def test_state_change_leaves_a_sachstand(client, concept, coordinator):
    measure = concept.measures.get(code="S1")
    response = client.post(
        url("state_edit", "S1"),
        state_data(
            measure,
            status="in_progress",
            traffic_light="yellow",
            progress=25,
            reason="Träger sucht noch Räume.",
        ),
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="stand"')
    assert "measureUpdated" in response.headers["HX-Trigger"]
    measure.refresh_from_db()
    assert (measure.status, measure.traffic_light, measure.progress) == (
        "in_progress",
        "yellow",
        25,
    )
    entry = measure.entries.get()
    assert entry.author == coordinator and entry.date == timezone.localdate()
    assert "Umsetzungsstand von „nicht begonnen“ auf „in Umsetzung“ geändert." in entry.text
    assert "Fortschritt von 0 % auf 25 % geändert." in entry.text


def test_state_change_without_javascript_redirects(client, concept, coordinator):
    measure = concept.measures.get(code="S1")
    response = client.post(
        url("state_edit", "S1"), state_data(measure, status="preparing", progress=10)
    )
    assert response.status_code == 302 and response.url == url("detail", "S1")


def test_invalid_progress_is_refused_with_german_message(client, concept, coordinator):
    measure = concept.measures.get(code="S1")
    response = client.post(url("state_edit", "S1"), state_data(measure, progress=120))
    assert response.status_code == 400
    assert "kleiner oder gleich 100" in response.text
    assert not ProgressEntry.objects.exists()


def test_dropping_needs_a_reason(client, concept, coordinator):
    measure = concept.measures.get(code="S1")
    response = client.post(url("state_edit", "S1"), state_data(measure, status="dropped"))
    assert response.status_code == 400
    assert response.context["state_form"].errors == {
        "reason": ["Bitte begründen, warum die Maßnahme entfällt."]
    }
    client.post(
        url("state_edit", "S1"), state_data(measure, status="dropped", reason="Kein Träger")
    )
    measure.refresh_from_db()
    assert measure.status == "dropped" and measure.status_reason == "Kein Träger"


def test_second_editor_is_refused_and_told_what_changed(client, concept, coordinator):
    measure = concept.measures.get(code="S1")
    stale = state_data(measure, status="in_progress", progress=40)
    other = add_member(
        concept, UserFactory(first_name="Kim", last_name="Kollegin"), roles.COORDINATION
    )
    progress_entry_create(
        measure=measure,
        author=other,
        date=timezone.localdate(),
        status="preparing",
        traffic_light="green",
        progress=10,
        expected_version=measure.version,
    )
    response = client.post(url("state_edit", "S1"), stale, headers={"hx-request": "true"})
    html = response.text
    assert "nicht gespeichert" in html and "Kim Kollegin" in html
    assert "Umsetzungsstand: nicht begonnen → <strong>in Vorbereitung</strong>" in html
    assert "Fortschritt (%): 0 → <strong>10</strong>" in html
    measure.refresh_from_db()
    assert measure.progress == 10 and measure.entries.count() == 1


def test_no_change_records_a_dated_entry(client, concept, coordinator):
    measure = concept.measures.get(code="S2")
    response = client.post(url("no_change", "S2"), {"version": measure.version})
    assert response.status_code == 302
    entry = measure.entries.get()
    assert (
        entry.text == "Keine Änderung seit dem letzten Sachstand."
        and entry.date == timezone.localdate()
    )
    # A stale click (someone changed it meanwhile) is refused.
    client.post(url("no_change", "S2"), {"version": measure.version})
    assert measure.entries.count() == 1


def test_add_sachstand_with_files_and_links(client, concept, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    pdf = SimpleUploadedFile("bericht.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    response = client.post(
        url("entry_create", "S6"),
        entry_data(measure, files=[pdf], links="https://example.org/kurs\n", cost="1.250,50"),
    )
    assert response.status_code == 302
    entry = measure.entries.get()
    assert entry.text == "Zwei Kurse gestartet." and str(entry.cost) == "1250.50"
    assert {e.url for e in entry.evidence.all()} == {"", "https://example.org/kurs"}
    evidence = entry.evidence.exclude(file="").get()
    download = client.get(url("evidence_download", "S6", pk=evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 test"
    assert download["Content-Disposition"].startswith("attachment")


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def zip_with(name, content=b"x"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes():
    types = b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
    types += b'wordprocessingml.document.main+xml"/></Types>'
    return zip_with("[Content_Types].xml", types)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("brief.docx", docx_bytes()),
        SimpleUploadedFile(
            "text.odt", zip_with("mimetype", b"application/vnd.oasis.opendocument.text")
        ),
        SimpleUploadedFile("notiz.txt", "Kurs läuft.\r\n".encode("cp1252")),
        SimpleUploadedFile("liste.csv", b"Name;Ort\nKurs;Vechta\n"),
        SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe0" + bytes(20)),
    ],
    ids=lambda upload: upload.name,
)
def test_evidence_whose_content_matches_is_accepted(
    client, concept, coordinator, upload, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    response = client.post(url("entry_create", "S6"), entry_data(measure, files=[upload]))
    assert response.status_code == 302
    assert Evidence.objects.get().filename == upload.name


def test_a_missing_evidence_file_is_a_german_404(client, concept, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    pdf = SimpleUploadedFile("bericht.pdf", b"%PDF-1.7 test")
    client.post(url("entry_create", "S6"), entry_data(measure, files=[pdf]))
    evidence = Evidence.objects.get()
    Path(evidence.file.path).unlink()
    response = client.get(url("evidence_download", "S6", pk=evidence.pk))
    assert response.status_code == 404
    assert "Die Datei „bericht.pdf“ ist nicht mehr vorhanden" in response.text


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("tool.exe", b"MZ..."), "Dateityp nicht erlaubt"),
        (SimpleUploadedFile("fake.pdf", b"<html>"), "„fake.pdf“: Der Inhalt passt nicht"),
        (SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + bytes(64)), "„setup.pdf“: Der Inhalt"),
        (SimpleUploadedFile("bild.png", b"%PDF-1.7"), "„bild.png“: Der Inhalt passt nicht"),
        (SimpleUploadedFile("foto.jpg", b"GIF89a"), "„foto.jpg“: Der Inhalt passt nicht"),
        (SimpleUploadedFile("brief.docx", zip_with("word.txt")), "„brief.docx“: Der Inhalt"),
        (SimpleUploadedFile("tabelle.xlsx", docx_bytes()), "„tabelle.xlsx“: Der Inhalt"),
        (SimpleUploadedFile("text.odt", zip_with("mimetype", b"x")), "„text.odt“: Der Inhalt"),
        (SimpleUploadedFile("kaputt.docx", b"PK\x03\x04" + bytes(40)), "„kaputt.docx“"),
        (SimpleUploadedFile("seite.txt", b"<!DOCTYPE html><script>x()</script>"), "HTML"),
        (SimpleUploadedFile("prog.txt", b"\x7fELF\x02\x01" + bytes(100)), "keine Textdatei"),
        (SimpleUploadedFile("liste.csv", b"\x81\x8d\x8f\x90\x9d"), "keine Textdatei"),
    ],
)
def test_bad_evidence_files_are_refused_and_nothing_is_written(
    client, concept, coordinator, upload, message, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    response = client.post(url("entry_create", "S6"), entry_data(measure, files=[upload]))
    assert response.status_code == 200 and message in response.text
    assert not ProgressEntry.objects.exists() and not Evidence.objects.exists()


def test_oversized_evidence_is_refused(client, concept, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 1024
    measure = concept.measures.get(code="S6")
    big = SimpleUploadedFile("gross.pdf", b"%PDF-" + b"x" * 2048)
    response = client.post(url("entry_create", "S6"), entry_data(measure, files=[big]))
    assert "ist zu groß" in response.text and not ProgressEntry.objects.exists()


def test_bad_link_names_the_line(client, concept, coordinator):
    measure = concept.measures.get(code="S6")
    response = client.post(
        url("entry_create", "S6"),
        entry_data(measure, links="https://example.org\njavascript:alert(1)"),
    )
    assert "Zeile 2" in response.text and not ProgressEntry.objects.exists()


def test_a_sachstand_dropping_the_measure_needs_a_reason(client, concept, coordinator):
    measure = concept.measures.get(code="S6")
    dropped = entry_data(measure, status=Status.DROPPED, progress=0, text="Kurs eingestellt.")
    response = client.post(url("entry_create", "S6"), dropped)
    assert response.context["form"].errors == {
        "deviation": ["Bitte begründen, warum die Maßnahme entfällt."]
    }
    assert not ProgressEntry.objects.exists()
    response = client.post(url("entry_create", "S6"), dropped | {"deviation": "Kein Träger"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.status_reason) == (Status.DROPPED, "Kein Träger")


def test_future_date_and_missing_text_are_refused(client, concept, coordinator):
    measure = concept.measures.get(code="S6")
    # Without a change of state the text says what the Sachstand records.
    unchanged = {"status": measure.status, "traffic_light": measure.traffic_light}
    response = client.post(
        url("entry_create", "S6"), entry_data(measure, text="", progress=0, **unchanged)
    )
    assert response.context["form"].errors == {
        "text": [
            "Bitte beschreiben Sie den Sachstand – oder wählen Sie „Keine Änderung seit dem "
            "letzten Sachstand“, wenn sich nichts geändert hat."
        ]
    }
    response = client.post(url("entry_create", "S6"), entry_data(measure, date="2999-01-01"))
    assert response.context["form"].errors == {"date": ["Das Datum liegt in der Zukunft."]}
    assert not ProgressEntry.objects.exists()


def test_evidence_is_not_served_to_other_districts(client, concept, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    entry = progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2025, 1, 1),
        status="in_progress",
        traffic_light="green",
        progress=10,
    )
    evidence = EvidenceFactory(entry=entry, upload=SimpleUploadedFile("a.pdf", b"%PDF-1"))
    client.force_login(member(ConceptFactory(), roles.COORDINATION))
    assert client.get(url("evidence_download", "S6", pk=evidence.pk)).status_code == 404


def test_master_data_edit(client, concept, coordinator, owner):
    measure = concept.measures.get(code="S8")
    university = concept.organisations.get(name="Universität Vechta")
    sub_goal = concept.goals.get(number=1).sub_goals.get(number=4)
    response = client.post(
        url("edit", "S8"),
        {
            "version": measure.version,
            "title": measure.title,
            "description": "Gewinnung über Lehramtsstudierende.",
            "target_group": "Lehrkräfte",
            "goal": measure.goal_id,
            "sub_goals": [sub_goal.pk],
            "lead_organisations": [university.pk],
            "responsible_users": [owner.pk],
            "start_date": "2025-01-01",
            "end_date": "2026-12-31",
            "update_cadence": UpdateCadence.QUARTERLY,
            "is_public": "on",
        },
    )
    assert response.status_code == 302, response.text
    measure.refresh_from_db()
    assert measure.description == "Gewinnung über Lehramtsstudierende."
    assert list(measure.sub_goals.all()) == [sub_goal]
    assert measure.involvements.get().role == "lead"
    assert list(measure.responsible_users.all()) == [owner]
    assert measure.history.first().history_user == coordinator


def test_master_data_rejects_end_before_start(client, concept, coordinator):
    measure = concept.measures.get(code="S8")
    response = client.post(
        url("edit", "S8"),
        {
            "version": measure.version,
            "title": measure.title,
            "goal": measure.goal_id,
            "start_date": "2026-01-01",
            "end_date": "2025-01-01",
            "update_cadence": UpdateCadence.HALF_YEARLY,
        },
    )
    assert "Das Ende liegt vor dem Beginn." in response.text
    measure.refresh_from_db()
    assert measure.start_date is None


def test_master_data_shows_the_services_assignment_errors(client, concept, coordinator):
    measure = concept.measures.get(code="S8")
    university = concept.organisations.get(name="Universität Vechta")
    own = measure.goal.sub_goals.get(number=4)
    involvements = set(measure.involvements.values_list("organisation", "role"))
    assert (university.pk, "lead") not in involvements
    response = client.post(
        url("edit", "S8"),
        {
            "version": measure.version,
            "title": measure.title,
            "goal": concept.goals.get(number=2).pk,  # moved, its Teilziel kept
            "sub_goals": [own.pk],
            "lead_organisations": [university.pk],
            "partner_organisations": [university.pk],
            "update_cadence": UpdateCadence.HALF_YEARLY,
        },
    )
    assert response.context["form"].errors == {
        "sub_goals": ["Teilziel 1.4 gehört nicht zum gewählten strategischen Ziel."],
        "partner_organisations": ["Nicht zugleich Federführung und Partner: Universität Vechta"],
    }
    measure.refresh_from_db()
    assert measure.goal.number == 1 and not measure.sub_goals.exists()
    assert set(measure.involvements.values_list("organisation", "role")) == involvements


def test_owner_cannot_reassign_responsibility(client, concept, owner):
    client.force_login(owner)
    measure = concept.measures.get(code="S4")
    assert "responsible_users" not in client.get(url("edit", "S4")).context["form"].fields
    intruder = UserFactory()
    response = client.post(
        url("edit", "S4"),
        {
            "version": measure.version,
            "description": "Neue Beschreibung",
            "goal": measure.goal_id,
            "responsible_users": [intruder.pk],
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Neue Beschreibung"
    assert list(measure.responsible_users.all()) == [owner]


def test_owner_edits_description_target_group_and_dates_only(client, concept, owner):
    # Behaviour changed: owners used to edit title and cadence too. The title is the one
    # the Kreistag adopted; a longer cadence would hide an overdue Sachstand.
    client.force_login(owner)
    measure = concept.measures.get(code="S4")
    title, cadence = measure.title, measure.update_cadence
    response = client.get(url("edit", "S4"))
    assert set(response.context["form"].fields) == {
        "version",
        "description",
        "target_group",
        "start_date",
        "end_date",
    }
    assert title in response.text  # shown, not editable
    response = client.post(
        url("edit", "S4"),
        {
            "version": measure.version,
            "title": "Neuer Titel",
            "update_cadence": UpdateCadence.YEARLY,
            "description": "Kurse in Lohne und Vechta.",
            "target_group": "Erwachsene",
            "start_date": "2025-02-01",
            "end_date": "",
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.update_cadence) == (title, cadence)
    assert measure.description == "Kurse in Lohne und Vechta."
    assert measure.target_group == "Erwachsene"
    assert measure.start_date == dt.date(2025, 2, 1)


def test_master_data_conflict_keeps_both_changes_apart(client, concept, coordinator):
    measure = concept.measures.get(code="S8")
    form = {
        "version": measure.version,
        "title": "Mein Titel",
        "goal": measure.goal_id,
        "update_cadence": UpdateCadence.HALF_YEARLY,
    }
    client.post(url("edit", "S8"), form)
    response = client.post(url("edit", "S8"), {**form, "title": "Anderer Titel"})
    assert response.status_code == 409
    assert "Titel: " in response.text and "Mein Titel" in response.text
    measure.refresh_from_db()
    assert measure.title == "Mein Titel"


# --- my measures and grid --------------------------------------------------------------------


def test_my_measures_lists_overdue_first(client, concept, owner):
    client.force_login(owner)
    concept.measures.get(code="B5").responsible_users.add(owner)
    # Entered ten days ago: its first Sachstand is due before S4's next one.
    Measure.objects.filter(concept=concept, code="B5").update(
        created_at=timezone.now() - dt.timedelta(days=10)
    )
    s4 = concept.measures.get(code="S4")
    progress_entry_create(
        measure=s4,
        author=owner,
        date=timezone.localdate(),
        status="in_progress",
        traffic_light="green",
        progress=10,
    )
    response = client.get(url("mine"))
    assert [m.label for m in response.context["measures"]] == ["B5", "S4"]
    assert "überfällig" in response.text


class _GridForm(HTMLParser):
    """The fields of the grid's form as a browser without JavaScript sends them."""

    def __init__(self):
        super().__init__()
        self.data, self.inside, self.select, self.first = {}, False, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == "raster"
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name"):
            self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self.select, self.first = attrs["name"], True
        elif tag == "option" and self.select:
            if self.first or "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")
            self.first = False

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def grid_page_data(html):
    parser = _GridForm()
    parser.feed(html)
    return parser.data


def grid_row(measure, **changes):
    """One row as the grid shows it (values and what was shown), with the user's changes."""
    label = measure.label
    shown = {
        "status": measure.status,
        "traffic_light": measure.traffic_light,
        "progress": measure.progress,
    }
    data = {f"{label}-version": measure.version, f"{label}-note": "", f"{label}-reason": ""}
    for name, value in shown.items():
        data[f"{label}-{name}"] = data[f"initial-{label}-{name}"] = value
    return data | {f"{label}-{name}": value for name, value in changes.items()}


def row_html(html, label):
    return html.split(f'<tr id="zeile-{label}"')[1].split("</tr>")[0]


def test_grid_saves_every_changed_row_without_javascript(client, concept, coordinator):
    page = client.get(url("grid", group="2"))
    assert [row.measure.label for row in page.context["rows"]] == ["B2", "B3", "B5"]
    data = grid_page_data(page.text)
    data |= {"B2-status": "in_progress", "B2-progress": "20", "B2-note": "Kurs läuft."}
    data |= {"B5-note": "Träger gefunden."}
    response = client.post(url("grid", group="2"), data)
    # One POST of the whole page, answered by the page with a result per row.
    assert response.status_code == 200 and response.text.startswith("<!doctype html>")
    assert "Ergebnis: 2 gespeichert, 1 ohne Änderung, 0 mit Fehler, 0 mit Konflikt." in (
        response.text
    )
    b2, b3, b5 = (concept.measures.get(code=code) for code in ("B2", "B3", "B5"))
    assert (b2.status, b2.progress) == ("in_progress", 20)
    # The automatic text and the row's short Sachstand text make one Sachstand.
    assert b2.entries.get().text == (
        "Umsetzungsstand von „nicht begonnen“ auf „in Umsetzung“ geändert. "
        "Fortschritt von 0 % auf 20 % geändert.\nKurs läuft."
    )
    assert "Gespeichert: Umsetzungsstand von" in row_html(response.text, "B2")
    # Only a text: a Sachstand of today at the unchanged state.
    entry = b5.entries.get()
    assert (entry.text, entry.date, entry.status) == (
        "Träger gefunden.",
        timezone.localdate(),
        b5.status,
    )
    assert "Gespeichert: Träger gefunden." in row_html(response.text, "B5")
    assert not b3.entries.exists()
    assert "Keine Änderung" in row_html(response.text, "B3")
    # Saved rows show the new version: saving the answer again changes nothing.
    again = client.post(url("grid", group="2"), grid_page_data(response.text))
    assert "Ergebnis: 0 gespeichert, 3 ohne Änderung" in again.text
    assert ProgressEntry.objects.count() == 2


def test_grid_rows_with_errors_keep_their_input_and_do_not_stop_the_others(
    client, concept, coordinator
):
    data = grid_page_data(client.get(url("grid", group="2")).text)
    data |= {"B2-status": "dropped", "B2-note": "Kein Träger."}  # no reason
    data |= {"B3-progress": "150"}
    data |= {"B5-status": "preparing", "B5-progress": "5"}
    response = client.post(url("grid", group="2"), data)
    html = response.text
    assert concept.measures.get(code="B5").progress == 5
    assert not concept.measures.get(code="B2").entries.exists()
    assert concept.measures.get(code="B3").progress == 0
    assert "Ergebnis: 1 gespeichert, 0 ohne Änderung, 2 mit Fehler, 0 mit Konflikt." in html
    assert "<title>Fehler: Schnellerfassung" in html
    # At the field: marked, the message beside it and named by aria-describedby.
    b2 = row_html(html, "B2")
    assert re.search(
        r'<input type="text" name="B2-reason"[^>]*class="kern-form-input__input '
        r'kern-form-input__input--error"[^>]*aria-describedby="raster-B2-reason-error"'
        r'[^>]*aria-invalid="true"',
        b2,
    )
    assert (
        '<p class="kern-error portal-grid__error" id="raster-B2-reason-error">Bitte begründen' in b2
    )
    b3 = row_html(html, "B3")
    assert 'id="raster-B3-progress-error">Dieser Wert muss kleiner oder gleich 100 sein.' in b3
    # The typed values stay, and the rows say they are not saved.
    assert '<option value="dropped" selected>' in b2 and 'value="Kein Träger."' in b2
    assert 'value="150"' in b3
    for row in (b2, b3):
        assert "data-grid-unsaved>" in row and "Fehler – nicht gespeichert." in row
    assert "data-grid-unsaved hidden>" in row_html(html, "B5")
    # The summary names row and field and leads to the field.
    assert '<a class="kern-link" href="#raster-B2-reason">B2, Begründung: Bitte begründen' in html
    assert '<a class="kern-link" href="#raster-B3-progress">B3, Fortschritt (%): Dieser' in html
    # Fixed and sent again: now the rows are saved.
    data = grid_page_data(html) | {"B2-reason": "Kein Träger.", "B3-progress": "15"}
    data |= {"B3-status": "in_progress"}
    response = client.post(url("grid", group="2"), data)
    assert "Ergebnis: 2 gespeichert, 1 ohne Änderung" in response.text
    assert concept.measures.get(code="B2").status_reason == "Kein Träger."


def test_grid_refuses_a_contradictory_state_at_the_progress(client, concept, coordinator):
    measure = concept.measures.get(code="B3")
    data = grid_row(measure, status="implemented", progress=65)
    html = client.post(url("grid", group="2"), data, headers={"hx-request": "true"}).text
    assert (
        'id="raster-B3-progress-error">Umsetzungsstand „umgesetzt“ und Fortschritt 65 % '
        "widersprechen sich: „umgesetzt“ setzt einen Fortschritt von 100 % voraus."
    ) in html
    assert not ProgressEntry.objects.exists()


def test_grid_refuses_a_reason_without_anything_to_record(client, concept, coordinator):
    measure = concept.measures.get(code="B3")
    html = client.post(url("grid", group="2"), grid_row(measure, reason="Weil.")).text
    assert 'id="raster-B3-reason-error">Eine Begründung wird nur zusammen mit' in html
    assert not ProgressEntry.objects.exists()


def test_grid_conflict_in_one_row_while_the_others_save(client, concept, coordinator):
    data = grid_page_data(client.get(url("grid", group="2")).text)
    colleague = add_member(concept, UserFactory(first_name="Kim", last_name="Kollegin"))
    for code, progress in (("B3", 40), ("B5", 30)):
        measure = concept.measures.get(code=code)
        services.measure_set_state(
            measure=measure,
            user=colleague,
            expected_version=measure.version,
            status="in_progress",
            traffic_light=measure.traffic_light,
            progress=progress,
        )
    # B3 was changed by both, B5 only by the colleague, B2 only here.
    data |= {"B2-status": "in_progress", "B2-progress": "20"}
    data |= {"B3-status": "in_progress", "B3-progress": "10", "B3-note": "Mein Text."}
    response = client.post(url("grid", group="2"), data)
    html = response.text
    assert "Ergebnis: 1 gespeichert, 1 ohne Änderung, 0 mit Fehler, 1 mit Konflikt." in html
    assert concept.measures.get(code="B2").progress == 20
    assert concept.measures.get(code="B3").progress == 40
    b3 = row_html(html, "B3")
    assert "Konflikt: Maßnahme „B3“ wurde inzwischen von Kim Kollegin geändert" in b3
    assert "Fortschritt (%): 40 → 10" not in b3 and "Fortschritt (%): 0 → 40." in b3
    # The user's input stays, marked, beside the colleague's value.
    assert 'value="10"' in b3 and 'value="Mein Text."' in b3
    assert "gespeichert ist jetzt: „40“" in b3
    # A row the user did not touch is no conflict: it shows the colleague's state.
    b5 = row_html(html, "B5")
    assert "Keine Änderung" in b5 and 'value="30"' in b5
    assert '<a class="kern-link" href="#raster-B3-status">B3: ' in html
    # Saving again is a decision on the current state: the user's 10 is saved.
    response = client.post(url("grid", group="2"), grid_page_data(html))
    assert "Ergebnis: 1 gespeichert, 2 ohne Änderung" in response.text
    b3 = concept.measures.get(code="B3")
    assert b3.progress == 10
    assert b3.entries.first().text == "Fortschritt von 40 % auf 10 % geändert.\nMein Text."


def test_grid_keeps_the_text_of_a_state_someone_else_had_set_already(client, concept, coordinator):
    data = grid_page_data(client.get(url("grid", group="2")).text)
    measure = concept.measures.get(code="B3")
    colleague = add_member(concept, UserFactory())
    services.measure_set_state(
        measure=measure,
        user=colleague,
        expected_version=measure.version,
        status="preparing",
        traffic_light=measure.traffic_light,
        progress=0,
    )
    data |= {"B3-status": "preparing", "B3-note": "Träger angefragt."}
    html = client.post(url("grid", group="2"), data).text
    # The same state is no change, but the text is not dropped: it needs the current state
    # seen first (the colleague's change of the Umsetzungsstand is a conflict).
    assert "1 mit Konflikt" in html and 'value="Träger angefragt."' in html
    html = client.post(url("grid", group="2"), grid_page_data(html)).text
    assert "Ergebnis: 1 gespeichert" in html
    assert measure.entries.order_by("-pk").first().text == "Träger angefragt."


def test_grid_with_htmx_answers_with_the_grid_and_its_summary(client, concept, coordinator):
    measure = concept.measures.get(code="B3")
    data = grid_row(measure, status="preparing", progress=15)
    response = client.post(url("grid", group="2"), data, headers={"hx-request": "true"})
    assert response.status_code == 200
    html = response.text.strip()
    assert html.startswith('<form id="raster"') and "<html" not in html
    # The summary replaces the content of the live region that stays in the page.
    assert '<div id="raster-ergebnis" hx-swap-oob="innerHTML">' in html
    assert "Ergebnis: 1 gespeichert" in html
    assert concept.measures.get(code="B3").progress == 15


def test_grid_leaves_rows_alone_that_were_not_on_the_page(client, concept, coordinator):
    data = grid_page_data(client.get(url("grid", group="2")).text)
    later = MeasureFactory(concept=concept, goal=concept.measures.get(code="B2").goal, code="B7")
    response = client.post(url("grid", group="2"), data)
    assert "Ergebnis: 0 gespeichert, 3 ohne Änderung, 0 mit Fehler" in response.text
    assert 'id="raster-B7-status"' in response.text
    assert not later.entries.exists()


def test_grid_save_all_costs_a_constant_number_of_queries_per_row(client, concept, coordinator):
    def save_all(group):
        rows = [row.measure for row in client.get(url("grid", group=group)).context["rows"]]
        data = {}
        for measure in rows:
            data |= grid_row(measure, status="in_progress", progress=10)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url("grid", group=group), data)
        assert f"Ergebnis: {len(rows)} gespeichert" in response.text
        return len(rows), len(queries)

    few, few_queries = save_all("2")
    many, many_queries = save_all("1")
    assert (few, many) == (3, 9)
    assert many_queries - few_queries <= (many - few) * GRID_QUERIES_PER_SAVED_ROW
    # Rows without a change cost nothing.
    three = grid_page_data(client.get(url("grid", group="2")).text) | {"B2-note": "x"}
    with CaptureQueriesContext(connection) as one_of_three:
        client.post(url("grid", group="2"), three)
    nine = grid_page_data(client.get(url("grid", group="1")).text) | {"S1-note": "x"}
    with CaptureQueriesContext(connection) as one_of_nine:
        client.post(url("grid", group="1"), nine)
    assert len(one_of_nine) == len(one_of_three)


# --- bounded queries -----------------------------------------------------------------------


def test_workspace_pages_run_a_bounded_number_of_queries(client, db):
    call_command("generate_demo_data", scale=1, verbosity=0)
    call_command("generate_demo_data", scale=10, verbosity=0)
    client.force_login(UserFactory(is_superuser=True))
    counts = {}
    for scale in (1, 10):
        concept = Concept.objects.get(slug=f"demo-skala-{scale}")
        measure = concept.measures.order_by("position").first()
        pages = {
            "list": reverse("measures:list", kwargs={"slug": concept.slug}),
            "list-filtered": reverse("measures:list", kwargs={"slug": concept.slug})
            + "?ampel=handlungsbedarf&ueberfaellig=on&sortierung=ampel",
            "detail": measure.get_absolute_url(),
            "mine": reverse("measures:mine", kwargs={"slug": concept.slug}),
            "grid": reverse("measures:grid", kwargs={"slug": concept.slug, "group": "1"}),
            "indicators": reverse("goals:indicator_list", kwargs={"slug": concept.slug}),
        }
        for name, target in pages.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            assert response.status_code == 200
            counts[(name, scale)] = len(queries)
        # The filtered list compares like with like: rows at both scales (the demo data has
        # a few overdue measures, dated back from today).
        listed = client.get(pages["list-filtered"]).context["page"].paginator.count
        assert listed >= scale
    for name in pages:
        assert counts[(name, 1)] == counts[(name, 10)], (name, counts)
        assert counts[(name, 10)] <= 20, (name, counts)


class _Listeners(HTMLParser):
    """The elements of a page that load something themselves: (hx-trigger, hx-get)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hx-trigger" in attrs:
            self.found.append((attrs["hx-trigger"], attrs.get("hx-get")))


def follow_ups(html, events):
    """The requests htmx makes after a response that triggered `events` (its HX-Trigger):
    every element of the page listening for one of them, or loading itself on arrival."""
    parser = _Listeners()
    parser.feed(html)
    targets = []
    for trigger, target in parser.found:
        names = {spec.split()[0] for spec in trigger.split(",")}
        if names & ({"load"} | set(events)):
            assert target, f"{trigger}: only hx-get is expected here"
            targets.append(target)
    return targets


def test_saving_the_state_runs_a_bounded_number_of_queries(
    client, concept, coordinator, django_assert_max_num_queries
):
    """One "Sachstand speichern" on the measure page (a change of state, the text left
    empty): the POST, and every request the page makes after it (found from its hx-
    attributes and the answer's HX-Trigger)."""
    measure = concept.measures.get(code="S1")
    Measure.history.filter(id=measure.pk).delete()  # as loaded from a fixture
    page = client.get(url("detail", "S1")).text

    def click(progress, post_limit):
        measure.refresh_from_db()
        data = entry_data(
            measure,
            date=timezone.localdate().strftime("%d.%m.%Y"),
            status=Status.IN_PROGRESS,
            progress=progress,
            text="",
        ) | {"aktion": "speichern"}
        with django_assert_max_num_queries(post_limit) as post:
            response = client.post(url("entry_create", "S1"), data, headers={"hx-request": "true"})
        assert response.status_code == 200 and "hx-swap-oob" in response.text
        assert f"Fortschritt von {measure.progress} % auf {progress} % geändert." in response.text
        events = json.loads(response["HX-Trigger"])
        targets = follow_ups(page + response.text, events)
        assert targets == [url("history", "S1")]
        with CaptureQueriesContext(connection) as triggered:
            for target in targets:
                assert client.get(target, headers={"hx-request": "true"}).status_code == 200
        return len(post), len(post) + len(triggered)

    # The first change of a measure loaded without history also records the state before
    # it (concept.locking's baseline), once: two queries more.
    first = click(30, 15)
    later = click(40, 15)
    assert first[1] <= 25 and later[1] <= 25, (first, later)


def test_a_quick_state_change_runs_a_bounded_number_of_queries(
    client, concept, coordinator, django_assert_max_num_queries
):
    """ "Stand speichern" (stand/), kept for pages opened before the one form: as before."""
    measure = concept.measures.get(code="S1")
    data = state_data(measure, status=Status.IN_PROGRESS, progress=30)
    with django_assert_max_num_queries(15):
        response = client.post(url("state_edit", "S1"), data, headers={"hx-request": "true"})
    assert response.status_code == 200 and "hx-swap-oob" in response.text


# --- indicator values ------------------------------------------------------------------------


def indicator_url(indicator, **kwargs):
    return reverse("goals:indicator_detail", kwargs={"slug": SLUG, "pk": indicator.pk, **kwargs})


def test_coordination_records_indicator_values(client, concept, coordinator):
    indicator = concept.indicators.get(name="Ausländer*innen")
    response = client.post(
        indicator_url(indicator),
        {"year": 2024, "value": "21.350", "breakdown": "", "source": "AZR"},
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator, reference_date=dt.date(2024, 12, 31))
    assert value.value == 21350 and value.period == "2024"
    assert value.history.get().history_user == coordinator


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": 1850, "value": "5"}, "zwischen 1990 und"),
        ({"year": 2024, "value": "viele"}, "Zahl"),
        ({"year": 2024, "value": "12,5"}, "ganze, nicht negative Zahl"),
        ({"year": 2024, "value": "-3"}, "ganze, nicht negative Zahl"),
        ({"year": 2019, "value": "1"}, "gibt es zum 31.12.2019 schon einen Wert"),
        ({"year": 2024, "value": "1", "reference_date": "2023-06-30"}, "nicht im angegebenen Jahr"),
    ],
)
def test_implausible_indicator_values_are_refused(client, concept, coordinator, data, message):
    indicator = concept.indicators.get(name="Ausländer*innen")
    before = IndicatorValue.objects.count()
    response = client.post(indicator_url(indicator), {"breakdown": "", **data})
    assert response.status_code == 200 and message in response.text
    assert IndicatorValue.objects.count() == before


@pytest.mark.parametrize("role", [roles.MEASURE_OWNERS, roles.STEERING_GROUP])
def test_only_coordination_records_indicator_values(client, concept, role):
    client.force_login(member(concept, role))
    indicator = concept.indicators.get(name="Ausländer*innen")
    assert client.get(indicator_url(indicator)).status_code == 200
    assert client.post(indicator_url(indicator), {"year": 2024, "value": "1"}).status_code == 403
    value = indicator.values.first()
    edit = reverse(
        "goals:indicator_value_edit",
        kwargs={"slug": SLUG, "pk": indicator.pk, "value_pk": value.pk},
    )
    assert client.get(edit).status_code == 403


def test_forbidden_page_explains_in_german(client, concept):
    client.force_login(member(concept, roles.STEERING_GROUP))
    response = client.get(url("grid", group="1"))
    assert response.status_code == 403
    assert "Keine Berechtigung" in response.text
    assert "Diese Funktion ist der Koordination vorbehalten." in response.text
    missing = client.get(url("detail", "X99"))
    assert missing.status_code == 404 and "Seite nicht gefunden" in missing.text


def test_sachstand_can_name_the_decision_that_caused_it(client, concept, coordinator):
    measure = concept.measures.get(code="S6")
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe Integration")
    meeting = MeetingFactory(network=committee, date=dt.date(2025, 6, 4), topic="Bilanz")
    decision = DecisionFactory(
        meeting=meeting, text="Kurse ausweiten", kind="adjust", measures=[measure]
    )
    other = DecisionFactory(meeting=meeting, text="Betrifft anderes", kind="adjust")
    form_html = client.get(url("entry_create", "S6")).text
    assert "Kurse ausweiten" in form_html and "Betrifft anderes" not in form_html
    response = client.post(
        url("entry_create", "S6"), entry_data(measure, decision=other.pk, progress=40)
    )
    assert "Auswahl" in response.text and not ProgressEntry.objects.exists()
    client.post(url("entry_create", "S6"), entry_data(measure, decision=decision.pk, progress=40))
    assert measure.entries.get().decision == decision
    assert "Anlass: Beschluss: Kurse ausweiten" in client.get(url("detail", "S6")).text


# --- user test of the workspace ----------------------------------------------------------------


def test_my_measures_shows_when_the_next_sachstand_is_due(client, concept, owner):
    client.force_login(owner)
    s4 = concept.measures.get(code="S4")
    b5 = concept.measures.get(code="B5")
    b5.responsible_users.add(owner)
    Measure.objects.filter(pk=b5.pk).update(
        start_date=timezone.localdate() - dt.timedelta(days=400),
        created_at=timezone.make_aware(dt.datetime(2020, 1, 1)),
    )
    progress_entry_create(
        measure=s4,
        author=owner,
        date=timezone.localdate(),
        status="in_progress",
        traffic_light="green",
        progress=10,
    )
    response = client.get(url("mine"))
    html = response.text
    assert "Nächster Sachstand fällig bis" in html and "Nächster fällig<" not in html
    # Half-yearly: six calendar months after the start, or after the last Sachstand.
    overdue_since = add_months(timezone.localdate() - dt.timedelta(days=400), 6)
    s4_due = add_months(timezone.localdate(), 6)
    # Overdue: its date and the badge; the other one: its date.
    assert f'{overdue_since:%d.%m.%Y} <span class="kern-badge kern-badge--warning">' in html
    assert f"{s4_due:%d.%m.%Y}</td>" in html
    assert [m.label for m in response.context["measures"]] == ["B5", "S4"]


def test_main_navigation_leads_owners_to_their_measures(client, concept, owner):
    mine = f'href="{url("mine")}"'
    client.force_login(owner)
    html = client.get(concept.get_absolute_url()).text
    nav = html.split('aria-label="Hauptnavigation"')[1].split("</nav>")[0]
    assert mine in nav and "Meine Maßnahmen" in nav
    nav = client.get(url("mine")).text.split('aria-label="Hauptnavigation"')[1]
    assert f'{mine} aria-current="page"' in nav.split("</nav>")[0]
    # An owner without a measure in this concept, and the steering group: no such entry.
    for role in (roles.MEASURE_OWNERS, roles.STEERING_GROUP):
        client.force_login(member(concept, role))
        html = client.get(concept.get_absolute_url()).text
        assert mine not in html.split('aria-label="Hauptnavigation"')[1].split("</nav>")[0]


def test_master_data_offers_the_teilziele_of_the_measures_goal(client, concept, coordinator):
    s4 = concept.measures.get(code="S4")
    elsewhere = concept.goals.get(number=3).sub_goals.first()
    s4.sub_goals.add(elsewhere)
    choices = client.get(url("edit", "S4")).context["form"].fields["sub_goals"].queryset
    own = set(s4.goal.sub_goals.all())
    # Its own goal's, and the one of another goal already assigned, so none is lost unseen.
    assert set(choices) == own | {elsewhere}
    # After choosing another goal the form comes back with that goal's Teilziele too.
    other = concept.goals.get(number=2)
    response = client.post(
        url("edit", "S4"),
        {
            "version": s4.version,
            "title": s4.title,
            "goal": other.pk,
            "sub_goals": [elsewhere.pk],
            "update_cadence": UpdateCadence.HALF_YEARLY,
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].fields["sub_goals"].queryset) == (
        own | {elsewhere} | set(other.sub_goals.all())
    )


def test_sachstand_form_sets_its_sections_above_their_fields(client, concept, coordinator):
    html = client.get(url("entry_create", "S4")).text
    for legend in ("Stand", "Kennzahlen der Maßnahme (Output)", "Nachweise"):
        # KERN floats a legend; only its fieldset body clears it.
        legend = re.escape(f'<legend class="kern-title">{legend}</legend>')
        assert re.search(legend + r'\s*<div class="kern-fieldset__body">', html), legend


def test_evidence_is_listed_by_its_file_name(client, concept, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = concept.measures.get(code="S6")
    entry = progress_entry_create(
        measure=measure,
        author=None,
        date=dt.date(2025, 1, 1),
        status="in_progress",
        traffic_light="green",
        progress=10,
    )
    EvidenceFactory(entry=entry, upload=SimpleUploadedFile("nachweis.pdf", b"%PDF-1"))
    html = client.get(url("detail", "S6")).text
    assert ">nachweis.pdf</a>" in html and f"{SLUG}/nachweis.pdf" not in html


def test_measure_page_says_when_the_next_sachstand_is_due_and_why(client, coordinator):
    concept = measures_in_every_state()
    add_member(concept, coordinator, roles.COORDINATION)
    today = timezone.localdate()

    def due_line(code):
        html = client.get(reverse("measures:detail", args=[concept.slug, code])).text
        return html.split("Letzter Sachstand</dt>")[1].split("</dd>")[0]

    s1_due = add_months(add_months(today, -1), 6)
    assert f"nächster fällig bis {s1_due:%d.%m.%Y}, Turnus halbjährlich" in due_line("S1")
    s7_due = add_months(add_months(today, -2), 1)
    overdue = due_line("S7")
    assert "überfällig" in overdue
    assert f"der nächste war fällig bis {s7_due:%d.%m.%Y}, Turnus monatlich" in overdue
    assert "kein weiterer fällig, da zurückgestellt" in due_line("S5")
