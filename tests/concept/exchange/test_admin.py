"""Import and export in the Django admin: the same resources, formats and checks."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concept import roles
from measures.models import Measure
from reporting.exchange.importing import run_import
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.factories import ConceptFactory, UserFactory, add_member
from tests.spreadsheets import read_csv_bytes, write_csv_bytes


def staff(world, role=roles.COORDINATION):
    user = add_member(world.concept, UserFactory(is_staff=True), role)
    return user


def test_admin_import_asks_for_the_concept_and_goes_through_the_services(client, world):
    user = staff(world)
    client.force_login(user)
    url = reverse("admin:measures_measure_import")
    page = client.get(url)
    assert page.status_code == 200
    concept_field = page.context["form"].fields["concept"]
    assert list(concept_field.queryset) == [world.concept]  # only the person's concepts

    content = write_csv_bytes([["Kürzel", "Ampel", "Abweichung"], ["S1", "rot", "Träger fehlt"]])
    response = client.post(
        url,
        {
            "resource": "0",
            "format": "0",
            "concept": world.concept.pk,
            "import_file": SimpleUploadedFile("m.csv", content),
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert Measure.objects.get(pk=world.s1.pk).traffic_light == "green"  # dry run
    confirm = response.context["confirm_form"]
    assert confirm.initial["concept"] == world.concept.pk

    response = client.post(reverse("admin:measures_measure_process_import"), confirm.initial)
    assert response.status_code == 302
    measure = Measure.objects.get(pk=world.s1.pk)
    assert measure.traffic_light == "red"
    assert measure.entries.order_by("-pk").first().author == user


def test_admin_import_shows_german_row_errors(client, world):
    client.force_login(staff(world))
    content = write_csv_bytes([["Kürzel", "Ampel"], ["S1", "lila"]])
    response = client.post(
        reverse("admin:measures_measure_import"),
        {
            "resource": "0",
            "format": "0",
            "concept": world.concept.pk,
            "import_file": SimpleUploadedFile("m.csv", content),
        },
    )
    page = response.content.decode()
    assert "„lila“ ist keine gültige Ampel" in page
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None


def test_admin_import_refuses_unreadable_files_in_german(client, world):
    client.force_login(staff(world))
    response = client.post(
        reverse("admin:measures_measure_import"),
        {
            "resource": "0",
            "format": "0",
            "concept": world.concept.pk,
            "import_file": SimpleUploadedFile("m.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64),
        },
    )
    assert "Das alte Excel-Format (.xls) wird nicht unterstützt" in response.content.decode()


def test_admin_import_of_a_foreign_concept_is_refused(client, world):
    client.force_login(staff(world))
    foreign = ConceptFactory()
    response = client.post(
        reverse("admin:measures_measure_import"),
        {
            "resource": "0",
            "format": "0",
            "concept": foreign.pk,
            "import_file": SimpleUploadedFile("m.csv", b"K\xc3\xbcrzel;Ampel\r\n"),
        },
    )
    assert "concept" in response.context["form"].errors


def test_admin_export_is_the_portal_export(client, world):
    client.force_login(staff(world))
    from measures.resources import ProgressEntryResource

    selected = {f"progressentryresource_{name}": "on" for name in ProgressEntryResource.Meta.fields}
    selected.pop("progressentryresource_author")  # the admin lets people pick columns
    response = client.post(
        reverse("admin:measures_progressentry_export"),
        {"resource": "0", "format": "0", "concept": world.concept.pk, **selected},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="sachstaende-')
    rows = read_csv_bytes(response.content)
    assert rows[0][:2] == ["Maßnahme", "Datum"]
    assert rows[1][0] == "S1"
    assert "erfasst von" not in rows[0]


def test_measure_owners_have_no_admin_import(client, world):
    user = staff(world, roles.MEASURE_OWNERS)
    client.force_login(user)
    response = client.get(reverse("admin:measures_measure_import"), follow=True)
    assert "/admin/" not in response.request["PATH_INFO"]


def test_admin_export_of_a_foreign_concept_is_refused(client, world):
    client.force_login(staff(world))
    foreign = ConceptFactory()
    response = client.post(
        reverse("admin:networks_network_export"),
        {"resource": "0", "format": "0", "concept": foreign.pk, "networkresource_name": "on"},
    )
    # The other concept is not even offered: the form refuses it and nothing is exported.
    assert "Content-Disposition" not in response.headers
    assert foreign.title not in response.text
    assert "concept" in response.context["form"].errors


def admin_import(client, world, content, name="m.csv"):
    return client.post(
        reverse("admin:measures_measure_import"),
        {
            "resource": "0",
            "format": "0",
            "concept": world.concept.pk,
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def test_admin_numbers_rows_like_excel_and_the_portal(client, world):
    """Header = row 1; an empty row keeps its number (as in the portal's preview)."""
    client.force_login(staff(world))
    content = write_csv_bytes(
        [
            ["Kürzel", "Ampel", "Abweichung"],
            ["S1", "rot", "Träger fehlt"],
            ["", "", ""],
            ["S2", "lila", ""],
            ["N1", "blau", ""],
        ]
    )
    response = admin_import(client, world, content)
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [4, 5]
    page = response.content.decode()
    assert "<td>4</td>" in page and "<td>5</td>" in page
    # The same file in the portal names the same rows.
    report = run_import(
        kind=KINDS_BY_KEY["measures"],
        concept=world.concept,
        user=world.user,
        file_name="m.csv",
        data=content,
        dry_run=True,
    )
    assert [row.line for row in report.rows if row.status == "error"] == [4, 5]


def test_admin_numbers_sachstaende_by_file_row_although_it_processes_newest_first(client, world):
    client.force_login(staff(world))
    content = write_csv_bytes(
        [
            ["Maßnahme", "Datum", "Umsetzungsstand", "Ampel", "Fortschritt"],
            ["S2", "01.01.2026", "in Umsetzung", "lila", "10"],
            ["S2", "01.02.2026", "in Umsetzung", "grün", "20"],
        ]
    )
    response = client.post(
        reverse("admin:measures_progressentry_import"),
        {
            "resource": "0",
            "format": "0",
            "concept": world.concept.pk,
            "import_file": SimpleUploadedFile("s.csv", content),
        },
    )
    assert [row.number for row in response.context["result"].invalid_rows] == [2]


def test_admin_import_speaks_formal_german(client, world):
    client.force_login(staff(world))
    page = admin_import(client, world, write_csv_bytes([["Kürzel", "Ampel"], ["S1", "lila"]]))
    text = page.content.decode()
    assert "Bitte korrigieren Sie diese Fehler in Ihrer Datei" in text
    assert "korrigiere " not in text and " deiner " not in text

    page = admin_import(
        client,
        world,
        write_csv_bytes([["Kürzel", "Ampel", "Abweichung"], ["S1", "rot", "Träger fehlt"]]),
    )
    text = page.content.decode()
    assert "klicken Sie auf „Import bestätigen“" in text and "klicke " not in text

    page = admin_import(client, world, write_csv_bytes([["Kürzel", "Ampel"]]))
    assert "Die Datei enthält nur Überschriften und keine Datenzeilen." in page.content.decode()
    assert " deine " not in page.content.decode()
