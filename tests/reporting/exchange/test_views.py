"""The exchange screens: who may export and import, the preview and confirmation."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concept import roles
from concept.exchange.writing import XLSX_CONTENT_TYPE
from concept.models import Concept
from measures import services
from measures.models import Measure
from reporting.exchange.kinds import KINDS
from tests.factories import ConceptFactory, UserFactory
from tests.spreadsheets import read_csv_bytes, write_csv_bytes


def overview(concept):
    return reverse("exchange:overview", kwargs={"slug": concept.slug})


def export_url(concept, kind="massnahmen", fmt="csv"):
    return reverse("exchange:export", kwargs={"slug": concept.slug, "kind": kind, "fmt": fmt})


def import_url(concept, kind="sachstaende"):
    return reverse("exchange:import", kwargs={"slug": concept.slug, "kind": kind})


def confirm_url(concept, kind="sachstaende"):
    return reverse("exchange:import_confirm", kwargs={"slug": concept.slug, "kind": kind})


def upload(content, name="sachstaende.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


NEW_ENTRY = write_csv_bytes(
    [
        ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Sachstand", "Abweichung"],
        ["S2", "01.02.2026", "in Umsetzung", "gelb", "30", "Kurs läuft", "Kursraum fehlt"],
    ]
)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", lambda c: overview(c)),
        ("get", lambda c: export_url(c)),
        ("get", lambda c: import_url(c)),
        ("post", lambda c: import_url(c)),
        ("post", lambda c: confirm_url(c)),
    ],
)
def test_anonymous_is_sent_to_login(client, world, method, url):
    response = getattr(client, method)(url(world.concept))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "can_import"),
    [
        (roles.STEERING_GROUP, False),
        (roles.MEASURE_OWNERS, False),
        (roles.COORDINATION, True),
        (roles.ADMINISTRATION, True),
    ],
)
def test_every_member_exports_only_koordination_imports(client, world, member_of, role, can_import):
    member_of(client, world.concept, role)
    assert client.get(overview(world.concept)).status_code == 200
    for kind in KINDS:
        for fmt in ("csv", "xlsx"):
            assert client.get(export_url(world.concept, kind.slug, fmt)).status_code == 200
    expected = 200 if can_import else 403
    assert client.get(import_url(world.concept)).status_code == expected
    response = client.post(import_url(world.concept), {"file": upload(NEW_ENTRY)})
    assert response.status_code == expected
    assert client.post(confirm_url(world.concept), {"token": "x" * 32}).status_code in (
        {302} if can_import else {403}
    )
    page = client.get(overview(world.concept)).content.decode()
    assert ("Sachstände importieren" in page) == can_import


def test_superuser_imports_without_membership(client, world):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(import_url(world.concept)).status_code == 200


def test_other_districts_concept_is_not_found(client, world, member_of):
    other = ConceptFactory()
    member_of(client, other, roles.COORDINATION)
    assert client.get(overview(world.concept)).status_code == 404
    assert client.get(export_url(world.concept)).status_code == 404
    assert client.get(import_url(world.concept)).status_code == 404
    assert client.post(import_url(world.concept), {"file": upload(NEW_ENTRY)}).status_code == 404


def test_unknown_kind_is_not_found(client, world, member_of):
    member_of(client, world.concept, roles.COORDINATION)
    assert client.get(export_url(world.concept, "geheim")).status_code == 404
    assert client.get(import_url(world.concept, "geheim")).status_code == 404


def test_export_response(client, world, member_of):
    member_of(client, world.concept, roles.STEERING_GROUP)
    response = client.get(export_url(world.concept))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="massnahmen-lk-test-')
    assert disposition.endswith('.csv"')
    assert response["X-Content-Type-Options"] == "nosniff"
    response = client.get(export_url(world.concept, "netzwerke", "xlsx"))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response.content.startswith(b"PK")


def test_measure_export_follows_the_list_filters(client, world, member_of):
    member_of(client, world.concept, roles.STEERING_GROUP)
    services.measure_set_state(
        measure=world.s2,
        user=world.user,
        expected_version=world.s2.version,
        status="in_progress",
        traffic_light="red",
        reason="Träger fehlt.",
        progress=10,
    )
    rows = read_csv_bytes(client.get(export_url(world.concept) + "?ampel=red").content)
    assert [row[0] for row in rows[1:]] == ["S2"]
    rows = read_csv_bytes(client.get(export_url(world.concept) + "?ziel=k").content)
    assert [row[0] for row in rows[1:]] == ["N1"]
    rows = read_csv_bytes(
        client.get(export_url(world.concept, "sachstaende") + "?ampel=red").content
    )
    assert {row[0] for row in rows[1:]} == {"S2"}
    # The list page links to exactly that export.
    page = client.get(reverse("measures:list", kwargs={"slug": world.concept.slug}) + "?ampel=red")
    assert f'href="{export_url(world.concept)}?ampel=red"' in page.content.decode()


def test_list_pages_link_their_exports(client, world, member_of):
    member_of(client, world.concept, roles.STEERING_GROUP)
    slug = world.concept.slug
    pages = {
        reverse("goals:indicator_list", kwargs={"slug": slug}): "kennzahlwerte",
        reverse("networks:list", kwargs={"slug": slug}): "netzwerke",
        reverse("reporting:goal_detail", kwargs={"slug": slug, "number": 1}): "massnahmen",
    }
    for url, kind in pages.items():
        page = client.get(url).content.decode()
        assert export_url(world.concept, kind) in page, url
        assert "Datei importieren" not in page


def test_preview_then_confirm(client, world, member_of):
    user = member_of(client, world.concept, roles.COORDINATION)
    response = client.post(import_url(world.concept), {"file": upload(NEW_ENTRY)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 neu, 0 geändert, 0 unverändert" in page
    assert "Import speichern" in page
    assert not world.s2.entries.exists()  # the preview writes nothing
    token = response.context["token"]

    response = client.post(confirm_url(world.concept), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("measures:list", kwargs={"slug": world.concept.slug})
    entry = world.s2.entries.get()
    assert entry.author == user
    assert entry.history.get().history_user == user
    assert Measure.objects.get(pk=world.s2.pk).traffic_light == "yellow"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Import „sachstaende.csv“ gespeichert: 1 neu, 0 geändert, 0 unverändert."]

    # A token works once.
    response = client.post(confirm_url(world.concept), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == import_url(world.concept)
    assert world.s2.entries.count() == 1


def test_preview_shows_row_errors_and_offers_no_confirmation(client, world, member_of):
    member_of(client, world.concept, roles.COORDINATION)
    content = write_csv_bytes(
        [
            ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt"],
            ["S2", "31.02.2025", "fertig", "gelb", "30"],
        ]
    )
    response = client.post(import_url(world.concept), {"file": upload(content)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Zeile 2, Spalte „Datum“: „31.02.2025“ ist kein gültiges Datum" in page
    assert "„fertig“ ist kein gültiger Umsetzungsstand" in page
    assert "Import speichern" not in page
    assert response.context["token"] is None


def test_preview_lists_changed_fields(client, world, member_of):
    member_of(client, world.concept, roles.COORDINATION)
    content = write_csv_bytes(
        [["Kürzel", "Ampel", "Fortschritt", "Abweichung"], ["S1", "rot", "45", "Träger fehlt"]]
    )
    response = client.post(
        import_url(world.concept, "massnahmen"), {"file": upload(content, "m.csv")}
    )
    page = response.content.decode()
    assert "<strong>Ampel:</strong> grün → rot" in page
    assert "<strong>Fortschritt:</strong> 40 → 45" in page


def test_preview_shows_money_as_the_measure_page_does(client, world, member_of):
    """Two decimals and grouped thousands: 1.250,50 €, not 1250,5."""
    member_of(client, world.concept, roles.COORDINATION)
    content = write_csv_bytes(
        [
            ["ID", "Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt", "Kosten"],
            [world.entry.pk, "S1", "30.06.2025", "in Umsetzung", "grün", "40", "12.000"],
        ]
    )
    response = client.post(import_url(world.concept), {"file": upload(content)})
    assert "<strong>Kosten:</strong> 1.250,50\xa0€ → 12.000,00\xa0€" in response.content.decode()
    page = client.get(import_url(world.concept)).content.decode()
    assert "Betrag in Euro, z. B. 1.250,50" in page  # the upload page's column notes


def test_file_without_changes_needs_no_confirmation(client, world, member_of):
    member_of(client, world.concept, roles.COORDINATION)
    content = client.get(export_url(world.concept)).content
    response = client.post(
        import_url(world.concept, "massnahmen"), {"file": upload(content, "m.csv")}
    )
    assert "keine Änderungen" in response.content.decode()
    assert response.context["token"] is None


def test_preview_says_which_rows_keep_what_others_changed_since_the_export(
    client, world, member_of
):
    member_of(client, world.concept, roles.COORDINATION)
    rows = read_csv_bytes(client.get(export_url(world.concept)).content)
    services.measure_set_state(
        measure=world.s1,
        user=world.user,
        expected_version=world.s1.version,
        status="in_progress",
        traffic_light="red",
        reason="Träger fehlt.",
        progress=45,
    )
    rows[[r[0] for r in rows].index("S2")][rows[0].index("Ampel")] = "rot"
    rows[[r[0] for r in rows].index("S2")][rows[0].index("Abweichung")] = "Träger fehlt"
    response = client.post(
        import_url(world.concept, "massnahmen"), {"file": upload(write_csv_bytes(rows), "m.csv")}
    )
    page = response.content.decode()
    assert "1 geändert" in page and "Import speichern" in page
    line = [r[0] for r in rows].index("S1") + 1
    notice = (
        "Maßnahme „S1“ wurde seit dem Export von anderen geändert („Ampel“, „Fortschritt“); "
        "Ihre Datei ändert hier nichts."
    )
    assert f"<li>Zeile {line}: {notice}</li>" in page  # above the rows
    assert f"<strong>Hinweis:</strong> {notice}</li>" in page  # in the row


def test_confirm_refuses_what_changed_since_the_preview(client, world, member_of):
    member_of(client, world.concept, roles.COORDINATION)
    content = client.get(export_url(world.concept)).content
    rows = read_csv_bytes(content)
    rows[[r[0] for r in rows].index("S1")][rows[0].index("Ampel")] = "rot"
    rows[[r[0] for r in rows].index("S1")][rows[0].index("Abweichung")] = "Träger fehlt"
    response = client.post(
        import_url(world.concept, "massnahmen"), {"file": upload(write_csv_bytes(rows), "m.csv")}
    )
    token = response.context["token"]
    services.measure_set_state(
        measure=world.s1,
        user=world.user,
        expected_version=world.s1.version,
        status="in_progress",
        traffic_light="yellow",
        reason="Träger fehlt.",
        progress=50,
    )
    response = client.post(confirm_url(world.concept, "massnahmen"), {"token": token})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Beim Speichern ist die Prüfung fehlgeschlagen – es wurde nichts gespeichert." in page
    assert "wurde seit dem Export geändert" in page
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "yellow"


def test_token_of_another_session_or_kind_is_refused(client, world, member_of, django_user_model):
    member_of(client, world.concept, roles.COORDINATION)
    token = client.post(import_url(world.concept), {"file": upload(NEW_ENTRY)}).context["token"]
    assert (
        client.post(confirm_url(world.concept, "massnahmen"), {"token": token}).status_code == 302
    )
    assert not world.s2.entries.exists()
    other = client.__class__()
    member_of(other, world.concept, roles.COORDINATION)
    assert other.post(confirm_url(world.concept), {"token": token}).status_code == 302
    assert not world.s2.entries.exists()


def test_upload_form_errors(client, world, member_of, monkeypatch):
    member_of(client, world.concept, roles.COORDINATION)
    response = client.post(import_url(world.concept), {})
    assert response.context["form"].errors["file"] == ["Dieses Feld ist zwingend erforderlich."]
    monkeypatch.setattr("concept.exchange.reading.MAX_BYTES", 10)
    response = client.post(import_url(world.concept), {"file": upload(NEW_ENTRY)})
    assert "Die Datei ist zu groß" in response.content.decode()
    assert "Import speichern" not in response.content.decode()


EXPORT_KINDS = [kind.slug for kind in KINDS]


def test_exports_run_the_same_queries_at_scale_1_and_10(client, db):
    client.force_login(UserFactory(is_superuser=True))
    counts = {}
    for scale in (1, 10):
        call_command("generate_demo_data", scale=scale, verbosity=0)
        concept = Concept.objects.get(slug=f"demo-skala-{scale}")
        for kind in EXPORT_KINDS:
            for query in ("", "?ziel=1&sortierung=ampel"):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(export_url(concept, kind) + query)
                assert response.status_code == 200
                counts[(scale, kind, query)] = len(queries)
    for kind in EXPORT_KINDS:
        for query in ("", "?ziel=1&sortierung=ampel"):
            assert counts[(1, kind, query)] == counts[(10, kind, query)], (kind, query, counts)
            assert counts[(1, kind, query)] <= 12


@pytest.mark.parametrize(
    ("kind", "query", "message"),
    [
        ("massnahmen", "?ampel=bogus", "Der Filter „ampel“ hat den ungültigen Wert „bogus“"),
        ("massnahmen", "?ziel=9", "Der Filter „ziel“ hat den ungültigen Wert „9“"),
        ("sachstaende", "?status=fertig", "Der Filter „status“ hat den ungültigen Wert „fertig“"),
        ("sachstaende", "?massnahme=X9", "Diese Maßnahme gibt es in diesem Konzept nicht."),
        ("kennzahlwerte", "?kennzahl=abc", "Diese Kennzahl gibt es in diesem Konzept nicht."),
        ("kennzahlwerte", "?ziel=7", "Ein strategisches Ziel mit dieser Nummer gibt es nicht."),
    ],
)
def test_invalid_export_filters_are_refused_instead_of_exporting_everything(
    client, world, member_of, kind, query, message
):
    member_of(client, world.concept, roles.STEERING_GROUP)
    for fmt in ("csv", "xlsx"):
        response = client.get(export_url(world.concept, kind, fmt) + query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Content-Disposition" not in response
        page = response.content.decode()
        assert message in page
        assert "es wurde keine Datei erstellt" in page


def test_valid_and_unknown_parameters_still_export(client, world, member_of):
    member_of(client, world.concept, roles.STEERING_GROUP)
    for kind, query in [
        ("massnahmen", "?ampel=&ziel=1&seite=2"),  # empty filters, the list's page number
        ("sachstaende", "?massnahme=S1"),
        ("kennzahlwerte", f"?kennzahl={world.indicator.pk}&ziel=1"),
        ("akteure", "?ampel=bogus"),  # organisations have no filters
    ]:
        response = client.get(export_url(world.concept, kind) + query)
        assert response.status_code == 200, (kind, query)
        assert response["Content-Disposition"].startswith("attachment;")
    response = client.get(export_url(world.concept, "sachstaende") + "?massnahme=S1")
    rows = read_csv_bytes(response.content)
    assert [row[0] for row in rows[1:]] == ["S1"]
