"""Writes on networks, organisations and meetings. Each runs full_clean() and save() in a
transaction.

Networks, organisations and meetings carry a version: an update claims it first
(concept.locking.claim), so of two people editing the same entry the second is refused
(StaleVersion) instead of overwriting the first. Their history (django-simple-history)
records who changed what and, if given, why ("Datenimport „akteure.csv“").
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from concept import locking
from concept.models import Concept, Statement
from networks.models import Meeting, Network, Organisation

NAME_MAX_LENGTH = Network._meta.get_field("name").max_length
CHANGE_REASON_MAX_LENGTH = Network.history.model._meta.get_field("history_change_reason").max_length
ORGANISATION_FIELDS = ["name", "short_name", "kind", "website", "is_public"]
NETWORK_FIELDS = [
    "name",
    "kind",
    "purpose",
    "coordinator",
    "members",
    "meeting_cadence",
    "platform_url",
    "statement",
    "is_public",
]


def _for_history(obj, user, reason):
    """Who made the change and why, for the history record the save writes. The reason is
    set on every save, or an earlier one would stick to the object's later changes."""
    if user is not None:
        obj._history_user = user
    obj._change_reason = reason[:CHANGE_REASON_MAX_LENGTH] or None


def _check_same_concept(concept_id, organisations, field_name):
    if any(o.concept_id != concept_id for o in organisations):
        raise ValidationError({field_name: _("Ein Akteur gehört zu einem anderen Konzept.")})


# --- Organisations (Akteure) ------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    concept: Concept,
    name: str,
    short_name: str = "",
    kind: str = Organisation.Kind.OTHER,
    website: str = "",
    is_public: bool = False,
    user=None,
    reason: str = "",
) -> Organisation:
    organisation = Organisation(
        concept=concept,
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        website=website,
        is_public=is_public,
    )
    organisation.full_clean()
    _for_history(organisation, user, reason)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    expected_version: int,
    name: str,
    short_name: str,
    kind: str,
    website: str,
    is_public: bool,
    user=None,
    reason: str = "",
) -> Organisation:
    organisation.name = name.strip()
    organisation.short_name = short_name.strip()
    organisation.kind = kind
    organisation.website = website
    organisation.is_public = is_public
    organisation.full_clean()
    locking.claim(organisation, expected_version)
    _for_history(organisation, user, reason)
    organisation.save(update_fields=[*ORGANISATION_FIELDS, "version"])
    return organisation


# --- Networks ---------------------------------------------------------------------------


@transaction.atomic
def network_create(
    *,
    concept: Concept,
    name: str,
    kind: str = Network.Kind.NETWORK,
    purpose: str = "",
    coordinator: Organisation | None = None,
    members=(),
    meeting_cadence: str = "",
    platform_url: str = "",
    statement: Statement | None = None,
    is_public: bool = False,
    user=None,
    reason: str = "",
) -> Network:
    """A new network, placed after the concept's others."""
    last = Network.objects.filter(concept=concept).aggregate(last=Max("position"))["last"]
    network = Network(
        concept=concept,
        name=name.strip(),
        kind=kind,
        purpose=purpose.strip(),
        coordinator=coordinator,
        meeting_cadence=meeting_cadence.strip(),
        platform_url=platform_url,
        statement=statement,
        is_public=is_public,
        position=(last or 0) + 1,
    )
    network.full_clean()
    members = list(members)
    _check_same_concept(concept.pk, members, "members")
    _for_history(network, user, reason)
    network.save()
    # Members need the saved network: their list is a second history record ("Mitglieder").
    network.members.set(members)
    return network


