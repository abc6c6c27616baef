"""The export_outline command: stdout, a file, German errors."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concept.models import Concept
from reporting.outline.export import outline_export
from tests.factories import ConceptFactory

pytestmark = pytest.mark.django_db


def export(**options):
    out = io.StringIO()
    call_command("export_outline", stdout=out, **options)
    return out.getvalue()


def test_command_writes_to_stdout_and_to_a_file(lk_vechta, tmp_path):
    assert export(slug="lk-vechta") == outline_export(lk_vechta)
    target = tmp_path / "gliederung.txt"
    out = export(slug="lk-vechta", output=str(target))
    assert target.read_text(encoding="utf-8") == outline_export(lk_vechta)
    assert "Gliederung von „Integrationskonzept LK Vechta“ (96 Zeilen) nach" in out


def test_command_errors_are_german(tmp_path):
    ConceptFactory(slug="lk-vechta")
    with pytest.raises(CommandError) as caught:
        export(slug="lk-nirgendwo")
    assert str(caught.value) == (
        "Es gibt kein Konzept mit dem Kurznamen „lk-nirgendwo“. Vorhandene Kurznamen: lk-vechta."
    )
    with pytest.raises(CommandError, match="Bitte mit --slug das Konzept angeben"):
        export()
    with pytest.raises(CommandError, match="kann nicht geschrieben werden"):
        export(slug="lk-vechta", output=str(tmp_path / "fehlt" / "x.txt"))
    assert Concept.objects.count() == 1
