"""Akteure in a file: the model's checks as German row errors."""

from networks.models import Organisation
from reporting.exchange.kinds import KINDS_BY_KEY
from tests.exchange_world import run_rows


def test_organisation_validation_from_the_model(world):
    report = run_rows(
        world,
        KINDS_BY_KEY["organisations"],
        [["Name", "Website", "Art"], ["VHS", "kein link", "Schule"]],
    )
    assert report.error_messages == [
        "Zeile 2, Spalte „Art“: „Schule“ ist keine gültige Art (erlaubt: Landkreisverwaltung, "
        "Stadt / Gemeinde, Arbeitsverwaltung, Bildungseinrichtung, Kindertagesbetreuung, "
        "Wohlfahrtsverband, Verein / Initiative, Sonstige)."
    ]
    report = run_rows(
        world, KINDS_BY_KEY["organisations"], [["Name", "Website"], ["VHS", "kein link"]]
    )
    assert len(report.error_messages) == 1
    assert report.error_messages[0].startswith("Zeile 2, Spalte „Website“: ")
    assert not Organisation.objects.filter(name="VHS").exists()