@transaction.atomic
def network_update(
    *,
    network: Network,
    expected_version: int,
    name: str,
    kind: str,
    purpose: str,
    coordinator: Organisation | None,
    members,
    meeting_cadence: str,
    platform_url: str,
    statement: Statement | None,
    is_public: bool,
    user=None,
    reason: str = "",
) -> Network:
    network.name = name.strip()
    network.kind = kind
    network.purpose = purpose.strip()
    network.coordinator = coordinator
    network.meeting_cadence = meeting_cadence.strip()
    network.platform_url = platform_url
    network.statement = statement
    network.is_public = is_public
    network.full_clean()
    members = list(members)
    _check_same_concept(network.concept_id, members, "members")
    locking.claim(network, expected_version)
    _for_history(network, user, reason)
    # Members first, without history records of their own: the save then records the whole
    # change, members included, as one entry.
    network.skip_history_when_saving = True
    try:
        network.members.set(members)
    finally:
        del network.skip_history_when_saving
    network.save(update_fields=[*(f for f in NETWORK_FIELDS if f != "members"), "version"])
    return network


# --- Meetings ---------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    network: Network,
    date: dt.date,
    topic: str,
    presented: str = "",
    minutes: str = "",
    user=None,
) -> Meeting:
    """A meeting of any network. Those of committees are the sessions of the evaluation
    cycle, in which decisions are taken (measures.services.decision_create)."""
    meeting = Meeting(
        network=network,
        date=date,
        topic=topic.strip(),
        presented=presented.strip(),
        minutes=minutes.strip(),
    )
    meeting.full_clean()
    meeting._history_user = user
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    expected_version: int | None,
    date: dt.date,
    topic: str,
    presented: str,
    minutes: str,
    network: Network | None = None,
    user=None,
) -> Meeting:
    """Change a meeting; `network` moves it to another network of the same concept."""
    if network is not None:
        if network.concept_id != meeting.network.concept_id:
            raise ValidationError({"network": _("Das Netzwerk gehört zu einem anderen Konzept.")})
        meeting.network = network
    meeting.date = date
    meeting.topic = topic.strip()
    meeting.presented = presented.strip()
    meeting.minutes = minutes.strip()
    meeting.full_clean()
    locking.claim(meeting, expected_version)
    meeting._history_user = user
    meeting.save(update_fields=["network", "date", "topic", "presented", "minutes", "version"])
    return meeting


# --- Splitting a list of networks that arrived as one line ---------------------------------

# A capitalised word that contains one of these starts a new name ("Bildungskoordination",
# "KMN-Treffen", "Migrationsdienst", "Integrationslotsen/-lotsinnen"). They are the words
# German concepts use for networks, offices and services.
NETWORK_TERMS = (
    "arbeitsgemeinschaft",
    "arbeitskreis",
    "beirat",
    "beratung",
    "bündnis",
    "büro",
    "dienst",
    "forum",
    "gremium",
    "gruppe",
    "initiative",
    "konferenz",
    "koordin",
    "lotse",
    "lotsin",
    "netzwerk",
    "plattform",
    "programm",
    "projekt",
    "runder",
    "stab",
    "stelle",
    "treffen",
    "verbund",
    "zentrum",
)
# …or ends in one of these ("Präventionsrat"; "rat" alone would match "Integration").
NETWORK_SUFFIXES = ("rat", "rates", "räte")
# …unless it follows one of these words: "Koordinierungsstelle für Integrationsprojekte"
# stays one name.
LINKING_WORDS = frozenset(
    {
        "für",
        "der",
        "des",
        "die",
        "das",
        "den",
        "dem",
        "und",
        "mit",
        "von",
        "vom",
        "im",
        "in",
        "am",
        "an",
        "zur",
        "zum",
        "bei",
        "aus",
        "auf",
        "über",
        "unter",
        "nach",
        "ohne",
        "gegen",
        "sowie",
        "oder",
        "bzw.",
        "&",
    }
)
INTRO_RE = re.compile(r"^[^:]{0,80}:\s+")  # "Vorhandene Netzwerke (beispielhaft): "
TAIL_RE = re.compile(r"\s*(?:,\s*)?(?:u\.\s?v\.\s?m\.|usw\.|etc\.|u\.\s?a\.|…|\.\.\.)\s*$")
SEPARATORS_RE = re.compile(r"\s*(?:[;•·|\n]|\s[–-]\s)\s*")
COMMA_RE = re.compile(r",\s*")


