"""The search on the database in use (SQLite locally, PostgreSQL with DATABASE_URL): the
same questions get the same answers from the full-text search and from the fallback."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concept.models import Concept
from measures.services import progress_entry_withdraw
from reporting.search.queries import LIMIT_PER_KIND, search
from tests.factories import (
    AbbreviationFactory,
    CommitteeFactory,
    ConceptFactory,
    DecisionFactory,
    GoalFactory,
    MeasureFactory,
    MeetingFactory,
    NetworkFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    SubGoalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept():
    concept = ConceptFactory()
    AbbreviationFactory(concept=concept, short_form="BES", long_form="Berufseinstiegsschule")
    AbbreviationFactory(concept=concept, short_form="Kita", long_form="Kindertagesstätte")
    AbbreviationFactory(
        concept=concept, short_form="VerA", long_form="Verhinderung von Ausbildungsabbrüchen"
    )
    return concept


@pytest.fixture
def goal(concept):
    return GoalFactory(
        concept=concept,
        number=1,
        title="Sprachförderung und Spracherwerb",
        short_title="Sprache",
        aim="Jede*r Zugewanderte spricht die deutsche Sprache.",
    )


def measure(concept, goal, code, title, **fields):
    return MeasureFactory(concept=concept, goal=goal, code=code, title=title, **fields)


def labels(results, kind=None):
    return [hit.label for hit in results.hits if kind is None or hit.kind.key == kind]


def titles(results):
    return [str(hit.title) for hit in results.hits]


# --- German word forms ---------------------------------------------------------------------


def test_a_plural_finds_the_singular(concept, goal):
    measure(concept, goal, "S7", "Feststellung des Sprachstandes vor dem Sprachkurs")
    measure(concept, goal, "S4", "Zugang zu Integrationskursen für Erwachsene")
    assert labels(search(concept, "Sprachkurse")) == ["S7"]


def test_the_singular_finds_inflected_forms(concept, goal):
    measure(concept, goal, "S7", "Teilnahme an Sprachkursen bei Jugendlichen")
    assert labels(search(concept, "Sprachkurs")) == ["S7"]
    assert labels(search(concept, "Jugendliche")) == ["S7"]


def test_case_and_umlauts_do_not_matter(concept, goal):
    measure(concept, goal, "B5", "Verbesserung der Übergangsquoten")
    assert labels(search(concept, "übergangsquote")) == ["B5"]
    assert labels(search(concept, "ÜBERGANG")) == ["B5"]


def test_the_beginning_of_a_word_is_enough(concept, goal):
    measure(concept, goal, "S2", "Frühkindliche Sprachförderung in Kindertagesstätten")
    assert labels(search(concept, "Sprachf"), "massnahme") == ["S2"]
    # …but not a piece from its middle.
    assert labels(search(concept, "förderung"), "massnahme") == []


def test_every_word_must_be_found_somewhere_and_filler_words_are_skipped(concept, goal):
    measure(concept, goal, "S4", "Integrationskurse", target_group="Erwachsene")
    measure(concept, goal, "S5", "Integrationskurse", target_group="Jugendliche")
    assert labels(search(concept, "Integrationskurse für Erwachsene")) == ["S4"]


def test_a_short_word_is_a_whole_word(concept, goal):
    measure(concept, goal, "S5", "Angebote für besondere Zielgruppen")
    measure(concept, goal, "B4", "Umsetzung der BES-Konzeption")
    assert labels(search(concept, "BES")) == ["B4"]


# --- abbreviations -------------------------------------------------------------------------


def test_an_abbreviation_finds_its_long_form(concept, goal):
    measure(concept, goal, "S1", "Feststellung des Sprachstandes durch die Kindertagesstätten")
    measure(concept, goal, "B4", "Umsetzung des Konzeptes der Berufseinstiegsschule")
    assert labels(search(concept, "Kita")) == ["S1"]
    assert labels(search(concept, "KiTa")) == ["S1"]
    assert labels(search(concept, "Kitas")) == ["S1"]
    assert labels(search(concept, "BES")) == ["B4"]


def test_a_long_form_finds_its_abbreviation(concept, goal):
    sub_goal = SubGoalFactory(
        goal=goal, number=1, text="Verbesserung der Zugangsquoten (Kita-Einstieg)"
    )
    entry_measure = measure(concept, goal, "B4", "Konzept umsetzen")
    ProgressEntryFactory(measure=entry_measure, text="Die BES hat zwei neue Klassen.")
    assert labels(search(concept, "Kindertagesstätten"), "teilziel") == [sub_goal.label]
    assert labels(search(concept, "Berufseinstiegsschule"), "sachstand") == ["B4"]


def test_a_long_form_of_several_words(concept, goal):
    measure(concept, goal, "AuB2", "Ausbildungspatenmodell (VerA)")
    assert labels(search(concept, "Verhinderung von Ausbildungsabbrüchen")) == ["AuB2"]
    measure(concept, goal, "AuB5", "Verhinderung von Ausbildungsabbrüchen durch Paten")
    assert sorted(labels(search(concept, "VerA"))) == ["AuB2", "AuB5"]


def test_the_search_names_what_it_added(concept):
    results = search(concept, "BES")
    assert [(e.asked, e.also) for e in results.query.expansions] == [
        ("BES", "Berufseinstiegsschule")
    ]


def test_abbreviations_of_another_concept_are_not_used(concept, goal):
    other = ConceptFactory()
    AbbreviationFactory(concept=other, short_form="SK", long_form="Sprachkurs")
    measure(concept, goal, "S7", "Sprachkurse")
    assert labels(search(concept, "SK")) == []


# --- ranking -------------------------------------------------------------------------------


def test_a_title_match_comes_before_a_match_in_the_text(concept, goal):
    body = measure(concept, goal, "S1", "Beratung", description="Vermittlung in Sprachkurse")
    ProgressEntryFactory(measure=body, text="Drei Sprachkurse begonnen.")
    measure(concept, goal, "S9", "Sprachkurse für Eltern")
    results = search(concept, "Sprachkurs")
    assert [(hit.kind.key, hit.label) for hit in results.hits] == [
        ("massnahme", "S9"),
        ("massnahme", "S1"),
        ("sachstand", "S1"),
    ]
    assert [hit.tier for hit in results.hits] == [1, 2, 2]


def test_the_whole_query_in_the_title_ranks_first(concept, goal):
    measure(concept, goal, "A1", "Elternarbeit", description="Sprachkurse für Eltern")
    measure(concept, goal, "A2", "Sprachkurse für Eltern")
    measure(concept, goal, "A3", "Sprachkurse", description="auch für Eltern")
    results = search(concept, "Sprachkurse Eltern")
    assert labels(results)[0] == "A2"
    assert sorted(labels(results)[1:]) == ["A1", "A3"]
    assert [hit.tier for hit in results.hits] == [1, 2, 2]


def test_the_measure_named_by_its_code_comes_first(concept, goal):
    measure(concept, goal, "S4", "Zugang zu Integrationskursen")
    measure(concept, goal, "S5", "Angebote", description="ergänzt S4")
    measure(concept, None, "aG1", "Interkulturelle Woche", number="4.7.1")
    measure(concept, None, "", "Fortschreibung des Sprachförderkonzeptes", number="4.1.9")
    results = search(concept, "S4")
    assert labels(results)[0] == "S4" and results.hits[0].tier == 0
    assert labels(search(concept, "aG 1")) == ["aG1"]
    assert labels(search(concept, "4.1.9")) == ["4.1.9"]


# --- each kind -----------------------------------------------------------------------------


def test_each_kind_is_found_with_its_page(concept, goal):
    slug = concept.slug
    measure_ = measure(concept, goal, "S1", "Zuckerrübenernte", description="x")
    GoalFactory(concept=concept, number=2, title="Arbeit", aim="Zuckerrübenernte")
    sub_goal = SubGoalFactory(goal=goal, number=3, text="Mehr Zuckerrübenernte")
    network = NetworkFactory(concept=concept, name="Netz", purpose="Zuckerrübenernte")
    committee = CommitteeFactory(concept=concept, name="Steuerungsgruppe")
    organisation = OrganisationFactory(concept=concept, name="Zuckerrübenernte e. V.")
    meeting = MeetingFactory(network=committee, date=dt.date(2025, 2, 1), topic="Sitzung")
    decision = DecisionFactory(meeting=meeting, text="Die Zuckerrübenernte wird ausgeweitet.")
    entry = ProgressEntryFactory(
        measure=measure_, text="Zuckerrübenernte begonnen.", date=dt.date(2025, 3, 1)
    )
    found = {
        (hit.kind.key, hit.kind_label, hit.url) for hit in search(concept, "Zuckerrübenernte").hits
    }
    assert found == {
        ("massnahme", "Maßnahme", f"/konzepte/{slug}/massnahmen/S1/"),
        ("ziel", "Strategisches Ziel", f"/konzepte/{slug}/ziele/2/"),
        ("teilziel", "Teilziel", f"/konzepte/{slug}/ziele/1/#teilziel-{sub_goal.number}"),
        ("netzwerk", "Netzwerk", f"/konzepte/{slug}/netzwerke/{network.pk}/"),
        ("akteur", "Akteur", f"/konzepte/{slug}/akteure/{organisation.pk}/"),
        ("beschluss", "Beschluss", f"/konzepte/{slug}/gremien/#beschluss-{decision.pk}"),
        ("sachstand", "Sachstand", f"/konzepte/{slug}/massnahmen/S1/#sachstand-{entry.pk}"),
    }


def test_a_committee_is_named_as_such(concept):
    CommitteeFactory(concept=concept, name="Hauptverwaltungsbeamten-Konferenz")
    NetworkFactory(concept=concept, name="Hauptverwaltungsbeamte im Austausch")
    kinds = {
        str(hit.title): hit.kind_label for hit in search(concept, "Hauptverwaltungsbeamte").hits
    }
    assert kinds == {
        "<mark>Hauptverwaltungsbeamten</mark>-Konferenz": "Gremium",
        "<mark>Hauptverwaltungsbeamte</mark> im Austausch": "Netzwerk",
    }


def test_an_akteur_is_found_by_its_short_name(concept):
    OrganisationFactory(concept=concept, name="Volkshochschule Vechta", short_name="VHS")
    assert [str(hit.title) for hit in search(concept, "VHS").hits] == [
        "Volkshochschule Vechta (<mark>VHS</mark>)"
    ]


def test_a_withdrawn_sachstand_is_not_found(concept, goal):
    measure_ = measure(concept, goal, "S1", "Sprachstand")
    ProgressEntryFactory(measure=measure_, text="Elternabend geplant", date=dt.date(2025, 1, 1))
    wrong = ProgressEntryFactory(
        measure=measure_, text="Elternabend falsch erfasst", date=dt.date(2025, 2, 1)
    )
    progress_entry_withdraw(entry=wrong, user=None, expected_version=None, reason="falsch")
    assert [str(hit.excerpt) for hit in search(concept, "Elternabend").hits] == [
        "<mark>Elternabend</mark> geplant"
    ]


def test_sachstand_texts_next_steps_and_deviation_are_searched(concept, goal):
    measure_ = measure(concept, goal, "S1", "Sprachstand")
    ProgressEntryFactory(
        measure=measure_, next_steps="Elternabend planen", date=dt.date(2025, 1, 1)
    )
    ProgressEntryFactory(measure=measure_, deviation="Raumnot im Winter", date=dt.date(2025, 2, 1))
    assert len(search(concept, "Elternabend").hits) == 1
    assert len(search(concept, "Raumnot").hits) == 1


# --- scope and limits ----------------------------------------------------------------------


def test_another_concepts_data_is_never_found(concept, goal):
    other = ConceptFactory()
    other_goal = GoalFactory(concept=other, number=1, title="Zuckerrübenernte")
    other_measure = measure(other, other_goal, "S1", "Zuckerrübenernte")
    SubGoalFactory(goal=other_goal, text="Zuckerrübenernte")
    NetworkFactory(concept=other, name="Zuckerrübenernte")
    OrganisationFactory(concept=other, name="Zuckerrübenernte")
    meeting = MeetingFactory(network=CommitteeFactory(concept=other))
    DecisionFactory(meeting=meeting, text="Zuckerrübenernte")
    ProgressEntryFactory(measure=other_measure, text="Zuckerrübenernte")
    assert search(concept, "Zuckerrübenernte").hits == []
    assert search(concept, "S1").hits == []
    assert len(search(other, "Zuckerrübenernte").hits) == 7


def test_hits_per_kind_are_limited_and_the_page_says_so(concept, goal):
    for i in range(LIMIT_PER_KIND + 2):
        measure(concept, goal, f"M{i}", f"Sprachkurs {i}")
    results = search(concept, "Sprachkurs")
    assert results.count == LIMIT_PER_KIND
    assert [str(label) for label in results.truncated] == ["Maßnahme"]


def test_the_number_of_queries_does_not_grow_with_the_hits(concept, goal):
    def queries_for(text):
        with CaptureQueriesContext(connection) as captured:
            search(concept, text)
        return len(captured)

    measure_ = measure(concept, goal, "S1", "Sprachkurs")
    ProgressEntryFactory(measure=measure_, text="Sprachkurs", date=dt.date(2025, 1, 1))
    few = queries_for("Sprachkurs")
    for i in range(10):
        m = measure(concept, goal, f"M{i}", "Sprachkurs")
        ProgressEntryFactory(measure=m, text="Sprachkurs", date=dt.date(2025, 1, 1))
        meeting = MeetingFactory(network=CommitteeFactory(concept=concept))
        DecisionFactory(meeting=meeting, text="Sprachkurs")
        SubGoalFactory(goal=goal, text="Sprachkurs")
    assert queries_for("Sprachkurs") == few == 8  # abbreviations + one per kind


def test_a_query_of_filler_words_or_signs_finds_nothing(concept, goal):
    measure(concept, goal, "S1", "Die und das")
    for text in ("und", "der die das", "'\"&|!:*()<>", "a"):
        results = search(concept, text)
        assert results.hits == []


def test_a_query_is_cut_at_200_characters(concept):
    assert len(search(concept, "Sprachkurs " * 50).query.text) == 200


@pytest.fixture
def vechta():
    call_command("loaddata", "lk_vechta", verbosity=0)
    return Concept.objects.get(slug="lk-vechta")


def test_in_lk_vechta_kita_finds_the_measures_about_kindertagesstaetten(vechta):
    results = search(vechta, "Kita")
    assert labels(results, "massnahme") == ["S1", "S2"]
    assert {hit.label for hit in results.hits if hit.kind.key == "teilziel"} == {"2.1"}


def test_in_lk_vechta_bes_finds_the_berufseinstiegsschule(vechta):
    assert labels(search(vechta, "BES"), "massnahme") == ["B4"]


def test_in_lk_vechta_hvb_finds_the_mayors_conference(vechta):
    assert [str(hit.title) for hit in search(vechta, "HVB").hits] == [
        "<mark>Hauptverwaltungsbeamten</mark>-Konferenz"
    ]
