"""Every page at phone width (390 × 844 px): nothing scrolls sideways (WCAG 1.4.10 Reflow);
wide tables scroll inside their own labelled, focusable box."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concept import roles
from concept.models import Concept
from measures.models import Measure
from networks.models import Network, Organisation
from reporting.demo.seed import seed_demo
from tests.browser.conftest import PASSWORD, assert_accessible, assert_no_console_errors
from tests.factories import (
    AnnualReportFactory,
    ConceptFactory,
    DecisionFactory,
    EvidenceFactory,
    MeetingFactory,
    NetworkFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
)
from tests.spreadsheets import write_csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BASE = "/konzepte/lk-vechta"
LONG_LINK = (
    "https://www.landkreis-vechta.de/bildung-und-integration/sprachfoerderung/"
    "kindertagesstaetten/sprachstandsfeststellung-ergebnisbericht-2025.pdf"
)
LONG_NAME = "Koordinierungsstelle Hauptverwaltungsbeamtenkonferenz-Geschäftsstelle"

PAGE_WIDTH = "document.documentElement.scrollWidth"
# A table outside a scroll box widens the page as soon as it is wider than the screen;
# tables only for screen readers (visually hidden) cannot.
TABLES_OUTSIDE_BOX = """() => [...document.querySelectorAll('main table')]
    .filter(t => !t.closest('.portal-scroll') && !t.closest('.kern-sr-only')).length"""


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    """The demo district (LK Vechta with two years of Sachstände, Kennzahlen and a
    decision), plus what makes pages wide in real use: long names, links and file names,
    evidence, a published final report and a draft."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo(io.StringIO())
    concept = Concept.objects.get(slug="lk-vechta")
    add_wide_content(concept)
    return concept


def add_wide_content(concept):
    measure = Measure.objects.get(concept=concept, code="S4")
    entry = ProgressEntryFactory(
        measure=measure,
        date=timezone.localdate() - dt.timedelta(days=3),
        text=f"Ergebnisse der Sprachstandsfeststellung: {LONG_LINK}",
        next_steps="Integrationskursträgerkoordinierungsrunde im Herbst einberufen.",
        participants=124,
    )
    EvidenceFactory(entry=entry, url=LONG_LINK, label="")
    EvidenceFactory(
        entry=entry,
        upload=SimpleUploadedFile(
            "Teilnehmendenliste_Integrationskurs_Vechta_Fruehjahr_2025_final.pdf", b"%PDF-1.4 a"
        ),
    )
    organisation = OrganisationFactory(
        concept=concept, name=LONG_NAME, website=LONG_LINK, is_public=True
    )
    NetworkFactory(
        concept=concept,
        name=f"Arbeitskreis {LONG_NAME}",
        members=[organisation],
        platform_url=LONG_LINK,
        is_public=True,
    )
    committee = concept.networks.filter(kind=Network.Kind.COMMITTEE).first()
    meeting = MeetingFactory(
        network=committee,
        date=timezone.localdate() - dt.timedelta(days=10),
        topic=f"Sachstandsbericht {LONG_NAME}",
        presented=LONG_LINK,
    )
    DecisionFactory(
        meeting=meeting,
        text=f"Die Maßnahme wird angepasst; Unterlagen: {LONG_LINK}",
        measures=[measure],
        follow_up_date=timezone.localdate() + dt.timedelta(days=30),
    )
    AnnualReportFactory(concept=concept, year=2024, published=True)
    AnnualReportFactory(concept=concept, year=2025, foreword=f"Siehe {LONG_LINK}")


