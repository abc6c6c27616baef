import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concept import roles
from concept.models import Concept, LegalPage
from measures.models import Measure, Status, TrafficLight
from networks.models import Network, Organisation
from reporting.models import AnnualReport
from reporting.report.services import annual_report_publish, annual_report_withdraw
from tests.factories import (
    AnnualReportFactory,
    ConceptFactory,
    DecisionFactory,
    EvidenceFactory,
    GoalFactory,
    IndicatorFactory,
    LegalPageFactory,
    MeasureFactory,
    MeasureOrganisationFactory,
    MeetingFactory,
    NetworkFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    SubGoalFactory,
    UserFactory,
    add_member,
)

pytestmark = pytest.mark.django_db

MARKER = "GEHEIM7Q"
PDF = b"%PDF-1.7\n% Controllingbericht 2024\n%%EOF\n"


def public_url(name, concept=None, **kwargs):
    if concept is not None:
        kwargs["slug"] = concept.slug
    return reverse(f"public:{name}", kwargs=kwargs)


FINALISED = timezone.make_aware(dt.datetime(2025, 3, 14, 10, 0))
PUBLISHED = timezone.make_aware(dt.datetime(2025, 6, 20, 9, 30))


def final_report(concept, year=2024, pdf=PDF, published=True, **fields):
    """A final report, published after the Kreistag saw it unless published=False;
    `supersedes=report, correction_note=…` makes it the correction of that report."""
    report = AnnualReportFactory(
        concept=concept, year=year, pdf=pdf, final=True, published=published, **fields
    )
    # The services stamp the moment they run; the pages show the stored days.
    AnnualReport.objects.filter(pk=report.pk).update(
        finalised_at=FINALISED, published_at=PUBLISHED if published else None
    )
    report.refresh_from_db()
    return report


def public_pages(concept):
    return [
        public_url("index"),
        public_url("concept", concept),
        public_url("networks", concept),
        public_url("reports", concept),
        public_url("imprint"),
        public_url("privacy"),
        public_url("accessibility"),
    ]


@pytest.fixture
def secrets(lk_vechta):
    """LK Vechta with the marker in every internal field and in everything not published."""
    author = UserFactory(
        username=f"user{MARKER}", first_name=f"Vor{MARKER}", last_name=f"Nach{MARKER}"
    )
    lk_vechta.members.add(author)
    s1 = lk_vechta.measures.get(code="S1")
    s1.description = f"Beschreibung {MARKER}"
    s1.status_reason = f"Begründung {MARKER}"
    s1.target_group = f"Zielgruppe {MARKER}"
    s1.save()
    s1.responsible_users.add(author)
    entry = ProgressEntryFactory(
        measure=s1,
        date=dt.date(2025, 9, 19),
        status="in_progress",
        traffic_light="yellow",
        progress=40,
        text=f"Sachstand {MARKER}",
        next_steps=f"Schritte {MARKER}",
        deviation=f"Abweichung {MARKER}",
        period=f"Zeitraum {MARKER}",
        author=author,
    )
    EvidenceFactory(entry=entry, label=f"Nachweis {MARKER}", url="https://example.org/x")
    hidden = lk_vechta.measures.get(code="S2")
    hidden.title = f"Unveröffentlichte Maßnahme {MARKER}"
    hidden.is_public = False
    hidden.save()
    ProgressEntryFactory(
        measure=hidden,
        date=dt.date(2025, 10, 1),
        status="in_progress",
        traffic_light="green",
        progress=10,
    )

    kmn = lk_vechta.networks.get(name="KMN-Treffen")
    kmn.purpose = "Austausch der Migrationsberatungen"
    kmn.meeting_cadence = "vierteljährlich"
    kmn.save()
    secret_org = OrganisationFactory(
        concept=lk_vechta, name=f"Interner Akteur {MARKER}", is_public=False
    )
    jobcenter = lk_vechta.organisations.get(name="Jobcenter")
    kmn.members.add(secret_org, jobcenter)
    caritas_service = lk_vechta.networks.get(name="Migrationsdienst des Caritas-Sozialwerkes")
    caritas_service.coordinator = secret_org
    caritas_service.save()
    s1.networks.add(kmn)
    hidden.networks.add(kmn)
    MeasureOrganisationFactory(measure=s1, organisation=secret_org, role="partner")
    NetworkFactory(concept=lk_vechta, name=f"Internes Netzwerk {MARKER}", purpose=f"Zweck {MARKER}")
    committee = lk_vechta.networks.get(name="Steuerungsgruppe Integration")
    committee.purpose = f"Gremium {MARKER}"
    committee.save()
    for network in (kmn, committee):
        meeting = MeetingFactory(
            network=network,
            date=dt.date(2025, 6, 4),
            topic=f"Thema {MARKER}",
            presented=f"Vorgestellt {MARKER}",
            minutes=f"Protokoll {MARKER}",
        )
    DecisionFactory(meeting=meeting, text=f"Beschluss {MARKER}", created_by=author)
    IndicatorFactory(
        concept=lk_vechta, name=f"Interne Kennzahl {MARKER}", unit="%", is_public=False
    )
    AnnualReportFactory(concept=lk_vechta, year=2025, foreword=f"Entwurf {MARKER}", summary=MARKER)
    first = final_report(lk_vechta, foreword=f"Vorwort {MARKER}")
    final_report(lk_vechta, supersedes=first, correction_note=MARKER)
    return lk_vechta


