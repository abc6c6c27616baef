"""Koordination reads official statistics in the browser: upload a ZIP or pick a configured
source → preview (new, changed, unchanged, old → new) → confirm."""

import pytest
from django.test import Client
from django.urls import reverse

from concept import roles
from goals.models import (
    Indicator,
    IndicatorValue,
    StatisticsImport,
    StatisticsRegion,
    StatisticsSource,
)
from tests.factories import ConceptFactory, UserFactory, add_member
from tests.goals.statistics.builders import REAL, opensdg_folder, zip_of

pytestmark = pytest.mark.django_db


def session(concept, role):
    client = Client()
    client.force_login(add_member(concept, UserFactory(), role))
    return client


@pytest.fixture
def source():
    return StatisticsSource.objects.create(
        slug="lsn-im",
        name="Integrationsmonitoring Niedersachsen",
        publisher="Landesamt für Statistik Niedersachsen (LSN)",
        publisher_short="LSN",
        attribution="Quelle: Landesamt für Statistik Niedersachsen (LSN)",
        format="opensdg",
        location=str(REAL),
    )


def upload(client, concept, source, data, name="im.zip", region="K1"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("goals:statistics_preview", kwargs={"slug": concept.slug}),
        {
            "action": "upload",
            "file": SimpleUploadedFile(name, data, "application/zip"),
            "source": source.pk,
            "region_key": region,
        },
    )


def confirm(client, concept, response):
    return client.post(
        reverse("goals:statistics_confirm", kwargs={"slug": concept.slug}),
        {"token": response.context["token"]},
    )


def test_anonymous_is_sent_to_login_and_other_roles_are_refused(source):
    concept = ConceptFactory()
    url = reverse("goals:statistics", kwargs={"slug": concept.slug})
    assert Client().get(url).status_code == 302
    assert session(concept, roles.STEERING_GROUP).get(url).status_code == 403
    assert (
        session(concept, roles.MEASURE_OWNERS)
        .post(reverse("goals:statistics_preview", kwargs={"slug": concept.slug}), {})
        .status_code
        == 403
    )
    assert session(concept, roles.COORDINATION).get(url).status_code == 200


def test_upload_preview_confirm(source, tmp_path):
    concept = ConceptFactory()
    client = session(concept, roles.COORDINATION)
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2021,K1,.\n"})
    response = upload(client, concept, source, zip_of(folder, "repo-main/"))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(p.name, p.status) for p in plan.indicators] == [("Testzahl in Niedersachsen", "new")]
    assert not Indicator.objects.exists()  # a preview writes nothing
    assert "1 neu, 0 geändert, 0 entfallen, 0 unverändert, 1 ohne Zahl" in response.content.decode()
    done = confirm(client, concept, response)
    assert done.status_code == 302
    assert IndicatorValue.objects.get().value == 5
    reading = StatisticsImport.objects.get()
    assert reading.origin == "upload" and reading.user is not None
    page = client.get(done.url).content.decode()
    assert "data/indicator_9-1-1.csv" in page and reading.files.first().sha256 in page


def test_second_confirmation_of_one_preview_writes_once(source, tmp_path):
    concept = ConceptFactory()
    client = session(concept, roles.COORDINATION)
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    response = upload(client, concept, source, zip_of(folder))
    confirm(client, concept, response)
    again = confirm(client, concept, response)
    assert again.status_code == 302
    assert StatisticsImport.objects.count() == 1


def test_changed_values_show_old_to_new(source, tmp_path):
    concept = ConceptFactory()
    client = session(concept, roles.COORDINATION)
    first = opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    confirm(client, concept, upload(client, concept, source, zip_of(first)))
    second = opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,6\n"})
    response = upload(client, concept, source, zip_of(second))
    page = response.content.decode()
    assert "2020: Wert 5 → 6" in page
    assert 'data-status="changed"' in page


def test_broken_zip_content_is_refused_naming_file_and_line(source, tmp_path):
    concept = ConceptFactory()
    client = session(concept, roles.COORDINATION)
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,fünf\n"})
    response = upload(client, concept, source, zip_of(folder))
    assert response.status_code == 400
    assert "Datei data/indicator_9-1-1.csv, Zeile 2: „fünf“ ist keine Zahl." in (
        response.content.decode()
    )
    assert not Indicator.objects.exists()


def test_zip_with_a_path_out_of_the_archive_is_refused(source):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("../../etc/x.csv", "1")
    concept = ConceptFactory()
    response = upload(session(concept, roles.COORDINATION), concept, source, buffer.getvalue())
    assert response.status_code == 400
    assert "zeigt aus dem Archiv hinaus" in response.content.decode()


def test_wrong_file_type_is_a_form_error(source):
    concept = ConceptFactory()
    response = upload(session(concept, roles.COORDINATION), concept, source, b"x", name="a.pdf")
    assert "Bitte ein ZIP-Archiv (.zip) oder eine CSV-Datei hochladen." in response.content.decode()


def test_configured_source_is_read_from_its_place(source):
    concept = ConceptFactory()
    region = StatisticsRegion.objects.create(concept=concept, source=source, region_key="K03460")
    client = session(concept, roles.COORDINATION)
    response = client.post(
        reverse("goals:statistics_preview", kwargs={"slug": concept.slug}),
        {"action": "configured", "region": region.pk},
    )
    assert response.context["plan"].count("new") == 15
    confirm(client, concept, response)
    assert StatisticsImport.objects.get().origin == "configured"
    assert Indicator.objects.filter(concept=concept).count() == 15


def test_another_concepts_region_cannot_be_picked(source):
    concept, other = ConceptFactory(), ConceptFactory()
    region = StatisticsRegion.objects.create(concept=other, source=source, region_key="K03460")
    response = session(concept, roles.COORDINATION).post(
        reverse("goals:statistics_preview", kwargs={"slug": concept.slug}),
        {"action": "configured", "region": region.pk},
    )
    assert response.status_code == 200
    assert "plan" not in response.context
    assert not Indicator.objects.exists()


def test_preview_is_not_applied_when_values_moved_meanwhile(source, tmp_path):
    concept = ConceptFactory()
    client = session(concept, roles.COORDINATION)
    first = opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    confirm(client, concept, upload(client, concept, source, zip_of(first)))
    second = opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,6\n"})
    response = upload(client, concept, source, zip_of(second))
    value = IndicatorValue.objects.get()
    from goals import services

    services.indicator_value_update(item=value, user=None, expected_version=None, value=7)
    again = confirm(client, concept, response)
    assert again.status_code == 200
    assert again.context["changed_meanwhile"]
    assert IndicatorValue.objects.get().value == 7