def portal_pages(concept):
    """(name, path) of every page a member of the concept reaches by links and forms."""
    measure = Measure.objects.get(concept=concept, code="S4")
    organisation = Organisation.objects.get(concept=concept, name=LONG_NAME)
    network = concept.networks.get(name=f"Arbeitskreis {LONG_NAME}")
    committee_meeting = (
        concept.networks.filter(kind=Network.Kind.COMMITTEE).first().meetings.first()
    )
    decision = committee_meeting.decisions.first()
    indicator = concept.indicators.exclude(values=None).first()
    value = indicator.values.first()
    draft = concept.reports.get(year=2025)
    final = concept.reports.get(year=2024)
    goals = [goal.number for goal in concept.goals.all()]
    m = f"{BASE}/massnahmen/{measure.code}"
    return [
        ("Konzepte", "/konzepte/"),
        ("Übersicht", f"{BASE}/"),
        ("Konzept (Aufbau)", f"{BASE}/aufbau/"),
        *[(f"Ziel {n}", f"{BASE}/ziele/{n}/") for n in goals],
        ("Mindmap", f"{BASE}/mindmap/"),
        ("Änderungen", f"{BASE}/aenderungen/?seit=01.01.2024"),
        ("Maßnahmen", f"{BASE}/massnahmen/"),
        ("Maßnahmen, gefiltert", f"{BASE}/massnahmen/?ampel=handlungsbedarf&sortierung=ampel"),
        ("Meine Maßnahmen", f"{BASE}/massnahmen/meine/"),
        *[(f"Schnellerfassung {n}", f"{BASE}/massnahmen/raster/{n}/") for n in [*goals, "k"]],
        ("Maßnahme", f"{m}/"),
        ("Maßnahme: Verlauf", f"{m}/verlauf/"),
        ("Maßnahme: Sachstände", f"{m}/sachstaende/"),
        ("Sachstand erfassen", f"{m}/sachstand/"),
        ("Maßnahme bearbeiten", f"{m}/bearbeiten/"),
        ("Gremien", f"{BASE}/gremien/"),
        ("Sitzung erfassen (Gremien)", f"{BASE}/gremien/sitzungen/neu/"),
        (
            "Sitzung bearbeiten (Gremien)",
            f"{BASE}/gremien/sitzungen/{committee_meeting.pk}/bearbeiten/",
        ),
        (
            "Beschluss erfassen",
            f"{BASE}/gremien/sitzungen/{committee_meeting.pk}/beschluesse/neu/",
        ),
        ("Beschluss bearbeiten", f"{BASE}/gremien/beschluesse/{decision.pk}/bearbeiten/"),
        ("Kennzahlen", f"{BASE}/kennzahlen/"),
        ("Kennzahl", f"{BASE}/kennzahlen/{indicator.pk}/"),
        ("Kennzahlwert bearbeiten", f"{BASE}/kennzahlen/{indicator.pk}/werte/{value.pk}/"),
        ("Netzwerke", f"{BASE}/netzwerke/"),
        ("Netzwerk", f"{BASE}/netzwerke/{network.pk}/"),
        ("Netzwerk anlegen", f"{BASE}/netzwerke/neu/"),
        ("Netzwerk bearbeiten", f"{BASE}/netzwerke/{network.pk}/bearbeiten/"),
        ("Sitzung erfassen (Netzwerk)", f"{BASE}/netzwerke/{network.pk}/sitzungen/neu/"),
        ("Akteure", f"{BASE}/akteure/"),
        ("Akteur", f"{BASE}/akteure/{organisation.pk}/"),
        ("Akteur anlegen", f"{BASE}/akteure/neu/"),
        ("Akteur bearbeiten", f"{BASE}/akteure/{organisation.pk}/bearbeiten/"),
        ("Berichte", f"{BASE}/berichte/"),
        ("Bericht (Entwurf)", f"{BASE}/berichte/{draft.pk}/"),
        ("Bericht bearbeiten", f"{BASE}/berichte/{draft.pk}/bearbeiten/"),
        ("Bericht (endgültig)", f"{BASE}/berichte/{final.pk}/"),
        ("Daten", f"{BASE}/daten/"),
        *[
            (f"Import {kind}", f"{BASE}/daten/import/{kind}/")
            for kind in ["massnahmen", "sachstaende", "netzwerke", "akteure", "kennzahlwerte"]
        ],
        ("Gliederung importieren", "/konzepte/import/"),
        ("Passwort ändern", "/passwort/aendern/"),
        ("Öffentlich: Konzepte", "/oeffentlich/"),
        ("Öffentlich: Konzept", "/oeffentlich/lk-vechta/"),
        ("Öffentlich: Netzwerke", "/oeffentlich/lk-vechta/netzwerke/"),
        ("Öffentlich: Berichte", "/oeffentlich/lk-vechta/berichte/"),
        ("Impressum", "/impressum/"),
        ("Datenschutz", "/datenschutz/"),
        ("Barrierefreiheit", "/barrierefreiheit/"),
    ]


