"""Is a draft ready to become final? The completeness check and the data fingerprint.

Both read the report's snapshot (reporting.report.snapshot), the data its PDF shows, so what
is checked is exactly what would be frozen:

- `findings(snapshot)`: what the report still lacks — missing texts, goals without an
  assessment, empty chapters, measures without a Sachstand in the report year. Shown on the
  report page before "Final setzen"; a report with findings becomes final only with an
  explicit override and its reason (reporting.report.services.annual_report_finalise).
- `fingerprint(snapshot)`: the SHA-256 of the data, without the moment it was taken and the
  draft mark. A preview stores it; finalising compares it with the current data, so
  "Ich habe die Vorschau geprüft" always refers to a preview of what becomes final.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from measures.models import NEVER_OVERDUE

# Snapshot keys that change without the data changing.
VOLATILE_KEYS = ("taken_at", "date", "draft")


class Kind:
    TEXT = "text"
    ASSESSMENT = "assessment"
    CHAPTER = "chapter"
    ENTRY = "entry"


KIND_HEADINGS = {
    Kind.TEXT: lambda year: _("Fehlende Texte"),
    Kind.ASSESSMENT: lambda year: _("Ziele ohne Bewertung"),
    Kind.CHAPTER: lambda year: _("Leere Kapitel"),
    Kind.ENTRY: lambda year: (
        _("Maßnahmen ohne Sachstand im Berichtsjahr %(year)s") % {"year": year}
    ),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str


@dataclass
class FindingGroup:
    kind: str
    heading: str
    items: list


def findings(snapshot: dict) -> list[Finding]:
    """What the report of this snapshot still lacks, in the order of the report."""
    report, year = snapshot["report"], snapshot["report"]["year"]
    found = []
    for name, label in [
        ("foreword", _("Vorwort")),
        ("summary", _("Das Wichtigste in Kürze")),
        ("introduction", _("Einleitung: Auftrag und Methodik")),
        ("need_for_action", _("Handlungsbedarf und Empfehlungen")),
    ]:
        if not report.get(name, "").strip():
            found.append(Finding(Kind.TEXT, label))
    for goal in snapshot["goals"]:
        if not goal["assessment"].strip():
            found.append(Finding(Kind.ASSESSMENT, _goal_name(goal)))
    if not snapshot["situation"]:
        found.append(Finding(Kind.CHAPTER, _("Ausgangslage: keine Zahlen erfasst")))
    if not snapshot["monitoring"]:
        found.append(Finding(Kind.CHAPTER, _("Entwicklung zentraler Kennzahlen: keine erfasst")))
    for goal in snapshot["goals"]:
        if not goal["measures"]:
            found.append(
                Finding(
                    Kind.CHAPTER,
                    _("%(goal)s – keine Maßnahmen") % {"goal": _goal_name(goal)},
                )
            )
    if not report.get("outlook", "").strip():
        found.append(Finding(Kind.CHAPTER, _("Ausblick und Fortschreibung: kein Text")))
    if not report.get("resolution_proposal", "").strip():
        found.append(Finding(Kind.CHAPTER, _("Beschlussvorschlag: kein Text")))
    year_end = dt.date(year, 12, 31).isoformat()
    measures = [m for g in snapshot["goals"] for m in g["measures"]]
    measures += snapshot["coordination"]["measures"]
    for measure in measures:
        if _expects_entry(measure, year_end) and not measure.get("entry_count"):
            found.append(Finding(Kind.ENTRY, f"{measure['label']} {measure['title']}".strip()))
    return found


def _goal_name(goal):
    return _("Ziel %(number)s: %(title)s") % {
        "number": goal["number"],
        "title": goal["short_title"] or goal["title"],
    }


def _expects_entry(measure, year_end):
    """A measure reports on the year unless it started only afterwards or, at the year's end,
    was implemented, deferred or dropped (the same rule as "überfällig")."""
    if measure["start_date"] and measure["start_date"] > year_end:
        return False
    return measure["status"] not in NEVER_OVERDUE


def grouped(found: list[Finding], year: int) -> list[FindingGroup]:
    """The findings under one heading per kind, as the report page lists them."""
    groups = []
    for kind, heading in KIND_HEADINGS.items():
        items = [f.text for f in found if f.kind == kind]
        if items:
            groups.append(FindingGroup(kind, heading(year), items))
    return groups


def fingerprint(snapshot: dict) -> str:
    """SHA-256 of the snapshot's data (not of when it was taken, nor of the draft mark)."""
    data = {key: value for key, value in snapshot.items() if key not in VOLATILE_KEYS}
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