@pytest.fixture
def concept(db):
    """An adopted concept: a goal with a Teilziel and three measures, a public network with a
    public member."""
    concept = ConceptFactory(status=Concept.Status.ADOPTED)
    goal = GoalFactory(concept=concept, number=1)
    SubGoalFactory(goal=goal, number=1)
    for code in ["S1", "S2", "S3"]:
        MeasureFactory(concept=concept, goal=goal, code=code)
    jobcenter = OrganisationFactory(concept=concept, name="Jobcenter", is_public=True)
    NetworkFactory(concept=concept, name="KMN-Treffen", is_public=True, members=[jobcenter])
    return concept


def test_public_pages_never_show_anything_internal(client, secrets):
    for url in public_pages(secrets):
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.text, url
        assert MARKER.lower() not in response.text.lower(), url


def test_public_pages_show_what_is_published(client, secrets):
    html = client.get(public_url("concept", secrets)).text
    assert "Integrationskonzept LK Vechta" in html
    for goal in secrets.goals.all():
        assert goal.aim in html
        for sub_goal in goal.sub_goals.all():
            assert sub_goal.text in html
    published = secrets.measures.filter(is_public=True)
    assert published.count() == 36
    for measure in published:
        assert f'id="massnahme-{measure.label}"' in html
    # Status, Ampel and the date of the last Sachstand, German.
    assert "gelb – Verzögerung/Risiko" in html and "19.09.2025" in html
    assert "Datenstand: 19.09.2025." in html
    assert "noch kein Sachstand" in html

    html = client.get(public_url("networks", secrets)).text
    for name in [
        "KMN-Treffen",
        "Koordinierungsstab Flüchtlinge (mit dazugehörigen Arbeitskreisen)",
        "Austausch der Migrationsberatungen",
        "vierteljährlich",
        "Jobcenter",
    ]:
        assert name in html
    assert "S1" in html and "1. Sprache" in html
    for committee in secrets.networks.filter(kind=Network.Kind.COMMITTEE):
        assert committee.name not in html


def test_public_teilziele_are_numbered_as_inside_the_portal(client, concept):
    html = client.get(public_url("concept", concept)).text
    assert "Teilziel 1.1:</span>" in html
    assert "Teilziel 1:</span>" not in html