def too_wide(page, name, response=None):
    """The page's name and width if it scrolls sideways or wraps a table in no box."""
    assert response is None or response.status in (200, 404), f"{name}: {response.status}"
    width = page.evaluate(PAGE_WIDTH)
    loose_tables = page.evaluate(TABLES_OUTSIDE_BOX)
    problems = []
    if width > PHONE["width"]:
        problems.append(f"{name} ({page.url}): {width} px breit")
    if loose_tables:
        problems.append(f"{name} ({page.url}): {loose_tables} Tabelle(n) ohne Scrollbox")
    return problems


def test_no_page_scrolls_sideways_on_a_phone(page, login, district):
    page.set_viewport_size(PHONE)
    problems = []
    for name, path in [
        ("Anmeldung", "/anmelden/"),
        ("Passwort vergessen", "/passwort/vergessen/"),
        ("Passwort vergessen: gesendet", "/passwort/vergessen/gesendet/"),
        ("Passwort neu: ungültiger Link", "/passwort/neu/MQ/ungueltig/"),
    ]:
        problems += too_wide(page, name, page.goto(path))
    login(district, role=roles.COORDINATION, first_name="Kim", last_name="Koordination")
    for name, path in portal_pages(district):
        problems += too_wide(page, name, page.goto(path))
    assert_no_console_errors(page)
    # Last, as the browser reports the status 404 on its console.
    problems += too_wide(page, "Seite nicht gefunden", page.goto(f"{BASE}/gibt-es-nicht/"))
    assert not problems, "\n".join(problems)


def test_import_previews_fit_a_phone(page, login, district):
    page.set_viewport_size(PHONE)
    login(district)
    page.goto(f"{BASE}/daten/import/sachstaende/")
    rows = [
        ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand", "Abweichung"]
    ]
    rows += [
        [code, "01.02.2026", "in Umsetzung", "gelb", "20", f"Bericht: {LONG_LINK}", "spät"]
        for code in ["S1", "S2", "B5"]
    ]
    page.get_by_label("Datei (CSV oder Excel-Arbeitsmappe .xlsx)").set_input_files(
        files=[{"name": "sachstaende.csv", "mimeType": "text/csv", "buffer": write_csv_bytes(rows)}]
    )
    page.get_by_role("button", name="Prüfen und Vorschau anzeigen").click()
    page.get_by_role("region", name="Ergebnis der Prüfung für jede Zeile der Datei").wait_for()
    problems = too_wide(page, "Import-Vorschau")

    page.goto("/konzepte/import/")
    with open("fixtures/integrationskonzept-lk-vechta.txt", "rb") as outline:
        content = outline.read()
    page.get_by_label("Gliederung (Textdatei)").set_input_files(
        files=[{"name": "gliederung.txt", "mimeType": "text/plain", "buffer": content}]
    )
    page.get_by_label("Kurzname (URL)").fill("lk-vechta-neu")
    page.get_by_role("button", name="Prüfen und Vorschau anzeigen").click()
    page.locator(".portal-scroll").first.wait_for()
    problems += too_wide(page, "Gliederungsimport-Vorschau")
    assert not problems, "\n".join(problems)
    assert_accessible(page)
    assert_no_console_errors(page)


