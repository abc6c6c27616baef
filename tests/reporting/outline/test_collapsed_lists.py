"""Lists collapsed into one line: recognised, ordinary lines left alone (no DB)."""

import pytest

from reporting.outline.collapsed_lists import looks_like_collapsed_list


@pytest.mark.parametrize(
    "text",
    [
        "Vorhandene Netzwerke (beispielhaft): Koordinierungsstab Flüchtlinge (mit dazugehörigen "
        "Arbeitskreisen) Bildungskoordination für Flüchtlinge Koordination der Sprachförderung "
        "Koordinierungsstelle Migration und Teilhabe Integrationslotsen/-lotsinnen KMN-Treffen "
        "Migrationsdienst des Caritas-Sozialwerkes Koordination Kita-Einstieg u.v.m.",
        "Beteiligte: Jobcenter Beispielstadt Volkshochschule Caritasverband Diakonisches Werk",
        "Gremien: Steuerungsgruppe Integration HVB-Konferenz Kreistag",
        # Lists that kept their separators still stand in one line: split them too.
        "Vorhandene Netzwerke: Runder Tisch Integration; Migrationsberatung der AWO; Sprachcafé",
        "Netzwerke: Koordinierungsstab, Bildungskoordination, Integrationslotsen",
        "Angebote (Auswahl): Sprachcafé (Stadt, Kreis) • Lernpaten • Elterntreff",
        "Akteure in den Gemeinden: Jobcenter, Volkshochschule, Caritas, Diakonie, Sportbund",
    ],
)
def test_collapsed_lists_are_recognised(text):
    assert looks_like_collapsed_list(text)


@pytest.mark.parametrize(
    "text",
    [
        "Folgende Maßnahmen zur Verbesserung der Kommunikation und des Informationsaustausches:",
        "Hinweis: Die Zahlen stammen aus dem Ausländerzentralregister der Stadt.",
        "Die Fluchtgründe und Lebensbedingungen im Heimatland von Menschen mit Fluchterfahrung "
        "sind in der Gesellschaft bekannt und nachvollziehbar.",
        "Ziel: Die Menschen finden Arbeit. Die Betriebe finden Fachkräfte.",
        "Ziel: Sprache, Bildung und Arbeit fördern",
        "Netzwerke: Viele arbeiten mit, aber die Abstimmung fehlt noch",
        "Hinweis: Jobcenter, Volkshochschule und Caritas beraten gemeinsam",
        "Regelmäßige Vorstellung in der Steuerungsgruppe Integration",
    ],
)
def test_ordinary_lines_are_not_flagged(text):
    assert not looks_like_collapsed_list(text)
