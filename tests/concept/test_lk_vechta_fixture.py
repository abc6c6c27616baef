"""The LK Vechta fixture against the customer's outline it was built from.

The outline is read here with its own small reader (no project parser), so a bug in the
importer cannot hide the same bug in the fixture.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from concept.models import Concept, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
from measures.models import Measure, MeasureOrganisation
from networks.models import Network, Organisation
from reporting.dashboard.structure import situation_figures

ROOT = Path(__file__).resolve().parents[2]
OUTLINE_PATH = ROOT / "fixtures" / "integrationskonzept-lk-vechta.txt"
FIXTURE_PATH = ROOT / "fixtures" / "lk_vechta.json"
SLUG = "lk-vechta"

LINE_RE = re.compile(r"^\s*(\d+(?:\.\d+)*)\.\s+(.*?)\s*$")
GOAL_RE = re.compile(r"^Strategisches Ziel (\d+): (.+)$")
SUB_GOAL_RE = re.compile(r"^Teilziel (\d+): (.+)$")
# "aG 1" and "S6:Alphabetisierungskurse" are both written in the outline.
MEASURE_RE = re.compile(r"^Maßnahme ([A-Za-z]+) ?(\d+):\s*(.+)$")

SECTIONS = {
    "1": Statement.Section.SITUATION,
    "3": Statement.Section.COORDINATION,
    "5": Statement.Section.EVALUATION,
}
NETWORK_LIST_PREFIX = "Vorhandene Netzwerke (beispielhaft): "
NETWORK_LIST_SUFFIX = " u.v.m."
COMMITTEES = [
    ("5.1", "Steuerungsgruppe Integration"),
    ("5.2", "Hauptverwaltungsbeamten-Konferenz"),
    ("5.3", "Leitungsebene"),
]
# The outline does not mark where a goal's title ends and its aim begins; this is our reading.
GOAL_TITLES = {
    1: "Sprachförderung und Spracherwerb",
    2: "Bildung",
    3: "Ausbildung",
    4: "Arbeit und Beschäftigung",
    5: "Wohn- und Lebensumfeld",
    6: "Teilhabe am gesellschaftliche Leben",
    7: "Aufnehmende Gesellschaft",
}
INVOLVED_MEASURES = {"AuB1", "AuB3", "AuB4", "S1", "S2", "S3", "S8", "4.1.9"}


def read_outline(path):
    """Numbered items of the export as (number, text), in file order; junk lines skipped."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = LINE_RE.match(line)
        if match:
            items.append((match.group(1), match.group(2)))
    return items


@dataclass(frozen=True)
class Item:
    number: str
    text: str
    kind: str
    key: object
    fields: dict


def classify(number, text):
    """What the mapping says one outline line becomes in the data."""
    parts = number.split(".")
    if len(parts) == 1:
        return Item(number, text, "heading", parts[0], {"text": text})
    section = parts[0]
    goal_match = GOAL_RE.match(text)
    measure_match = MEASURE_RE.match(text)
    if section == "2" and len(parts) == 2 and goal_match:
        goal_number = int(parts[1])
        fields = {"number": goal_number, "title + aim": goal_match.group(2)}
        return Item(number, text, "goal", goal_number, fields)
    if section == "2" and len(parts) == 3 and SUB_GOAL_RE.match(text):
        key = (int(parts[1]), int(parts[2]))
        return Item(number, text, "sub_goal", key, {"text": SUB_GOAL_RE.match(text).group(2)})
    if section == "4" and len(parts) == 2 and goal_match:
        goal_number = int(parts[1])
        fields = {"number": goal_number, "short_title": goal_match.group(2)}
        return Item(number, text, "goal_short_title", goal_number, fields)
    if section == "4" and len(parts) == 3:
        code, title = "", text
        if measure_match:
            code = measure_match.group(1) + measure_match.group(2)
            title = measure_match.group(3)
        fields = {"code": code, "title": title, "goal": int(parts[1])}
        return Item(number, text, "measure", number, fields)
    if section == "3" and len(parts) == 3 and measure_match:
        code = measure_match.group(1) + measure_match.group(2)
        fields = {"code": code, "title": measure_match.group(3), "goal": None}
        return Item(number, text, "measure", number, fields)
    if section in SECTIONS:
        fields = {"section": SECTIONS[section], "text": text}
        return Item(number, text, "statement", number, fields)
    return Item(number, text, "unknown", number, {})


