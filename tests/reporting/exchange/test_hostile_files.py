"""Every hostile file of the corpus through the browser import and the management command:
a German message naming what is wrong (and where), nothing written, never a crash."""

import html

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from concept.models import Concept, Statement
from goals.models import IndicatorValue, StrategicGoal
from measures.models import Measure, ProgressEntry
from networks.models import Organisation
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.reporting.exchange.hostile import OUTLINE, corpus

CORPUS = corpus()
MODELS = (Concept, Statement, StrategicGoal, Measure, ProgressEntry, IndicatorValue, Organisation)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def page_text(response):
    return html.unescape(response.content.decode())


def test_the_corpus_is_about_eighty_files_of_every_kind():
    assert len(CORPUS) >= 80
    assert len({item.id for item in CORPUS}) == len(CORPUS)
    assert {item.category for item in CORPUS} >= {
        "encoding",
        "control",
        "bidi",
        "numbers",
        "structure",
        "xlsx",
        "outline",
    }


def upload(client, world, item):
    if item.target == OUTLINE:
        url = reverse("concept:outline_import")
        data = {"slug": "feindlich"}
    else:
        kind = KINDS_BY_KEY[item.target]
        url = reverse("exchange:import", kwargs={"slug": world.concept.slug, "kind": kind.slug})
        data = {}
    from django.core.files.uploadedfile import SimpleUploadedFile

    data["file"] = SimpleUploadedFile(item.name, item.data)
    return client.post(url, data)


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: item.id)
def test_browser_import(client, world, item):
    client.force_login(world.user)
    before = counts()
    response = upload(client, world, item)
    assert response.status_code in (200, 400)
    assert counts() == before
    text = page_text(response)
    if item.target == OUTLINE:
        previewed = response.context.get("result") is not None and "token" in response.context
    else:
        previewed = response.context["report"].ok if "report" in response.context else False
    if item.accepted:
        assert previewed, text[:2000]
    else:
        assert not previewed
        for fragment in item.fragments:
            assert fragment in text, fragment


@pytest.mark.parametrize("item", CORPUS, ids=lambda item: item.id)
def test_management_command(world, item, tmp_path):
    path = tmp_path / item.name
    path.write_bytes(item.data)
    if item.target == OUTLINE:
        args = ("import_outline", str(path), "--slug", "feindlich")
    else:
        args = ("import_data", item.target, str(path), "--concept", world.concept.slug)
        args += ("--user", world.user.username)
    before = counts()
    if item.accepted:
        call_command(*args, "--dry-run", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert counts() == before
        return
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
    message = str(refused.value)
    assert item.name in message
    for fragment in item.fragments:
        assert fragment in message, fragment


def test_an_odd_but_legitimate_file_imports_its_text_as_written(world, tmp_path):
    """Windows-1252 with CRLF: umlauts right; an organisation nobody marked public is not."""
    item = next(item for item in CORPUS if item.name == "windows-1252.csv")
    path = tmp_path / item.name
    path.write_bytes(item.data)
    call_command(
        "import_data", item.target, str(path), "--concept", world.concept.slug,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip
    organisation = Organisation.objects.get(concept=world.concept, name="Jäger-Verein Süd")
    assert organisation.is_public is False
