"""Import and export in the Django admin: the same resources, formats and checks."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concept import roles
from measures.models import Measure
from tests.exchange.files import read_csv_bytes, write_csv_bytes
from tests.factories import ConceptFactory, UserFactory


def staff(world, role=roles.COORDINATION):
    user = UserFactory(is_staff=True, role=role)
    world.concept.members.add(user)
    return user


def test_admin_import_asks_for_the_concept_and_goes_through_the_services(client, world):
    user = staff(world)
    client.force_login(user)
    url = reverse("admin:measures_measure_import")
    page = client.get(url)
    assert page.status_code == 200
    concept_field = page.context["form"].fields["concept"]
    assert list(concept_field.queryset) == [world.concept]  # only the person's concepts

    content = write_csv_bytes([["Kürzel", "Ampel"], ["S1", "rot"]])
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
    assert client.get(reverse("admin:measures_measure_import")).status_code == 403


def test_admin_export_of_a_foreign_concept_is_refused(client, world):
    client.force_login(staff(world))
    foreign = ConceptFactory()
    response = client.post(
        reverse("admin:networks_network_export"),
        {"resource": "0", "format": "0", "concept": foreign.pk, "networkresource_name": "on"},
    )
    assert response.status_code == 403