def test_pages_on_a_phone_are_accessible(page, login, district):
    page.set_viewport_size(PHONE)
    login(district)
    final = district.reports.get(year=2024)
    for path in [
        f"{BASE}/",
        f"{BASE}/ziele/1/",
        f"{BASE}/massnahmen/raster/1/",
        f"{BASE}/massnahmen/S4/",
        f"{BASE}/gremien/",
        f"{BASE}/akteure/",
        f"{BASE}/berichte/{final.pk}/",
        "/oeffentlich/lk-vechta/netzwerke/",
    ]:
        page.goto(path)
        assert_accessible(page)
    assert_no_console_errors(page)


def test_a_wide_table_scrolls_in_its_box_by_keyboard_with_a_hint(page, login, district):
    page.set_viewport_size(PHONE)
    login(district)
    page.goto(f"{BASE}/akteure/")
    box = page.get_by_role("region", name="Akteure")
    hint = box.get_by_text("Tabelle seitlich scrollen")
    assert hint.is_visible()
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    # Keyboard users reach the box with Tab and scroll it with the arrow keys.
    box.focus()
    assert box.evaluate("b => b === document.activeElement")
    page.keyboard.press("ArrowRight")
    for _ in range(40):  # the browser may scroll smoothly
        if box.evaluate("b => b.scrollLeft") > 0:
            break
        page.wait_for_timeout(50)
    assert box.evaluate("b => b.scrollLeft") > 0
    # The hint stays in view while the table scrolls under it.
    assert hint.bounding_box()["x"] >= 0
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]


def test_a_table_that_fits_shows_no_hint(page, login, district):
    page.set_viewport_size(DESKTOP)
    login(district)
    page.goto(f"{BASE}/akteure/")
    box = page.get_by_role("region", name="Akteure")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")
    assert box.get_by_text("Tabelle seitlich scrollen").is_hidden()


def test_navigation_works_on_a_phone(page, login, district):
    page.set_viewport_size(PHONE)
    login(district)
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    for link in navigation.get_by_role("link").all():
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390
    navigation.get_by_role("link", name="Akteure").click()
    page.wait_for_url(f"**{BASE}/akteure/")
    assert page.get_by_role("heading", level=1).inner_text() == "Akteure"


def test_desktop_pages_keep_their_width(page, login, district):
    page.set_viewport_size(DESKTOP)
    login(district)
    for name, path in portal_pages(district):
        page.goto(path)
        assert page.evaluate(PAGE_WIDTH) <= DESKTOP["width"], name


def test_lockout_pages_fit_a_phone(page, browser, live_server):
    page.set_viewport_size(PHONE)
    UserFactory(username="anna-katharina.schulte-hauptverwaltung")
    for _ in range(5):
        page.goto("/anmelden/")
        page.get_by_label("Benutzername").fill("anna-katharina.schulte-hauptverwaltung")
        page.get_by_label("Passwort", exact=True).fill("falsch-falsch")
        page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("heading", name="Anmeldung vorübergehend gesperrt").wait_for()
    problems = too_wide(page, "Anmeldung gesperrt")

    admin = add_member(ConceptFactory(), UserFactory(password=PASSWORD), roles.ADMINISTRATION)
    context = browser.new_context(locale="de-DE", base_url=live_server.url, viewport=PHONE)
    other = context.new_page()
    other.goto("/anmelden/")
    other.get_by_label("Benutzername").fill(admin.username)
    other.get_by_label("Passwort", exact=True).fill(PASSWORD)
    other.get_by_role("button", name="Anmelden").click()
    other.wait_for_load_state()
    other.get_by_role("link", name="Anmeldesperren (Entsperren)").click()
    other.get_by_role("region", name="Aktuell gesperrt").wait_for()
    problems += too_wide(other, "Anmeldesperren")
    context.close()
    assert not problems, "\n".join(problems)
