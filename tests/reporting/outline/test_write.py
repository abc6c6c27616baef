"""Writing an outline to the database: the seed, other districts, rollback, replacing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from concept import roles
from concept.models import Concept, Statement
from measures.models import Measure
from networks.models import Network, Organisation
from reporting.outline import write as write_module
from reporting.outline.issues import OutlineInvalid
from reporting.outline.write import outline_import
from tests.factories import AnnualReportFactory, ConceptFactory, UserFactory, add_member
from tests.reporting.outline.helpers import DATA, SEED, concept_snapshot, row_counts

pytestmark = pytest.mark.django_db


# --- the seed against the fixture ----------------------------------------------------------


def test_importing_the_seed_reproduces_the_fixture(lk_vechta):
    result = outline_import(text=SEED, slug="lk-vechta-import")
    imported = result.concept
    assert concept_snapshot(imported) == concept_snapshot(lk_vechta)
    # The figures, spelled out (the snapshot compares them with the fixture).
    values = concept_snapshot(imported)["values"]
    assert values[0] == (
        "Ausländer*innen",
        dt.date(2019, 12, 31),
        "2019",
        20714,
        "",
        "Integrationskonzept, Ausgangslage 1.1",
        0,
    )
    assert [v[4] for v in values[3:]][:3] == ["Polen", "Rumänien", "Syrien"]
    assert {v[1] for v in values} == {dt.date(2019, 12, 31)}


def test_differences_to_the_curated_fixture_are_deliberate(lk_vechta):
    imported = outline_import(text=SEED, slug="lk-vechta-import").concept
    # The fixture's 3.1 was split into Networks by hand; the import flags it instead.
    assert list(imported.statements.filter(needs_split=True).values_list("number", flat=True)) == [
        "3.1"
    ]
    assert not lk_vechta.statements.filter(needs_split=True).exists()
    # New concepts are drafts; the district is read from the title as written.
    assert (imported.title, imported.district, imported.status) == (
        "Integrationskonzept LK Vechta",
        "LK Vechta",
        Concept.Status.DRAFT,
    )
    assert (lk_vechta.district, lk_vechta.status) == ("Landkreis Vechta", Concept.Status.ADOPTED)
    # Organisations and networks are curated data: never created by the import.
    assert not Organisation.objects.filter(concept=imported).exists()
    assert not Network.objects.filter(concept=imported).exists()


def test_the_user_becomes_member(db):
    user = UserFactory()
    concept = outline_import(text=SEED, slug="lk-vechta", user=user).concept
    assert list(concept.members.all()) == [user]


# --- other districts -----------------------------------------------------------------------


def test_city_with_figures_and_a_flagged_list(db):
    outline_import(
        text=(DATA / "stadt-beispielstadt.txt").read_text(encoding="utf-8"), slug="beispielstadt"
    )
    shot = concept_snapshot(Concept.objects.get(slug="beispielstadt"))
    assert [i[1] for i in shot["indicators"]] == [
        "Ausländer*innen",
        "Ausländer*innen nach Staatsangehörigkeit (Top 5)",
    ]
    assert {v[1] for v in shot["values"]} == {dt.date(2023, 6, 30)}
    assert [(v[4], v[3]) for v in shot["values"][3:]] == [
        ("Ukraine", 1210),
        ("Syrien", 980),
        ("Rumänien", 640),
        ("Polen", 515),
        ("Afghanistan", 330),
    ]
    assert list(
        Statement.objects.filter(concept__slug="beispielstadt", needs_split=True).values_list(
            "number", flat=True
        )
    ) == ["3.1"]
    assert Measure.objects.get(concept__slug="beispielstadt", code="K1").goal is None


# --- invalid input -------------------------------------------------------------------------


def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    calls = {"n": 0}
    real_save = write_module._save

    def failing_save(obj, line, **kwargs):
        calls["n"] += 1
        if calls["n"] == 60:
            raise OutlineInvalid([write_module.Issue("Testfehler", line)])
        return real_save(obj, line, **kwargs)

    monkeypatch.setattr(write_module, "_save", failing_save)
    with pytest.raises(OutlineInvalid):
        outline_import(text=SEED, slug="lk-vechta")
    assert calls["n"] == 60
    assert set(row_counts().values()) == {0}


# --- replacing -----------------------------------------------------------------------------


def test_only_the_concepts_editors_may_replace_it(db):
    lk_vechta = ConceptFactory(slug="lk-vechta")
    reader = add_member(lk_vechta, UserFactory(), roles.STEERING_GROUP)
    coordinator = add_member(ConceptFactory(), UserFactory(), roles.COORDINATION)
    for person in (UserFactory(), reader, coordinator):
        with pytest.raises(ValidationError) as caught:
            outline_import(text=SEED, slug="lk-vechta", replace=True, user=person)
        assert caught.value.messages == [
            "Das Konzept „lk-vechta“ ersetzen nur seine Koordination und Administration."
        ]
    assert Concept.objects.get(slug="lk-vechta").pk == lk_vechta.pk
    add_member(lk_vechta, coordinator, roles.COORDINATION)
    new = outline_import(text=SEED, slug="lk-vechta", replace=True, user=coordinator).concept
    assert new.pk != lk_vechta.pk
    # Every member keeps their role in the new version.
    assert dict(new.memberships.values_list("user", "role")) == {
        reader.pk: roles.STEERING_GROUP,
        coordinator.pk: roles.COORDINATION,
    }


def test_whoever_imports_a_new_concept_coordinates_it(concept):
    user = add_member(concept, UserFactory(), roles.ADMINISTRATION)
    new = outline_import(text=SEED, slug="neu", user=user).concept
    assert roles.role_in(user, new) == roles.COORDINATION


def test_concept_with_reports_cannot_be_replaced(db):
    lk_vechta = ConceptFactory(slug="lk-vechta")
    AnnualReportFactory(concept=lk_vechta, year=2025)
    with pytest.raises(OutlineInvalid) as caught:
        outline_import(text=SEED, slug="lk-vechta", replace=True)
    assert "hat Controlling-/Evaluationsberichte und kann deshalb nicht ersetzt werden" in str(
        caught.value.issues[0]
    )
    assert Concept.objects.filter(pk=lk_vechta.pk).exists()
