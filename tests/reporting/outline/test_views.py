"""The browser flow: upload → preview → confirm, and the outline download."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concept import roles
from concept.models import Concept
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from reporting.outline.export import outline_export
from reporting.outline.views import UPLOADS
from tests.factories import (
    ConceptFactory,
    MeasureFactory,
    ProgressEntryFactory,
    UserFactory,
    add_member,
)
from tests.reporting.outline.helpers import SEED_PATH

pytestmark = pytest.mark.django_db

SEED = SEED_PATH.read_bytes()
IMPORT_URL = reverse("concept:outline_import")
CONFIRM_URL = reverse("concept:outline_import_confirm")


def upload(data=SEED, name="gliederung.txt"):
    return SimpleUploadedFile(name, data, content_type="text/plain")


HOME = "eigenes-konzept"


def imported():
    """The concepts besides the one the person logged in with."""
    return Concept.objects.exclude(slug=HOME)


def login(client, role=roles.COORDINATION, **fields):
    # In a concept of their own: whoever edits a concept may start a new one.
    home = Concept.objects.filter(slug=HOME).first() or ConceptFactory(slug=HOME)
    user = add_member(home, UserFactory(**fields), role)
    client.force_login(user)
    return user


def preview(client, slug="lk-vechta-neu", data=SEED, **extra):
    return client.post(IMPORT_URL, {"file": upload(data), "slug": slug, **extra})


# --- who may import ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, concept):
    for url in [IMPORT_URL, reverse("concept:outline_export", args=[concept.slug])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    response = client.post(CONFIRM_URL, {"token": "x"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [roles.STEERING_GROUP, roles.MEASURE_OWNERS])
def test_other_roles_are_refused(client, role):
    login(client, role)
    assert client.get(IMPORT_URL).status_code == 403
    assert preview(client).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "x"}).status_code == 403
    assert imported().count() == 0


@pytest.mark.parametrize(
    "fields",
    [{"role": roles.COORDINATION}, {"role": roles.ADMINISTRATION}, {"is_superuser": True}],
)
def test_editors_see_the_upload_form(client, fields):
    login(client, **fields)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    html = response.text
    assert "Konzept aus Gliederung importieren" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label class="kern-label" for="id_file">' in html
    assert '<label class="kern-label" for="id_slug">' in html


def test_import_link_is_shown_to_editors_only(client, concept, member_of):
    member_of(client, concept, role=roles.STEERING_GROUP)
    assert IMPORT_URL not in client.get(reverse("concept:list")).text
    member_of(client, concept, role=roles.COORDINATION)
    assert IMPORT_URL in client.get(reverse("concept:list")).text


# --- preview and confirm -----------------------------------------------------------------------


def test_coordination_previews_then_confirms(client):
    user = login(client)
    response = preview(client)
    assert response.status_code == 200
    html = response.text
    assert imported().count() == 0, "nothing is written before the confirmation"
    assert "Vorschau: Integrationskonzept LK Vechta" in html
    assert "7 strategische Ziele, 28 Teilziele, 37 Maßnahmen, 11 Aussagen, 2 Kennzahlen" in html
    assert "Strategisches Ziel 1: Sprachförderung und Spracherwerb" in html
    assert "Jede*r Zugewanderte spricht die deutsche Sprache." in html
    assert "Alphabetisierungskurse anbieten" in html
    assert "Ausländer*innen nach Staatsangehörigkeit (Top 10)" in html and "20.714" in html
    assert "Zeile 93: 3.1 enthält offenbar eine Liste in einer Zeile" in html
    assert "Akteure und Netzwerke" in html
    token = response.context["token"]
    assert f'name="token" value="{token}"' in html

    response = client.post(CONFIRM_URL, {"token": token})
    concept = Concept.objects.get(slug="lk-vechta-neu")
    assert response.status_code == 302
    assert response.url == concept.get_absolute_url()
    assert concept.members.filter(pk=user.pk).exists()
    assert concept.status == Concept.Status.DRAFT
    assert Measure.objects.filter(concept=concept).count() == 37
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "„Integrationskonzept LK Vechta“ wurde als Entwurf angelegt: 7 strategische Ziele, "
        "28 Teilziele, 37 Maßnahmen, 11 Aussagen, 2 Kennzahlen."
    ]
    assert client.session[UPLOADS.session_key] == {}


def test_preview_lists_the_statements_with_their_numbers(client):
    login(client)
    html = preview(client).text
    assert "Ausgangslage (5)" in html and "Fortschreibung / Evaluation (4)" in html
    assert (
        '<li><span class="portal-number">1.1.3</span> Über die Lebens- und Arbeitsbedingungen '
        "der hier lebenden Arbeitsmigranten/-migrantinnen gibt es nur ausschnitthafte "
        "Kenntnisse.</li>"
    ) in html
    assert '<span class="portal-number">3.1</span> Vorhandene Netzwerke (beispielhaft):' in html
    assert "u.v.m. <em>(zum Trennen markiert)</em>" in html
    assert '<li><span class="portal-number">5.4</span> Ggfs. Anpassung der Maßnahmen</li>' in html


def test_a_preview_can_be_confirmed_only_once(client):
    login(client)
    token = preview(client).context["token"]
    client.post(CONFIRM_URL, {"token": token})
    response = client.post(CONFIRM_URL, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == IMPORT_URL
    assert "Diese Vorschau ist nicht mehr gültig" in response.text
    assert imported().count() == 1


def test_unknown_token_writes_nothing(client):
    login(client)
    response = client.post(CONFIRM_URL, {"token": "erfunden"})
    assert response.status_code == 302 and response.url == IMPORT_URL
    assert imported().count() == 0


def test_confirm_checks_again(client):
    login(client)
    token = preview(client).context["token"]
    ConceptFactory(slug="lk-vechta-neu")  # someone else took the slug meanwhile
    response = client.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 200
    assert "Beim Bestätigen ist die Prüfung fehlgeschlagen" in response.text
    assert "Es gibt bereits ein Konzept mit dem Kurznamen „lk-vechta-neu“." in response.text
    assert imported().count() == 1 and Measure.objects.count() == 0


def test_confirm_is_post_only(client):
    login(client)
    assert client.get(CONFIRM_URL).status_code == 405


# --- errors --------------------------------------------------------------------------------------


def test_outline_errors_are_listed_with_line_numbers(client):
    login(client)
    lines = SEED.decode().split("\n")
    lines[24] = ""  # 2.1.2 → a gap before 2.1.3 in line 27
    lines[132] = "4.2.2. Maßnahme B1: doppelt"
    response = preview(client, data="\n".join(lines).encode())
    assert response.status_code == 200
    html = response.text
    assert "Die Datei enthält 2 Fehler – es wurde nichts gespeichert." in html
    assert "Zeile 27: Nummerierungslücke – nach 2.1.1 folgt 2.1.3 (erwartet 2.1.2)." in html
    assert "Zeile 133: Das Maßnahmenkürzel B1 kommt doppelt vor (zuerst in Zeile 131)." in html
    # The file field points to the list and is marked invalid for assistive technology.
    assert 'id="id_file-error"' in html and 'aria-invalid="true"' in html
    assert "Die Gliederung enthält 2 Fehler – siehe Fehlerliste oben." in html
    assert imported().count() == 0
    assert UPLOADS.session_key not in client.session


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02\x03PK", "Die Datei ist keine Textdatei"),
        (b"x" * (1024 * 1024 + 1), "Die Datei ist 1.024 KB groß; erlaubt ist höchstens 1 MB"),
    ],
)
def test_files_that_cannot_be_outlines(client, data, message):
    login(client)
    response = preview(client, data=data)
    assert response.status_code == 200
    assert message in response.text
    assert imported().count() == 0


def test_missing_file_and_invalid_slug(client):
    login(client)
    response = client.post(IMPORT_URL, {"slug": "Kein Slug!"})
    html = response.text
    assert "Bitte eine Datei mit der Gliederung auswählen." in html
    assert "Nur Kleinbuchstaben ohne Umlaute, Ziffern und Bindestriche" in html
    assert "Vorschlag: kein-slug" in html


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [("LK-Vechta", "lk-vechta"), ("lk_vechta", "lk-vechta"), ("LK Vechta_2025", "lk-vechta-2025")],
)
def test_slug_is_what_the_help_text_promises(client, slug, suggestion):
    login(client)
    html = client.post(IMPORT_URL, {"slug": slug}).text
    assert "Nur Kleinbuchstaben ohne Umlaute" in html
    assert f"Vorschlag: {suggestion}" in html


@pytest.mark.parametrize("slug", ["lk--vechta", "-lk"])
def test_malformed_slug_is_refused(client, slug):
    login(client)
    assert "Nur Kleinbuchstaben ohne Umlaute" in client.post(IMPORT_URL, {"slug": slug}).text


def test_after_a_slug_error_the_user_is_told_to_choose_the_file_again(client):
    login(client)
    response = preview(client, slug="LK Vechta")
    assert "Wählen Sie die Datei bitte erneut aus" in response.text
    assert imported().count() == 0


# --- replacing -----------------------------------------------------------------------------------


def test_existing_slug_needs_the_replace_checkbox(client):
    ConceptFactory(slug="lk-vechta")
    login(client)
    response = preview(client, slug="lk-vechta")
    assert "Es gibt bereits ein Konzept mit dem Kurznamen „lk-vechta“." in response.text
    assert "token" not in response.context


def test_replacing_needs_membership(client):
    ConceptFactory(slug="lk-vechta")
    login(client)
    response = preview(client, slug="lk-vechta", replace="on")
    assert "ersetzen nur seine Koordination und Administration" in response.text
    assert "token" not in response.context


def test_member_replaces_after_seeing_what_is_deleted(client, lk_vechta, member_of):
    user = member_of(client, lk_vechta, role=roles.COORDINATION)
    response = preview(client, slug="lk-vechta", replace="on")
    html = response.text
    assert "Das bestehende Konzept „Integrationskonzept LK Vechta“ wird ersetzt" in html
    assert "<li>12 Akteure</li>" in html and "<li>37 Maßnahmen</li>" in html
    assert "Konzept ersetzen" in html
    assert Concept.objects.get(slug="lk-vechta").pk == lk_vechta.pk

    client.post(CONFIRM_URL, {"token": response.context["token"]})
    new = Concept.objects.get(slug="lk-vechta")
    assert new.pk != lk_vechta.pk
    assert new.members.filter(pk=user.pk).exists()


# --- export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", roles.ALL)
def test_members_download_the_outline(client, concept, member_of, role):
    member_of(client, concept, role=role)
    response = client.get(reverse("concept:outline_export", args=[concept.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{concept.slug}-gliederung.txt"'
    )
    assert response.content.decode("utf-8") == outline_export(concept)


def test_outline_of_another_district_is_not_found(client, concept):
    login(client)
    assert client.get(reverse("concept:outline_export", args=[concept.slug])).status_code == 404


def test_concept_page_links_the_download(client, concept, member_of):
    member_of(client, concept, role=roles.STEERING_GROUP)
    html = client.get(reverse("concept:structure", args=[concept.slug])).text
    assert reverse("concept:outline_export", args=[concept.slug]) in html
    assert IMPORT_URL not in html


def test_replace_is_refused_when_the_concept_changed_after_the_preview(client, member_of):
    lk_vechta = ConceptFactory(slug="lk-vechta")
    MeasureFactory(concept=lk_vechta, code="S1")
    user = member_of(client, lk_vechta, role=roles.COORDINATION)
    token = preview(client, slug="lk-vechta", replace="on").context["token"]
    # Meanwhile someone records a Sachstand: the preview did not show it would be deleted.
    ProgressEntryFactory(
        measure=Measure.objects.get(concept=lk_vechta, code="S1"),
        author=user,
        date=dt.date(2025, 5, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=20,
    )
    response = client.post(CONFIRM_URL, {"token": token})
    assert response.status_code == 200
    assert "Das Konzept „lk-vechta“ wurde seit der Vorschau geändert" in response.text
    assert Concept.objects.get(slug="lk-vechta").pk == lk_vechta.pk
    assert ProgressEntry.objects.count() == 1


def test_export_runs_a_bounded_number_of_queries(
    client, lk_vechta, member_of, django_assert_max_num_queries
):
    member_of(client, lk_vechta, role=roles.STEERING_GROUP)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("concept:outline_export", args=["lk-vechta"]))
    assert response.status_code == 200