def _split_top_level(text, separator_re):
    """Split at separators outside parentheses."""
    parts, start = [], 0
    for match in separator_re.finditer(text):
        before = text[: match.start()]
        if before.count("(") == before.count(")"):
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _starts_name(word, previous):
    if not word[:1].isupper():
        return False
    if previous.lower() in LINKING_WORDS or previous.endswith("-"):
        return False
    lowered = word.lower().rstrip(",;.)")
    return lowered.endswith(NETWORK_SUFFIXES) or any(term in lowered for term in NETWORK_TERMS)


def _split_at_terms(piece):
    names, current, depth = [], [], 0
    for word in piece.split():
        if current and depth == 0 and _starts_name(word, current[-1]):
            names.append(" ".join(current))
            current = []
        current.append(word)
        depth += word.count("(") - word.count(")")
    if current:
        names.append(" ".join(current))
    return names


def suggest_network_names(text: str) -> list[str]:
    """A best-effort split of a list of names written as one line, for a person to correct.

    1. An introduction up to the first colon ("Vorhandene Netzwerke (beispielhaft):") and a
       closing "u.v.m."/"usw."/"etc." are dropped.
    2. Explicit separators outside parentheses split: line breaks, ";", "•", "·", "|",
       a dash between spaces, and a comma.
    3. Within each part, a capitalised word that contains a network-like term or ends in
       one (NETWORK_TERMS, NETWORK_SUFFIXES) starts a new name, unless it follows a linking
       word ("für", "der", "und" …) or sits inside parentheses.
    """
    text = INTRO_RE.sub("", text.strip(), count=1)
    text = TAIL_RE.sub("", text)
    names = []
    for part in _split_top_level(text, SEPARATORS_RE):
        for piece in _split_top_level(part, COMMA_RE):
            names.extend(_split_at_terms(piece))
    return [name.strip(" ,;.") for name in names if name.strip(" ,;.")]


@dataclass
class SplitResult:
    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


@transaction.atomic
def statement_split_into_networks(
    *, statement: Statement, lines: list[str], kind: str, is_public: bool = False
) -> SplitResult:
    """One Network per non-empty line, linked to the statement; names the concept already
    has are skipped and reported. All or nothing: on any error nothing is written.

    Raises ValidationError with one German message per bad line.
    """
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if not statement.needs_split:
        raise ValidationError(_("Diese Liste wurde bereits aufgeteilt."))
    if kind not in Network.Kind.values:
        raise ValidationError(_("Bitte eine gültige Art auswählen."))

    errors, names, first_line = [], [], {}
    for number, line in enumerate(lines, start=1):
        name = " ".join(line.split())
        if not name:
            continue
        key = name.casefold()
        if key in first_line:
            errors.append(
                _("Zeile %(line)d: „%(name)s“ steht schon in Zeile %(first)d.")
                % {"line": number, "name": name, "first": first_line[key]}
            )
            continue
        if len(name) > NAME_MAX_LENGTH:
            errors.append(
                _("Zeile %(line)d: Der Name ist zu lang (höchstens %(max)d Zeichen).")
                % {"line": number, "max": NAME_MAX_LENGTH}
            )
            continue
        first_line[key] = number
        names.append(name)
    if errors:
        raise ValidationError(errors)
    if not names:
        raise ValidationError(_("Bitte mindestens einen Namen eintragen (einen je Zeile)."))

    concept = statement.concept
    existing = {
        name.casefold(): name
        for name in Network.objects.filter(concept=concept).values_list("name", flat=True)
    }
    last = Network.objects.filter(concept=concept).aggregate(last=Max("position"))["last"] or 0
    result = SplitResult()
    for name in names:
        if name.casefold() in existing:
            result.skipped.append(existing[name.casefold()])
            continue
        last += 1
        network = Network(
            concept=concept,
            name=name,
            kind=kind,
            statement=statement,
            is_public=is_public,
            position=last,
        )
        network.full_clean()
        network.save()
        result.created.append(network)
    statement.needs_split = False
    statement.save(update_fields=["needs_split"])
    return result
