"""From a reading to Kennzahlen: the plan (new, changed, unchanged, old → new) and its
all-or-nothing write."""

from decimal import Decimal

import pytest

from concept.locking import StaleVersion
from goals import services
from goals.models import (
    Indicator,
    IndicatorValue,
    SourceFile,
    StatisticsImport,
    StatisticsRegion,
    StatisticsSource,
)
from goals.statistics.base import StatisticsFileError
from goals.statistics.plan import CHANGED, NEW, UNCHANGED, plan_folder
from tests.factories import ConceptFactory, IndicatorFactory, IndicatorValueFactory
from tests.goals.statistics.builders import REAL, opensdg_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return StatisticsSource.objects.create(
        slug="lsn-im",
        name="Integrationsmonitoring Niedersachsen",
        publisher="Landesamt für Statistik Niedersachsen",
        publisher_short="LSN",
        attribution="Quelle: Landesamt für Statistik Niedersachsen (LSN)",
        format="opensdg",
    )


def run(concept, source, folder, region="K1"):
    plan = plan_folder(concept=concept, source=source, region_key=region, folder=folder)
    services.statistics_import_apply(plan=plan, user=None, origin="command")
    return plan


def test_real_files_become_kennzahlen_with_their_source(source):
    concept = ConceptFactory()
    run(concept, source, REAL, "K03460")
    indicator = Indicator.objects.get(
        concept=concept, statistics_source=source, statistics_id="1-2-1"
    )
    assert indicator.name == "Ausländerinnen und Ausländer in Niedersachsen"
    assert indicator.unit == "Anzahl"
    assert (
        indicator.source == "LSN, Integrationsmonitoring Niedersachsen – Ausländerzentralregister"
    )
    assert "Ausländerinnen und Ausländern zählen alle Personen" in indicator.description
    assert "Vielfaches von Fünf" in indicator.statistics_note
    value = indicator.values.get(reference_date="2019-12-31", breakdown="")
    assert value.value == Decimal("20715")
    assert value.raw_row == '2019,"Vechta",K03460,20715'
    assert value.raw_file == "data/indicator_1-2-1.csv"
    assert value.statistics_id == "1-2-1"
    assert value.statistics_import.source == source
    assert Indicator.objects.filter(concept=concept).count() == 15
    assert IndicatorValue.objects.filter(indicator__concept=concept).count() == 540
    reading = StatisticsImport.objects.get(concept=concept)
    assert reading.values_created == 540 and reading.indicators_created == 15
    assert SourceFile.objects.filter(statistics_import=reading).count() == 27
    assert StatisticsRegion.objects.get(concept=concept).region_key == "K03460"


def test_series_break_is_kept_on_its_value(source):
    concept = ConceptFactory()
    run(concept, source, REAL, "K03460")
    breaks = IndicatorValue.objects.filter(
        indicator__concept=concept, indicator__statistics_id="1-1-1", series_break=True
    )
    assert [v.period for v in breaks] == ["2011"]


def test_second_run_changes_nothing(source):
    concept = ConceptFactory()
    run(concept, source, REAL, "K03460")
    history = IndicatorValue.history.count()
    versions = sorted(IndicatorValue.objects.values_list("pk", "version"))
    plan = run(concept, source, REAL, "K03460")
    assert plan.count(UNCHANGED) == 15 and not plan.has_changes
    assert IndicatorValue.history.count() == history
    assert sorted(IndicatorValue.objects.values_list("pk", "version")) == versions