OUTLINE = read_outline(OUTLINE_PATH)
ITEMS = [classify(number, text) for number, text in OUTLINE]
ITEMS_BY_NUMBER = {item.number: item for item in ITEMS}
DATA_ITEMS = [item for item in ITEMS if item.kind != "heading"]


def items_of(kind):
    return [item for item in ITEMS if item.kind == kind]


def outline_text(number):
    return ITEMS_BY_NUMBER[number].text


def german_int(text):
    return int(text.replace(".", ""))


def mentions(text, name):
    """`name` occurs in `text`, literally or with German inflection endings on its words.

    "Weiterführende Schulen" is written "weiterführenden Schulen" in a measure title.
    """
    if name in text:
        return True
    pattern = r"\s+".join(rf"\b{re.escape(word)}\w{{0,2}}\b" for word in name.split())
    return re.search(pattern, text, re.IGNORECASE) is not None


def record_of(kind, concept, key):
    """The data for one outline item, in the shape of `Item.fields`."""
    if kind == "goal":
        goal = StrategicGoal.objects.get(concept=concept, number=key)
        return {"number": goal.number, "title + aim": f"{goal.title} {goal.aim}"}
    if kind == "goal_short_title":
        goal = StrategicGoal.objects.get(concept=concept, number=key)
        return {"number": goal.number, "short_title": goal.short_title}
    if kind == "sub_goal":
        goal_number, number = key
        sub_goal = SubGoal.objects.get(
            goal__concept=concept, goal__number=goal_number, number=number
        )
        return {"text": sub_goal.text}
    if kind == "measure":
        measure = Measure.objects.select_related("goal").get(concept=concept, number=key)
        goal = measure.goal.number if measure.goal else None
        return {"code": measure.code, "title": measure.title, "goal": goal}
    if kind == "statement":
        statement = Statement.objects.get(concept=concept, number=key)
        return {"section": statement.section, "text": statement.text}
    raise AssertionError(f"no record for kind {kind!r}")


def primary_keys_by_model():
    models = [
        Concept,
        Statement,
        StrategicGoal,
        SubGoal,
        Indicator,
        IndicatorValue,
        Organisation,
        Network,
        Measure,
        MeasureOrganisation,
    ]
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in models}


def load_fixture():
    call_command("loaddata", str(FIXTURE_PATH), verbosity=0)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    # Loaded once for the module (loaddata costs ~0.4 s); every test still runs in its own
    # rolled-back transaction, and the data is removed again at the end.
    with django_db_blocker.unblock():
        load_fixture()
        yield
        Measure.objects.filter(concept__slug=SLUG).delete()
        Concept.objects.filter(slug=SLUG).delete()


@pytest.fixture
def concept(loaded, db):
    return Concept.objects.get(slug=SLUG)


# --- the outline as read -------------------------------------------------------------------