def test_networks_page_lists_the_public_organisations_only(client, concept):
    # Neither is in any network: only the organisations section could show them.
    OrganisationFactory(
        concept=concept,
        name="Nachbarschaftsverein Lohne",
        kind=Organisation.Kind.ASSOCIATION,
        website="https://verein.example/",
        is_public=True,
    )
    OrganisationFactory(concept=concept, name=f"Stiller Akteur {MARKER}", is_public=False)
    # Nobody said this one may be shown: not public.
    OrganisationFactory(concept=concept, name=f"Neuer Akteur {MARKER}")
    jobcenter = concept.organisations.get(name="Jobcenter")
    kmn = concept.networks.get(name="KMN-Treffen")
    kmn.members.add(jobcenter)

    html = client.get(public_url("networks", concept)).text
    assert 'id="akteure"' in html
    public = concept.organisations.filter(is_public=True)
    assert html.count('id="akteur-') == public.count()
    for organisation in public:
        assert f'id="akteur-{organisation.pk}"' in html
    link = '<a class="kern-link" href="https://verein.example/" rel="noopener">'
    assert f"{link}Nachbarschaftsverein Lohne</a>" in html
    assert "Verein / Initiative" in html
    # The Jobcenter's row links the network it takes part in on the same page.
    row = html.split(f'id="akteur-{jobcenter.pk}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="#netzwerk-{kmn.pk}">KMN-Treffen</a>' in row
    assert MARKER not in html


def test_nothing_public_needs_a_login_and_a_draft_concept_is_not_public(client, concept):
    for url in public_pages(concept):
        assert client.get(url).status_code == 200, url
    final_report(concept)
    pdf_url = public_url("report_pdf", concept, year=2024, version=1)
    assert client.get(pdf_url).status_code == 200

    Concept.objects.filter(pk=concept.pk).update(status=Concept.Status.DRAFT)
    for name in ["concept", "networks", "reports"]:
        assert client.get(public_url(name, concept)).status_code == 404
    assert client.get(pdf_url).status_code == 404
    assert concept.title not in client.get(public_url("index")).text
    assert client.get(public_url("concept", slug="gibt-es-nicht")).status_code == 404


def test_archived_concept_stays_public(client, concept):
    Concept.objects.filter(pk=concept.pk).update(status=Concept.Status.ARCHIVED)
    response = client.get(public_url("concept", concept))
    assert response.status_code == 200
    assert "archiviert" in response.text


def test_reports_list_only_final_reports_and_serve_the_stored_pdf(client, concept):
    first = final_report(concept, year=2024)
    final_report(
        concept, pdf=PDF + b"korrigiert", supersedes=first, correction_note="Zahl korrigiert"
    )
    AnnualReportFactory(concept=concept, year=2025)
    html = client.get(public_url("reports", concept)).text
    assert hashlib.sha256(PDF).hexdigest() in html
    assert public_url("report_pdf", concept, year=2024, version=2) in html
    assert "ersetzt durch Fassung 2" in html
    assert "20.06.2025" in html  # published, not finalised (14.03.)
    assert "Bericht 2024 (PDF, 41\xa0Bytes)" in html
    assert public_url("report_pdf", concept, year=2025, version=1) not in html

    response = client.get(public_url("report_pdf", concept, year=2024, version=1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == PDF
    assert response["Content-Disposition"] == (
        f'attachment; filename="bericht-{concept.slug}-2024-1.pdf"'
    )
    assert response["ETag"].startswith(f'"{hashlib.sha256(PDF).hexdigest()}-')
    assert "public" in response["Cache-Control"]
    again = client.get(
        public_url("report_pdf", concept, year=2024, version=1),
        headers={"if-none-match": response["ETag"]},
    )
    assert again.status_code == 304
    assert "public" in again["Cache-Control"]
    # A draft is never served.
    assert client.get(public_url("report_pdf", concept, year=2025, version=1)).status_code == 404


def test_an_unpublished_final_report_is_not_public_but_members_download_it(
    client, concept, member_of
):
    final_report(concept, year=2023)
    unpublished = final_report(
        concept, year=2024, pdf=PDF + b"Kreistag", published=False, foreword=MARKER
    )
    html = client.get(public_url("reports", concept)).text
    assert public_url("report_pdf", concept, year=2023, version=1) in html
    assert public_url("report_pdf", concept, year=2024, version=1) not in html
    assert unpublished.pdf_sha256 not in html
    assert '<th scope="row" class="kern-table__cell">2024</th>' not in html
    assert '<th scope="row" class="kern-table__cell">2023</th>' in html
    pdf_url = public_url("report_pdf", concept, year=2024, version=1)
    response = client.get(pdf_url)
    assert response.status_code == 404
    assert "ETag" not in response and "public" not in response.get("Cache-Control", "")
    assert client.get(public_url("report_pdf", concept, year=2023, version=1)).status_code == 200

    # Members of the concept still download it in the portal.
    member_of(client, concept, role=roles.STEERING_GROUP)
    members_url = reverse("reports:download", kwargs={"slug": concept.slug, "pk": unpublished.pk})
    assert client.get(members_url).content == PDF + b"Kreistag"
    # … but logged in, the public URL still says 404: public pages ignore the visitor.
    assert client.get(pdf_url).status_code == 404


def test_an_unpublished_correction_does_not_replace_the_published_version(client, concept):
    first = final_report(concept, year=2024)
    final_report(
        concept, pdf=PDF + b"v2", supersedes=first, published=False, correction_note="Korrektur"
    )
    html = client.get(public_url("reports", concept)).text
    assert public_url("report_pdf", concept, year=2024, version=1) in html
    assert public_url("report_pdf", concept, year=2024, version=2) not in html
    assert "ersetzt durch" not in html


def test_publishing_and_withdrawing_change_the_etags(client, concept):
    user = UserFactory()
    report = final_report(concept, published=False)
    list_url = public_url("reports", concept)
    pdf_url = public_url("report_pdf", concept, year=2024, version=1)
    empty = client.get(list_url)["ETag"]
    assert client.get(pdf_url).status_code == 404

    annual_report_publish(report=report, user=user)
    listed = client.get(list_url, headers={"if-none-match": empty})
    assert listed.status_code == 200 and pdf_url in listed.text
    first = client.get(pdf_url)
    assert first.status_code == 200
    assert client.get(pdf_url, headers={"if-none-match": first["ETag"]}).status_code == 304

    annual_report_withdraw(report=report, user=user)
    withdrawn = client.get(list_url, headers={"if-none-match": listed["ETag"]})
    assert withdrawn.status_code == 200 and pdf_url not in withdrawn.text
    assert client.get(pdf_url, headers={"if-none-match": first["ETag"]}).status_code == 404

    # Published again: same bytes, but a cache must not take the old publication for it.
    annual_report_publish(report=report, user=user)
    again = client.get(pdf_url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert again.content == PDF


def test_damaged_report_is_not_served(client, concept):
    report = final_report(concept)
    AnnualReport.objects.filter(pk=report.pk).update(pdf=b"%PDF manipuliert")
    response = client.get(public_url("report_pdf", concept, year=2024, version=1))
    assert response.status_code == 500
    assert b"manipuliert" not in response.content


def test_conditional_get_returns_304_until_something_visible_changes(client, concept):
    url = public_url("concept", concept)
    response = client.get(url)
    etag = response["ETag"]
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert "Set-Cookie" not in response.headers

    not_modified = client.get(url, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert "public" in not_modified["Cache-Control"]

    # An internal change (a Sachstand's text is not shown) keeps the page as it was …
    measure = concept.measures.get(code="S1")
    measure.description = "intern"
    measure.save()
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    # … a visible one does not: a new Sachstand date, an unpublished or deleted measure,
    # a changed goal text.
    changes = [
        # The state it confirms is the measure's own: only the date is new.
        lambda: ProgressEntryFactory(
            measure=measure,
            date=dt.date(2025, 1, 2),
            status=Status.NOT_STARTED,
            traffic_light=TrafficLight.GREY,
            progress=0,
        ),
        lambda: Measure.objects.filter(code="S2").update(is_public=False),
        lambda: Measure.objects.filter(code="S3").delete(),
        lambda: concept.goals.filter(number=1).update(aim="Neue Zielaussage."),
    ]
    for change in changes:
        change()
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 200
        assert response["ETag"] != etag
        etag = response["ETag"]


@pytest.mark.parametrize("name", ["networks", "reports"])
def test_other_public_pages_answer_conditional_gets(client, concept, name):
    url = public_url(name, concept)
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    Network.objects.filter(concept=concept, name="KMN-Treffen").update(purpose="Neu")
    final_report(concept)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_logged_in_visitor_gets_the_same_cacheable_page(client, concept, member_of):
    anonymous = client.get(public_url("networks", concept))
    member_of(client, concept, role=roles.COORDINATION, first_name="Kim")
    logged_in = client.get(public_url("networks", concept))
    assert logged_in.content == anonymous.content
    assert "Cookie" not in logged_in.get("Vary", "")
    assert "Abmelden" not in logged_in.text


def _publish_scaled(scale):
    concept = Concept.objects.get(slug=f"demo-skala-{scale}")
    networks = list(concept.networks.all())
    organisations = list(concept.organisations.all())
    concept.networks.update(is_public=True)
    Network.members.through.objects.bulk_create(
        Network.members.through(network_id=n.pk, organisation_id=organisations[i % 12].pk)
        for i, n in enumerate(networks)
    )
    Measure.networks.through.objects.bulk_create(
        Measure.networks.through(measure_id=m.pk, network_id=networks[i % len(networks)].pk)
        for i, m in enumerate(concept.measures.all())
    )
    # Reports can be created up to the current year (reporting.models.report_years).
    this_year = timezone.localdate().year
    for year in range(this_year - scale + 1, this_year + 1):
        final_report(concept, year=year)
    return concept


def test_public_queries_do_not_grow_with_data(client, db):
    call_command("generate_demo_data", scale=1, verbosity=0)
    call_command("generate_demo_data", scale=10, verbosity=0)
    counts, pages = {}, {}
    for scale in (1, 10):
        concept = _publish_scaled(scale)
        for name in ["concept", "networks", "reports"]:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(public_url(name, concept))
            assert response.status_code == 200
            counts[name, scale] = len(queries)
            pages[name, scale] = response.text
    for name in ["concept", "networks", "reports"]:
        assert counts[name, 1] == counts[name, 10], name
        # One of them asks for the concept's data version (the page cache's key).
        assert counts[name, 10] <= (6 if name == "networks" else 5), name
    assert pages["concept", 10].count('id="massnahme-') == 370
    assert pages["networks", 10].count('class="portal-network"') == 110
    assert pages["reports", 10].count(".pdf") == 10


# --- Legal pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("imprint", "Impressum"),
        ("privacy", "Datenschutzerklärung"),
        ("accessibility", "Erklärung zur Barrierefreiheit"),
    ],
)
def test_legal_page_without_content_shows_a_placeholder(client, db, name, heading):
    response = client.get(public_url(name))
    assert response.status_code == 200
    assert f">{heading}</h1>" in response.text
    # Once for the whole page, not once per missing part.
    assert response.text.count("Noch nicht hinterlegt – bitte wenden Sie sich an") == 1


def test_partly_kept_accessibility_statement_names_what_is_missing(client, db):
    LegalPageFactory(
        kind=LegalPage.Kind.ACCESSIBILITY, contact_email="barrierefrei@landkreis.example"
    )
    html = client.get(public_url("accessibility")).text
    assert 'href="mailto:barrierefrei@landkreis.example"' in html
    assert "Noch nicht hinterlegt – bitte" not in html
    assert "Die Angaben zum Schlichtungsverfahren sind noch nicht hinterlegt." in html
    assert "Der Stand der Vereinbarkeit mit den Anforderungen ist noch nicht hinterlegt." in html


def test_accessibility_statement_shows_feedback_contact_and_arbitration(client, db):
    LegalPageFactory(
        kind=LegalPage.Kind.ACCESSIBILITY,
        body="Dieses Portal ist teilweise barrierefrei.\n\nNicht barrierefrei: <b>PDF</b>.",
        contact_email="barrierefrei@landkreis.example",
        contact_phone="04441 898-0",
        contact_address="Landkreis Vechta\nRavensberger Straße 20\n49377 Vechta",
        arbitration_text="Schlichtungsstelle nach dem NBGG: https://schlichtung.example/",
        arbitration_url="https://schlichtung.example/",
    )
    html = client.get(public_url("accessibility")).text
    assert "<p>Dieses Portal ist teilweise barrierefrei.</p>" in html
    assert "&lt;b&gt;PDF&lt;/b&gt;" in html and "<b>PDF</b>" not in html
    assert 'href="mailto:barrierefrei@landkreis.example"' in html
    assert "04441 898-0" in html
    assert "Ravensberger Straße 20<br>49377 Vechta" in html
    assert '<a href="https://schlichtung.example/" rel="nofollow">' in html
    assert "Zur Schlichtungsstelle" in html
    assert "Noch nicht hinterlegt" not in html
    assert f"Stand: {timezone.localdate():%d.%m.%Y}" in html


def test_every_page_links_the_legal_pages_in_its_footer(client, concept, member_of):
    links = [public_url("imprint"), public_url("privacy"), public_url("accessibility")]
    pages = [public_url("concept", concept), public_url("imprint"), reverse("login")]
    for url in pages:
        html = client.get(url).text
        assert all(f'href="{link}"' in html for link in links), url
    member_of(client, concept)
    html = client.get(reverse("networks:list", kwargs={"slug": concept.slug})).text
    footer = html.split('<footer class="portal-footer">', 1)[1]
    assert all(f'href="{link}"' in footer for link in links)


def test_only_administration_edits_legal_pages(client, db):
    edit = public_url("imprint_edit")
    response = client.get(edit)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for role in [roles.COORDINATION, roles.MEASURE_OWNERS, roles.STEERING_GROUP]:
        client.force_login(add_member(ConceptFactory(), UserFactory(), role))
        assert client.get(edit).status_code == 403
        assert client.post(edit, {"body": "Gekapert"}).status_code == 403
        # Nor in the Django admin, although Koordination may change domain data there.
        admin_page = client.get(reverse("admin:concept_legalpage_changelist"), follow=True)
        assert admin_page.status_code == 403 or "/admin/" not in admin_page.request["PATH_INFO"]
    assert not LegalPage.objects.exists()

    client.force_login(add_member(ConceptFactory(), UserFactory(), roles.ADMINISTRATION))
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {"title": "", "body": "Landkreis Vechta\nRavensberger Straße 20"},
        follow=True,
    )
    assert "„Impressum“ gespeichert." in response.text
    page = LegalPage.objects.get(kind=LegalPage.Kind.IMPRINT)
    assert page.body.startswith("Landkreis Vechta")
    assert "Ravensberger Straße 20" in client.get(public_url("imprint")).text
    assert client.get(reverse("admin:concept_legalpage_changelist")).status_code == 200


def test_administration_finds_the_legal_page_editors_in_the_portal(client, concept):
    edit = public_url("accessibility_edit")
    coordination = add_member(concept, UserFactory(), roles.COORDINATION)
    client.force_login(coordination)
    assert edit not in client.get(concept.get_absolute_url()).text
    admin = add_member(concept, UserFactory(), roles.ADMINISTRATION)
    client.force_login(admin)
    assert f'href="{edit}"' in client.get(concept.get_absolute_url()).text
    # Only the accessibility statement asks for the feedback contact.
    assert "Rückmeldungen zu Barrieren" in client.get(edit).text
    assert "Rückmeldungen zu Barrieren" not in client.get(public_url("imprint_edit")).text


def test_legal_page_edit_refuses_a_stale_form(client, db):
    client.force_login(UserFactory(is_superuser=True, first_name="Ada", last_name="Admin"))
    edit = public_url("privacy_edit")
    client.post(edit, {"body": "Erste Fassung"})
    page = LegalPage.objects.get(kind=LegalPage.Kind.PRIVACY)
    client.post(edit, {"body": "Zweite Fassung", "version": page.version})
    response = client.post(edit, {"body": "Dritte Fassung", "version": page.version})
    assert response.status_code == 409
    assert "Zwischenzeitlich geändert – nicht gespeichert" in response.text
    assert "von Ada Admin geändert" in response.text
    assert "Text: Erste Fassung → <strong>Zweite Fassung</strong>" in response.text
    page.refresh_from_db()
    assert page.body == "Zweite Fassung"
    # The input stays, marked; the form now carries the current version.
    form = response.context["form"]
    assert form["body"].value() == "Dritte Fassung"
    assert form["version"].value() == str(page.version)
    assert client.post(edit, {"body": "Dritte Fassung", "version": page.version}).status_code == 302
    page.refresh_from_db()
    assert page.body == "Dritte Fassung"


def test_legal_pages_answer_conditional_gets(client, db):
    url = public_url("imprint")
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    LegalPageFactory(kind=LegalPage.Kind.IMPRINT, body="Neu")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_no_template_syntax_leaks_into_public_pages(client, lk_vechta):
    for url in [f"/oeffentlich/{lk_vechta.slug}/", f"/oeffentlich/{lk_vechta.slug}/netzwerke/"]:
        html = client.get(url).text
        assert "{#" not in html and "#}" not in html and "{%" not in html, url