def test_a_changed_number_is_planned_old_to_new_and_recorded(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2021,K1,7\n"})
    run(concept, source, folder)
    newer = opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,6\n2021,K1,7\n"})
    plan = plan_folder(concept=concept, source=source, region_key="K1", folder=newer)
    (item,) = plan.indicators
    assert item.status == CHANGED
    (line,) = item.changed
    assert [(c.label, c.old, c.new) for c in line.changes] == [("Wert", "5", "6")]
    services.statistics_import_apply(plan=plan, user=None, origin="refresh")
    value = IndicatorValue.objects.get(reference_date="2020-12-31")
    assert value.value == 6
    assert value.history.first().history_change_reason == (
        "Amtliche Statistik: LSN, Integrationsmonitoring Niedersachsen"
    )


def test_a_number_that_became_a_marker_is_removed_never_zero(source, tmp_path):
    concept = ConceptFactory()
    run(
        concept,
        source,
        opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2021,K1,7\n"}),
    )
    plan = run(
        concept,
        source,
        opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,.\n2021,K1,7\n"}),
    )
    assert [v.value for v in plan.indicators[0].removed] == [Decimal(5)]
    assert list(IndicatorValue.objects.values_list("period", "value")) == [("2021", Decimal(7))]


def test_empty_cells_make_no_values(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(
        tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,\n2021,K1,x\n2022,K1,4\n"}
    )
    plan = run(concept, source, folder)
    assert plan.values_empty == 2
    assert list(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal(4)]


def test_same_row_twice_is_read_once_two_numbers_are_refused(source, tmp_path):
    concept = ConceptFactory()
    same = opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2020,K1,5\n"})
    assert run(concept, source, same).values_new == 1
    other = opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2020,K1,6\n"})
    with pytest.raises(StatisticsFileError) as error:
        plan_folder(concept=concept, source=source, region_key="K1", folder=other)
    assert "Zeile 3: Für 2020 steht schon in Zeile 2 ein anderer Wert" in str(error.value)


def test_a_value_the_kennzahl_refuses_names_file_and_line(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(
        tmp_path, {"9-1-1": "Year,Units,GeoCode,Value\n2020,Anzahl,K1,5\n2021,Anzahl,K1,-2\n"}
    )
    with pytest.raises(StatisticsFileError) as error:
        plan_folder(concept=concept, source=source, region_key="K1", folder=folder)
    assert str(error.value) == (
        "Datei data/indicator_9-1-1.csv, Zeile 3: "
        "Anzahl werden als ganze, nicht negative Zahl erfasst."
    )
    assert not Indicator.objects.exists()


def test_per_cent_outside_0_to_100_is_a_change_in_per_cent(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(
        tmp_path, {"9-1-1": "Year,Units,GeoCode,Value\n2020,%,K1,-2.5\n2021,%,K1,3\n"}
    )
    run(concept, source, folder)
    assert Indicator.objects.get().unit == "% (Veränderung)"


def test_values_are_stored_with_three_decimals_raw_row_keeps_all(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(
        tmp_path, {"9-1-1": "Year,Units,GeoCode,Value\n2020,%,K1,9.48552944949809E-02\n"}
    )
    run(concept, source, folder)
    value = IndicatorValue.objects.get()
    assert value.value == Decimal("0.095")
    assert value.raw_row.endswith("9.48552944949809E-02")


def test_typed_in_value_at_the_same_place_is_shown_as_changed(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    run(concept, source, folder)
    indicator = Indicator.objects.get()
    IndicatorValue.objects.all().delete()
    IndicatorValueFactory(indicator=indicator, reference_date="2020-12-31", value=5, period="2020")
    plan = plan_folder(concept=concept, source=source, region_key="K1", folder=folder)
    (line,) = plan.indicators[0].changed
    assert [(c.label, c.old) for c in line.changes] == [("Herkunft", "von Hand erfasst")]


def test_typed_in_value_is_not_removed_by_the_source(source, tmp_path):
    concept = ConceptFactory()
    run(
        concept,
        source,
        opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"}),
    )
    IndicatorValueFactory(indicator=Indicator.objects.get(), reference_date="2023-12-31", value=9)
    run(
        concept,
        source,
        opensdg_folder(tmp_path / "b", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"}),
    )
    assert IndicatorValue.objects.filter(value=9).exists()


def test_a_value_edited_after_the_preview_stops_the_whole_write(source, tmp_path):
    concept = ConceptFactory()
    run(
        concept,
        source,
        opensdg_folder(tmp_path / "a", {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"}),
    )
    newer = opensdg_folder(
        tmp_path / "b",
        {
            "9-1-1": "Year,GeoCode,Value\n2020,K1,6\n2021,K1,8\n",
            "9-1-2": "Year,GeoCode,Value\n2020,K1,1\n",
        },
    )
    plan = plan_folder(concept=concept, source=source, region_key="K1", folder=newer)
    value = IndicatorValue.objects.get()
    services.indicator_value_update(item=value, user=None, expected_version=None, note="geprüft")
    with pytest.raises(StaleVersion):
        services.statistics_import_apply(plan=plan, user=None, origin="upload")
    assert IndicatorValue.objects.count() == 1
    assert Indicator.objects.count() == 1
    assert StatisticsImport.objects.count() == 1


def test_a_name_taken_by_a_typed_in_kennzahl_gets_the_indicator_id(source, tmp_path):
    concept = ConceptFactory()
    IndicatorFactory(concept=concept, name="Testzahl in Niedersachsen")
    run(concept, source, opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"}))
    assert Indicator.objects.get(statistics_source=source).name == (
        "Testzahl in Niedersachsen (9-1-1)"
    )


def test_the_region_is_not_switched_once_read(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n2020,K2,6\n"})
    run(concept, source, folder)
    plan = plan_folder(concept=concept, source=source, region_key="K2", folder=folder)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.statistics_import_apply(plan=plan, user=None, origin="command")
    assert "Regionalschlüssel K1 hinterlegt" in " ".join(error.value.messages)
    assert IndicatorValue.objects.get().value == 5


def test_new_kennzahl_is_a_context_figure_without_teilziel(source, tmp_path):
    concept = ConceptFactory()
    run(concept, source, opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"}))
    indicator = Indicator.objects.get()
    assert indicator.sub_goal is None
    assert indicator.direction == Indicator.Direction.NEUTRAL
    again = plan_folder(concept=concept, source=source, region_key="K1", folder=tmp_path)
    assert again.indicators[0].status == UNCHANGED


def test_new_status_for_a_first_reading(source, tmp_path):
    concept = ConceptFactory()
    folder = opensdg_folder(tmp_path, {"9-1-1": "Year,GeoCode,Value\n2020,K1,5\n"})
    plan = plan_folder(concept=concept, source=source, region_key="K1", folder=folder)
    assert [p.status for p in plan.indicators] == [NEW]
    assert plan.has_changes