def test_outline_reader_finds_every_numbered_line():
    numbers = [number for number, _ in OUTLINE]
    assert len(numbers) == len(set(numbers)), "outline numbers must be unique"
    assert [number for number in numbers if "." not in number] == ["1", "2", "3", "4", "5"]
    # Junk of the mind-map export precedes the first item; after it no line may be lost.
    assert OUTLINE[0] == ("1", "Ausgangslage")
    lines = [line for line in OUTLINE_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = lines[lines.index("1. Ausgangslage") :]
    assert [line for line in body if not LINE_RE.match(line)] == []
    assert len(body) == len(OUTLINE)


def test_every_outline_line_is_mapped():
    assert [item.number for item in ITEMS if item.kind == "unknown"] == []


def test_outline_has_the_expected_size():
    sizes = {kind: len(items_of(kind)) for kind in {item.kind for item in ITEMS}}
    assert sizes == {
        "heading": 5,
        "goal": 7,
        "goal_short_title": 7,
        "sub_goal": 28,
        "measure": 37,
        "statement": 11,
    }


@pytest.mark.parametrize(
    "item",
    items_of("goal") + items_of("goal_short_title") + items_of("sub_goal"),
    ids=lambda item: item.number,
)
def test_outline_labels_agree_with_numbering(item):
    label = GOAL_RE.match(item.text) or SUB_GOAL_RE.match(item.text)
    assert label.group(1) == item.number.split(".")[-1]


# --- outline → data, one case per outline item ---------------------------------------------


@pytest.mark.parametrize("item", DATA_ITEMS, ids=lambda item: item.number)
def test_outline_item_is_in_fixture(concept, item):
    assert record_of(item.kind, concept, item.key) == item.fields


@pytest.mark.parametrize("item", items_of("goal"), ids=lambda item: item.number)
def test_goal_title_and_aim_split_the_outline_line(concept, item):
    title = GOAL_TITLES[item.key]
    line = item.fields["title + aim"]
    assert line.startswith(title + " ")
    goal = StrategicGoal.objects.get(concept=concept, number=item.key)
    assert (goal.title, goal.aim) == (title, line.removeprefix(title + " "))


# --- data → outline: nothing more than the outline -----------------------------------------


def test_concept_is_the_exported_one(concept):
    first_line = OUTLINE_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert concept.title == first_line


@pytest.mark.parametrize(
    ("kind", "expected_count"),
    [("goal", 7), ("goal_short_title", 7), ("sub_goal", 28), ("measure", 37), ("statement", 11)],
)
def test_fixture_has_nothing_beyond_outline(concept, kind, expected_count):
    if kind in ("goal", "goal_short_title"):
        keys = StrategicGoal.objects.filter(concept=concept).values_list("number", flat=True)
    elif kind == "sub_goal":
        keys = SubGoal.objects.filter(goal__concept=concept).values_list("goal__number", "number")
    elif kind == "measure":
        keys = Measure.objects.filter(concept=concept).values_list("number", flat=True)
    else:
        keys = Statement.objects.filter(concept=concept).values_list("number", flat=True)
    keys = list(keys)
    assert len(keys) == expected_count
    assert set(keys) == {item.key for item in items_of(kind)}


def test_statements_follow_outline_order(concept):
    ordered = list(concept.statements.order_by("position").values_list("number", flat=True))
    assert ordered == [item.number for item in items_of("statement")]


def test_measures_follow_outline_order(concept):
    ordered = list(concept.measures.order_by("position").values_list("number", flat=True))
    assert ordered == [item.number for item in items_of("measure")]


def test_section_headings_name_the_statement_sections():
    with translation.override("de"):
        for number, section in SECTIONS.items():
            assert outline_text(number) == str(section.label)


# --- networks and committees ---------------------------------------------------------------


def test_networks_of_3_1_reproduce_the_list(concept):
    text = outline_text("3.1")
    assert text.startswith(NETWORK_LIST_PREFIX)
    assert text.endswith(NETWORK_LIST_SUFFIX)
    listed = text.removeprefix(NETWORK_LIST_PREFIX).removesuffix(NETWORK_LIST_SUFFIX)
    networks = list(
        Network.objects.filter(concept=concept, statement__number="3.1").order_by("position")
    )
    assert len(networks) == 8
    assert " ".join(network.name for network in networks) == listed


@pytest.mark.parametrize(("number", "name"), COMMITTEES)
def test_committee_is_named_by_its_evaluation_statement(concept, number, name):
    committee = Network.objects.select_related("statement").get(concept=concept, name=name)
    assert committee.kind == Network.Kind.COMMITTEE
    assert committee.statement.number == number
    assert name in outline_text(number)


def test_fixture_has_no_other_networks(concept):
    committees = Network.objects.filter(concept=concept, kind=Network.Kind.COMMITTEE)
    assert sorted(committees.values_list("name", flat=True)) == sorted(n for _, n in COMMITTEES)
    others = Network.objects.filter(concept=concept).exclude(kind=Network.Kind.COMMITTEE)
    assert set(others.values_list("statement__number", flat=True)) == {"3.1"}
    assert Network.objects.filter(concept=concept).count() == 8 + len(COMMITTEES)


def test_network_coordinators_are_named_in_the_network(concept):
    coordinated = Network.objects.filter(concept=concept, coordinator__isnull=False)
    assert coordinated.exists()
    for network in coordinated.select_related("coordinator"):
        assert mentions(network.name, network.coordinator.name), network.name


def test_measures_linked_to_networks_are_those_the_text_links(concept):
    # N2 continues the Koordinierungsstab, W3 is the Integrationslotsen programme; no other
    # measure title names a network of 3.1 or a committee of section 5.
    links = Measure.networks.through.objects.filter(measure__concept=concept)
    assert sorted(links.values_list("measure__code", "network__name")) == [
        ("N2", "Koordinierungsstab Flüchtlinge (mit dazugehörigen Arbeitskreisen)"),
        ("W3", "Integrationslotsen/-lotsinnen"),
    ]


def test_networks_named_in_a_measure_title_are_linked(concept):
    networks = list(Network.objects.filter(concept=concept))
    missing = []
    for measure in Measure.objects.filter(concept=concept).prefetch_related("networks"):
        linked = set(measure.networks.all())
        for network in networks:
            stem = re.split(r"[\s/]", network.name)[0]
            if stem.lower() in measure.title.lower() and network not in linked:
                missing.append((measure.label, network.name))
    assert missing == []


def test_measure_networks_are_named_in_the_measure_title(concept):
    linked = Measure.objects.filter(concept=concept, networks__isnull=False).distinct()
    assert linked.exists()
    for measure in linked:
        for network in measure.networks.all():
            stem = re.split(r"[\s/]", network.name)[0]
            assert stem.lower() in measure.title.lower(), (measure.label, network.name)


# --- situation figures ---------------------------------------------------------------------


def parse_total_by_sex():
    match = re.fullmatch(
        r"Im Jahr (\d{4}) im LK VEC: ([\d.]+) Ausländer\*innen \((.+)\)", outline_text("1.1")
    )
    year, total, parts = match.groups()
    breakdown = dict(part.split(": ") for part in parts.split(" / "))
    return int(year), german_int(total), {k: german_int(v) for k, v in breakdown.items()}


def parse_top_ten():
    _, listed = outline_text("1.1.1.1").split(": ", 1)
    pairs = re.findall(r"(\S.*?) \(([\d.]+) Personen\)", listed)
    counts = [(country, german_int(n)) for country, n in pairs]
    day, month, year = re.search(r"\(Stand (\d+)\.(\d+)\.(\d{4})\)$", listed).groups()
    return counts, date(int(year), int(month), int(day))


def values_of(concept, statement_number):
    indicator = Indicator.objects.get(
        concept=concept, statement__number=statement_number, sub_goal__isnull=True
    )
    return list(indicator.values.order_by("position"))


def test_only_the_two_situation_indicators_exist(concept):
    indicators = Indicator.objects.filter(concept=concept)
    assert sorted(indicators.values_list("statement__number", flat=True)) == ["1.1", "1.1.1.1"]
    # The outline says nothing about them beyond their figures: no description that could
    # pass for the customer's wording next to the source "Integrationskonzept, Ausgangslage".
    assert list(indicators.values_list("description", flat=True)) == ["", ""]
    assert not indicators.filter(sub_goal__isnull=False).exists()
    assert IndicatorValue.objects.filter(indicator__concept=concept).count() == 3 + 10


def test_foreigners_total_and_by_sex_match_1_1(concept):
    year, total, by_sex = parse_total_by_sex()
    assert (year, total, by_sex) == (2019, 20714, {"männlich": 11207, "weiblich": 9450})
    values = values_of(concept, "1.1")
    assert [(v.breakdown, v.value) for v in values] == [
        ("", Decimal(total)),
        ("männlich", Decimal(by_sex["männlich"])),
        ("weiblich", Decimal(by_sex["weiblich"])),
    ]
    assert {v.reference_date for v in values} == {date(year, 12, 31)}


def test_top_ten_nationalities_match_1_1_1_1(concept):
    counts, reference_date = parse_top_ten()
    assert len(counts) == 10
    assert reference_date == date(2019, 12, 31)
    values = values_of(concept, "1.1.1.1")
    assert [(v.breakdown, v.value) for v in values] == [(c, Decimal(n)) for c, n in counts]
    assert {v.reference_date for v in values} == {reference_date}


def test_situation_figures_show_the_unspecified_remainder(concept):
    indicators = Indicator.objects.filter(concept=concept, sub_goal__isnull=True).order_by(
        "position"
    )
    with translation.override("de"):
        figures = {f.indicator.statement.number: f for f in situation_figures(indicators)}
    _, total, by_sex = parse_total_by_sex()
    remainder = total - sum(by_sex.values())
    assert remainder == 57

    by_sex_figure = figures["1.1"]
    assert by_sex_figure.total == total
    assert [(r.label, r.value, r.derived) for r in by_sex_figure.rows] == [
        ("männlich", by_sex["männlich"], False),
        ("weiblich", by_sex["weiblich"], False),
        ("ohne Angabe", remainder, True),
    ]

    # The top ten have no total, so nothing is derived for them.
    top_ten_figure = figures["1.1.1.1"]
    assert top_ten_figure.total is None
    assert [(r.label, r.value) for r in top_ten_figure.rows] == parse_top_ten()[0]
    assert not any(r.derived for r in top_ten_figure.rows)


# --- organisations -------------------------------------------------------------------------


def test_organisations_are_named_in_the_outline(concept):
    items_text = "\n".join(text for _, text in OUTLINE)
    title_line = OUTLINE_PATH.read_text(encoding="utf-8").splitlines()[0]
    unnamed = []
    for organisation in Organisation.objects.filter(concept=concept):
        if organisation.name == concept.district:
            # The district is the author; the export abbreviates Landkreis as "LK".
            named = organisation.name.replace("Landkreis", "LK") in title_line
        else:
            named = mentions(items_text, organisation.name)
        if not named:
            unnamed.append(organisation.name)
    assert unnamed == []
    assert Organisation.objects.filter(concept=concept).count() == 12


def test_involvements_belong_to_the_expected_measures(concept):
    involved = Measure.objects.filter(concept=concept, involvements__isnull=False).distinct()
    assert {measure.label for measure in involved} == INVOLVED_MEASURES


def test_involved_organisations_are_named_in_the_measure_title(concept):
    unnamed = []
    for involvement in MeasureOrganisation.objects.filter(measure__concept=concept).select_related(
        "measure", "organisation"
    ):
        measure, organisation = involvement.measure, involvement.organisation
        if measure.number == "4.1.9":
            named = "kreiseigenen" in measure.title and organisation.name == concept.district
        else:
            named = mentions(measure.title, organisation.name)
        if not named:
            unnamed.append((measure.label, organisation.name))
    assert unnamed == []


def test_organisations_named_in_a_measure_title_are_involved(concept):
    organisations = Organisation.objects.filter(concept=concept).exclude(name=concept.district)
    missing = []
    for measure in Measure.objects.filter(concept=concept).prefetch_related("organisations"):
        involved = set(measure.organisations.all())
        for organisation in organisations:
            if mentions(measure.title, organisation.name) and organisation not in involved:
                missing.append((measure.label, organisation.name))
    assert missing == []


# --- loading ---------------------------------------------------------------------------------


def test_loading_twice_is_idempotent(concept):
    before = primary_keys_by_model()
    load_fixture()
    after = primary_keys_by_model()
    assert after == before
    assert {name: len(pks) for name, pks in after.items()} == {
        "Concept": 1,
        "Statement": 11,
        "StrategicGoal": 7,
        "SubGoal": 28,
        "Indicator": 2,
        "IndicatorValue": 13,
        "Organisation": 12,
        "Network": 11,
        "Measure": 37,
        "MeasureOrganisation": 16,
    }


def test_abbreviations_are_those_the_outline_uses(concept):
    """The Abkürzungsverzeichnis of LK Vechta: each abbreviation or its long form is written
    in the outline (BES is the district's name for the Berufseinstiegsschule of B4)."""
    outline = OUTLINE_PATH.read_text(encoding="utf-8")
    abbreviations = list(concept.abbreviations.values_list("short_form", "long_form"))
    assert abbreviations == [
        ("BES", "Berufseinstiegsschule"),
        ("HVB", "Hauptverwaltungsbeamte"),
        ("Kita", "Kindertagesstätte"),
        ("LK", "Landkreis"),
        ("VEC", "Vechta"),
        ("VerA", "Verhinderung von Ausbildungsabbrüchen"),
    ]
    for short_form, long_form in abbreviations:
        assert mentions(outline, short_form) or mentions(outline, long_form), short_form
