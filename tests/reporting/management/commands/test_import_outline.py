"""The import_outline command: its report, dry run, file variants, invalid input, replacing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concept.models import Concept
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.services import progress_entry_create
from networks.models import Network, Organisation
from reporting.outline.write import outline_import
from tests.factories import (
    ConceptFactory,
    MeasureFactory,
    OrganisationFactory,
    UserFactory,
    add_member,
    one_of_everything,
)
from tests.reporting.outline.helpers import (
    DATA,
    SEED,
    SEED_PATH,
    concept_snapshot,
    row_counts,
    seed_with,
)

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out = io.StringIO()
    call_command("import_outline", *args, stdout=out, **options)
    return out.getvalue()


def write(tmp_path, text, name="gliederung.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# --- the seed ------------------------------------------------------------------------------


def test_command_creates_the_concept_and_reports_it_in_german(db):
    out = run(str(SEED_PATH), slug="lk-vechta")
    concept = Concept.objects.get(slug="lk-vechta")
    assert concept.goals.count() == 7 and concept.measures.count() == 37
    assert "Angelegt: „Integrationskonzept LK Vechta“ (Kurzname lk-vechta, Status Entwurf)." in out
    assert "Gebietskörperschaft: LK Vechta" in out
    assert (
        "Umfang: 7 strategische Ziele, 28 Teilziele, 37 Maßnahmen (davon 1 ohne Kürzel), "
        "11 Aussagen, 2 Kennzahlen mit 13 Werten."
    ) in out
    assert "  1. Sprachförderung und Spracherwerb (Kurztitel: Sprache)" in out
    assert "9 Maßnahmen: S1, S2, S3, S4, S5, S6, S7, S8, 4.1.9" in out
    assert "Koordination und Netzwerke: 5 Maßnahmen: N1, N2, N3, N4, N5" in out
    assert (
        "Aussagen (Feststellungen): Ausgangslage 5, Koordination und Netzwerke 2, "
        "Fortschreibung / Evaluation 4"
    ) in out
    assert (
        "Ausländer*innen (1.1, Stand 31.12.2019): gesamt 20.714; männlich 11.207; weiblich 9.450"
    ) in out
    assert "Zeile 93: 3.1 enthält offenbar eine Liste in einer Zeile" in out
    assert "Zeile 3: Jetzt loslegen. Gratis!" in out
    assert "Nicht angelegt: Akteure und Netzwerke" in out


def test_dry_run_writes_nothing(db):
    before = row_counts()
    out = run(str(SEED_PATH), slug="lk-vechta", dry_run=True)
    assert row_counts() == before
    assert out.startswith("Probelauf – es wurde nichts gespeichert.")
    assert "Angelegt würde: „Integrationskonzept LK Vechta“" in out


# --- other districts -----------------------------------------------------------------------


def test_district_without_coordination_and_evaluation_sections(db):
    out = run(str(DATA / "landkreis-musterland.txt"), slug="musterland")
    concept = Concept.objects.get(slug="musterland")
    assert concept.district == "Landkreis Musterland"
    shot = concept_snapshot(concept)
    assert shot["goals"] == [
        (
            1,
            "Integration durch Sprache",
            "Sprache",
            "Alle Zugewanderten erreichen mindestens das Sprachniveau B1.",
        ),
        (
            2,
            "Gesundheit",
            "Gesundheit",
            "Zugewanderte kennen die Angebote der Gesundheitsversorgung.",
        ),
        (
            3,
            "Gute Nachbarschaft",
            "Gute Nachbarschaft",
            "Die Menschen in den Gemeinden begegnen sich im Alltag.",
        ),
    ]
    assert shot["measures"] == [
        (1, "3.1.1", "I1", "Kursträgerkonferenz zweimal im Jahr", 1, "", ""),
        (
            2,
            "3.1.2",
            "I2",
            "Kinderbetreuung während der Kurse",
            1,
            "",
            "Zwei Gruppen in der Kreisstadt\nFinanzierung über Landesmittel",
        ),
        (3, "3.1.3", "", "Sprachcafés in den Stadtteilbibliotheken", 1, "", ""),
        (4, "3.2.1", "GE1", "Mehrsprachiger Gesundheitswegweiser", 2, "", ""),
    ]
    assert shot["statements"] == [] and shot["indicators"] == []
    assert (
        "Umfang: 3 strategische Ziele, 3 Teilziele, 4 Maßnahmen (davon 1 ohne Kürzel), "
        "0 Aussagen, 0 Kennzahlen mit 0 Werten."
    ) in out
    assert "     0 Teilziele; 1 Maßnahme: GE1" in out
    assert "     1 Teilziel; 0 Maßnahmen: keine" in out
    assert "Koordination und Netzwerke: 0 Maßnahmen: keine" in out


# --- layout variants -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xef\xbb\xbf" + SEED.encode(), id="bom"),
        pytest.param(SEED.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(
            "\n".join("    " * line.count(".") + line + "  " for line in SEED.split("\n")).encode(),
            id="indented-trailing-spaces",
        ),
    ],
)
def test_file_variants_import_the_same_concept(tmp_path, data):
    reference = outline_import(text=SEED, slug="referenz").concept
    run(str(write(tmp_path, data)), slug="variante")
    assert concept_snapshot(Concept.objects.get(slug="variante")) == concept_snapshot(reference)


def test_windows_1252_file_is_imported_with_a_warning(tmp_path):
    out = run(str(write(tmp_path, SEED, encoding="cp1252")), slug="lk-vechta")
    assert Concept.objects.get(slug="lk-vechta").goals.get(number=1).title == (
        "Sprachförderung und Spracherwerb"
    )
    assert "als Windows-1252 gelesen" in out


# --- invalid input -------------------------------------------------------------------------


INVALID = [
    pytest.param(
        {25: ""},
        "Zeile 27: Nummerierungslücke – nach 2.1.1 folgt 2.1.3 (erwartet 2.1.2).",
        id="gap-teilziel",
    ),
    pytest.param(
        dict.fromkeys(range(143, 152), ""),
        "Zeile 153: Nummerierungslücke – nach 4.2 folgt 4.4 (erwartet 4.3).",
        id="gap-goal",
    ),
    pytest.param(
        {27: "2.1.2. Teilziel 3: doppelt"},
        "Zeile 27: Die Gliederungsnummer 2.1.2 kommt doppelt vor (zuerst in Zeile 25).",
        id="duplicate-number",
    ),
    pytest.param(
        {133: "4.2.2. Maßnahme B1: zweites B1"},
        "Zeile 133: Das Maßnahmenkürzel B1 kommt doppelt vor (zuerst in Zeile 131).",
        id="duplicate-code",
    ),
    pytest.param(
        {129: "4.2. Strategisches Ziel 9: Bildung"},
        "Zeile 129: Strategisches Ziel 9 ist in der Zielsetzung nicht definiert; die Maßnahmen "
        "darunter können keinem Ziel zugeordnet werden (Maßnahmen in Zeile 131, 133, 135, 137, "
        "139, 141).",
        id="measures-under-undefined-goal",
    ),
    pytest.param(
        {33: "2.2. Teilziel 1: ohne Ziel"},
        "Zeile 33: „Teilziel 1“ steht außerhalb eines strategischen Ziels – Teilziele gehören "
        "unter „Strategisches Ziel N“ im Abschnitt „Zielsetzung“.",
        id="teilziel-outside-goal",
    ),
    pytest.param(
        {26: "Fortsetzung eines umgebrochenen Texts"},
        "Zeile 26: Keine Gliederungszeile: „Fortsetzung eines umgebrochenen Texts“.",
        id="not-an-outline-line",
    ),
    pytest.param(
        {19: "2. Ziele und Wünsche"},
        "Die Datei enthält keinen Abschnitt „Zielsetzung“",
        id="no-zielsetzung",
    ),
]


@pytest.mark.parametrize(("replacements", "message"), INVALID)
def test_invalid_outline_is_refused_with_line_and_nothing_is_written(
    tmp_path, replacements, message
):
    path = write(tmp_path, seed_with(replacements))
    before = row_counts()
    with pytest.raises(CommandError) as caught:
        run(str(path), slug="lk-vechta")
    text = str(caught.value)
    assert text.startswith("Import von „")
    assert "es wurde nichts gespeichert" in text
    assert message in text
    assert row_counts() == before


def test_all_errors_are_reported_at_once(tmp_path):
    path = write(tmp_path, seed_with({25: "", 26: "lose Zeile", 133: "4.2.2. Maßnahme B1: x"}))
    with pytest.raises(CommandError) as caught:
        run(str(path), slug="lk-vechta")
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        "Import von „gliederung.txt“ abgebrochen – 3 Fehler gefunden, es wurde nichts gespeichert:"
    )
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "Zeile 26",
        "Zeile 27",
        "Zeile 133",
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda tmp: str(tmp / "fehlt.txt"), "Die Datei „", id="missing-file"),
        pytest.param(lambda tmp: str(tmp), "ist keine Datei", id="directory"),
        pytest.param(lambda tmp: str(write(tmp, b"")), "Die Datei ist leer.", id="empty-file"),
        pytest.param(
            lambda tmp: str(write(tmp, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")),
            "Die Datei ist keine Textdatei",
            id="binary-file",
        ),
    ],
)
def test_unusable_files_get_german_messages(tmp_path, make, message):
    with pytest.raises(CommandError) as caught:
        run(make(tmp_path), slug="lk-vechta")
    assert message in str(caught.value)
    assert Concept.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        ((), {"slug": "x"}, "Bitte die Datei mit der Gliederung angeben"),
        ((str(SEED_PATH),), {}, "Bitte mit --slug einen Kurznamen angeben"),
        ((str(SEED_PATH),), {"slug": "LK Vechta!"}, "Ungültiger Kurzname „LK Vechta!“"),
        ((str(SEED_PATH),), {"slug": "import"}, "ist für die Adresse der Importseite reserviert"),
    ],
)
def test_bad_arguments_get_german_messages(db, args, options, message):
    with pytest.raises(CommandError) as caught:
        run(*args, **options)
    assert message in str(caught.value)
    assert Concept.objects.count() == 0


def test_invalid_slug_and_file_errors_come_together(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(str(write(tmp_path, seed_with({25: ""}))), slug="ä")
    text = str(caught.value)
    assert "2 Fehler" in text and "Ungültiger Kurzname „ä“" in text and "Zeile 27:" in text


# --- replacing -----------------------------------------------------------------------------


def test_existing_slug_without_replace_is_an_error(db):
    lk_vechta = one_of_everything(ConceptFactory(slug="lk-vechta", status=Concept.Status.ADOPTED))
    before = concept_snapshot(lk_vechta)
    with pytest.raises(CommandError) as caught:
        run(str(SEED_PATH), slug="lk-vechta")
    assert "Es gibt bereits ein Konzept mit dem Kurznamen „lk-vechta“." in str(caught.value)
    assert concept_snapshot(lk_vechta) == before
    assert Concept.objects.get(slug="lk-vechta").status == Concept.Status.ADOPTED


def add_progress(concept, author):
    measure = Measure.objects.get(concept=concept, code="S1")
    return progress_entry_create(
        measure=measure,
        author=author,
        date=dt.date(2025, 3, 1),
        status=Status.IN_PROGRESS,
        traffic_light=TrafficLight.GREEN,
        progress=30,
        text="Läuft.",
    )


def test_replace_deletes_everything_under_the_old_concept(lk_vechta):
    member = add_member(lk_vechta, UserFactory())
    add_progress(lk_vechta, member)
    successor = ConceptFactory(predecessor=lk_vechta)
    old_pk = lk_vechta.pk

    out = run(str(SEED_PATH), slug="lk-vechta", replace=True)

    new = Concept.objects.get(slug="lk-vechta")
    assert new.pk != old_pk and new.status == Concept.Status.DRAFT
    assert not Concept.objects.filter(pk=old_pk).exists()
    assert ProgressEntry.objects.count() == 0
    assert not Organisation.objects.exists() and not Network.objects.exists()
    assert list(new.members.all()) == [member]
    successor.refresh_from_db()
    assert successor.predecessor == new
    assert (
        "Das bisherige Konzept „Integrationskonzept LK Vechta“ wurde ersetzt und mit allem "
        "gelöscht, was dazugehört: 11 Aussagen, 7 strategische Ziele, 28 Teilziele, "
        "37 Maßnahmen, 1 Sachstand, 2 Kennzahlen, 13 Kennzahlwerte, 12 Akteure, "
        "11 Netzwerke und Gremien."
    ) in out


def test_replace_dry_run_keeps_the_old_concept(db):
    lk_vechta = MeasureFactory(concept=ConceptFactory(slug="lk-vechta"), code="S1").concept
    OrganisationFactory(concept=lk_vechta)
    add_progress(lk_vechta, None)
    before = row_counts()
    out = run(str(SEED_PATH), slug="lk-vechta", replace=True, dry_run=True)
    assert row_counts() == before
    assert "würde ersetzt" in out and "1 Sachstand," in out


def test_failed_replace_keeps_the_old_concept(tmp_path):
    lk_vechta = MeasureFactory(concept=ConceptFactory(slug="lk-vechta"), code="S1").concept
    add_progress(lk_vechta, None)
    before = row_counts()
    with pytest.raises(CommandError):
        run(str(write(tmp_path, seed_with({25: ""}))), slug="lk-vechta", replace=True)
    assert row_counts() == before
    assert Concept.objects.get(slug="lk-vechta").pk == lk_vechta.pk
