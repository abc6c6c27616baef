"""Outline → database: the checks that need the database (slug, an existing concept to
replace), then the whole concept written in one transaction.

``outline_check`` only reads (preview, dry run); ``outline_import`` writes. Replacing an
existing concept deletes it with everything under it and keeps its members and predecessor.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concept import roles
from concept.models import Concept, Membership, Statement
from goals.models import Indicator, IndicatorValue, StrategicGoal, SubGoal
from measures.models import Decision, Evidence, Measure, ProgressEntry
from networks.models import Meeting, Network, Organisation
from reporting.models import AnnualReport
from reporting.outline.figures import FIGURE_SOURCE
from reporting.outline.issues import WARNING, Issue, OutlineInvalid, quote
from reporting.outline.tree import ParsedOutline
from reporting.outline.validate import read_outline

# The import page's address, /konzepte/import/, comes before a concept's /konzepte/<slug>/.
RESERVED_SLUGS = {"import"}


@dataclass
class ReplacedConcept:
    """The existing concept an import replaces, and what is deleted with it."""

    concept: Concept
    counts: list[tuple[int, str]]


@dataclass
class ImportResult:
    slug: str
    outline: ParsedOutline
    replaced: ReplacedConcept | None = None
    concept: Concept | None = None
    notes: list[Issue] = field(default_factory=list)

    @property
    def warnings(self):
        return [n for n in self.notes if n.level == WARNING] + self.outline.warnings

    @property
    def flags(self):
        return self.outline.flags


def title_from_slug(slug: str) -> str:
    """ "lk-vechta" → "LK Vechta" (short words as abbreviations in capitals)."""
    words = re.split(r"[-_]+", slug)
    return " ".join(word.upper() if len(word) <= 3 else word.capitalize() for word in words if word)


def check_slug(slug: str) -> list[Issue]:
    issues = []
    try:
        validate_slug(slug)
    except ValidationError:
        issues.append(
            Issue(
                _(
                    "Ungültiger Kurzname %(slug)s – erlaubt sind Buchstaben ohne Umlaute, Ziffern, "
                    "Bindestriche und Unterstriche, z. B. „lk-vechta“."
                )
                % {"slug": quote(slug)},
                field="slug",
            )
        )
        return issues
    limit = Concept._meta.get_field("slug").max_length
    if len(slug) > limit:
        issues.append(
            Issue(
                _("Der Kurzname ist %(length)d Zeichen lang; erlaubt sind höchstens %(max)d.")
                % {"length": len(slug), "max": limit},
                field="slug",
            )
        )
    if slug in RESERVED_SLUGS:
        issues.append(
            Issue(
                _("Der Kurzname %(slug)s ist für die Adresse der Importseite reserviert.")
                % {"slug": quote(slug)},
                field="slug",
            )
        )
    return issues


def may_replace(user, concept) -> bool:
    """Only the concept's editors (Administration, Koordination) replace it by an import."""
    return roles.can_edit_concept(user, concept)


def replaced_counts(concept) -> list[tuple[int, str]]:
    """What is deleted with a concept: (count, German label), only non-zero counts."""
    querysets = [
        (Statement.objects.filter(concept=concept), "Aussage", "Aussagen"),
        (StrategicGoal.objects.filter(concept=concept), "strategisches Ziel", "strategische Ziele"),
        (SubGoal.objects.filter(goal__concept=concept), "Teilziel", "Teilziele"),
        (Measure.objects.filter(concept=concept), "Maßnahme", "Maßnahmen"),
        (
            ProgressEntry.with_withdrawn.filter(measure__concept=concept),
            "Sachstand",
            "Sachstände",
        ),
        (Evidence.objects.filter(entry__measure__concept=concept), "Nachweis", "Nachweise"),
        (Indicator.objects.filter(concept=concept), "Kennzahl", "Kennzahlen"),
        (
            IndicatorValue.objects.filter(indicator__concept=concept),
            "Kennzahlwert",
            "Kennzahlwerte",
        ),
        (Organisation.objects.filter(concept=concept), "Akteur", "Akteure"),
        (Network.objects.filter(concept=concept), "Netzwerk/Gremium", "Netzwerke und Gremien"),
        (Meeting.objects.filter(network__concept=concept), "Sitzung", "Sitzungen"),
        (Decision.objects.filter(meeting__network__concept=concept), "Beschluss", "Beschlüsse"),
    ]
    counts = []
    for queryset, singular, plural in querysets:
        count = queryset.count()
        if count:
            counts.append((count, ngettext(singular, plural, count)))
    return counts


def outline_check(
    *, text: str, slug: str, replace: bool = False, user=None, notes=()
) -> ImportResult:
    """Everything ``outline_import`` checks, without writing: OutlineInvalid with all errors,
    or the result to preview. ``notes`` are findings from reading the file (encoding)."""
    parsed = read_outline(text)
    issues = check_slug(slug)
    replaced = None
    existing = None if issues else Concept.objects.filter(slug=slug).first()
    if existing is not None:
        refusal = _replace_refusal(existing, slug=slug, replace=replace, user=user)
        if refusal is None:
            replaced = ReplacedConcept(existing, replaced_counts(existing))
        else:
            issues.append(refusal)
    errors = issues + parsed.errors
    if errors:
        raise OutlineInvalid(errors)
    notes = list(notes)
    if not parsed.title:
        parsed.title = _("Integrationskonzept %(name)s") % {"name": title_from_slug(slug)}
        parsed.district = title_from_slug(slug)
        notes.append(
            Issue(
                _(
                    "Die Datei hat keine Titelzeile; Titel „%(title)s“ und Gebietskörperschaft "
                    "„%(district)s“ wurden aus dem Kurznamen gebildet."
                )
                % {"title": parsed.title, "district": parsed.district},
                level=WARNING,
            )
        )
    return ImportResult(slug=slug, outline=parsed, replaced=replaced, notes=notes)


def _replace_refusal(existing, *, slug, replace, user):
    """Why the concept of this slug may not be replaced (an Issue), or None."""
    if not replace:
        return Issue(
            _(
                "Es gibt bereits ein Konzept mit dem Kurznamen %(slug)s. Einen anderen "
                "Kurznamen wählen oder das bestehende Konzept ausdrücklich ersetzen."
            )
            % {"slug": quote(slug)},
            field="slug",
        )
    if user is not None and not may_replace(user, existing):
        return Issue(
            _("Das Konzept %(slug)s ersetzen nur seine Koordination und Administration.")
            % {"slug": quote(slug)},
            field="replace",
        )
    if AnnualReport.objects.filter(concept=existing).exists():
        # Reports are frozen records of what was reported; they must not go with it.
        return Issue(
            _(
                "Das Konzept %(slug)s hat Controlling-/Evaluationsberichte und kann "
                "deshalb nicht ersetzt werden. Bitte unter einem neuen Kurznamen "
                "importieren (z. B. als Fortschreibung)."
            )
            % {"slug": quote(slug)},
            field="replace",
        )
    return None


def outline_import(
    *,
    text: str,
    slug: str,
    replace: bool = False,
    user=None,
    notes=(),
    seen_replaced: tuple[int, list] | None = None,
) -> ImportResult:
    """Create the concept of an outline in one transaction (status Entwurf).

    With ``replace`` an existing concept of that slug is deleted first, with everything
    under it – Sachstände, Kennzahlen, Beschlüsse, Akteure and Netzwerke included; its
    members and predecessor are carried over and its successors point to the new concept.
    ``user`` (if given) becomes a member, and may replace only a concept they are a member
    of. ``seen_replaced`` is (pk, counts) of the concept to be replaced as a preview showed
    it; if that concept has changed since, nothing is replaced. Raises OutlineInvalid
    (nothing written) when the text or slug cannot be imported.
    """
    try:
        with transaction.atomic():
            result = outline_check(text=text, slug=slug, replace=replace, user=user, notes=notes)
            kept = _KeptFromReplaced()
            if result.replaced is not None:
                kept = _delete_replaced(result.replaced.concept, slug, seen_replaced)
            concept = _create_concept(result.outline, slug=slug, predecessor=kept.predecessor)
            _carry_over_members(concept, kept.members, user)
            Concept.objects.filter(pk__in=kept.successors).update(predecessor=concept)
    except ProtectedError:
        raise OutlineInvalid(
            [
                Issue(
                    _(
                        "Das Konzept %(slug)s kann nicht ersetzt werden, weil andere Daten darauf "
                        "verweisen; es wurde nichts gespeichert. Bitte unter einem neuen "
                        "Kurznamen importieren."
                    )
                    % {"slug": quote(slug)},
                    field="replace",
                )
            ]
        ) from None
    except IntegrityError as exc:
        raise OutlineInvalid([_integrity_issue(slug, exc)]) from None
    result.concept = concept
    return result


def _integrity_issue(slug, exc):
    if Concept.objects.filter(slug=slug).exists():
        return Issue(
            _(
                "Der Kurzname %(slug)s wurde gerade anderweitig vergeben; es wurde nichts "
                "gespeichert. Bitte erneut versuchen."
            )
            % {"slug": quote(slug)},
            field="slug",
        )
    return Issue(
        _("Die Datenbank hat den Import abgelehnt (%(reason)s); es wurde nichts gespeichert.")
        % {"reason": exc}
    )


@dataclass
class _KeptFromReplaced:
    """What the new concept takes over from the one it replaces."""

    members: list[tuple[int, str]] = field(default_factory=list)  # (user id, role)
    predecessor: Concept | None = None
    successors: list[int] = field(default_factory=list)  # pks of concepts that follow it


def _delete_replaced(concept, slug, seen_replaced):
    """Delete the concept being replaced (locked first), unless it changed since the preview
    showed ``seen_replaced``; return what the new concept keeps of it."""
    old = Concept.objects.select_for_update().get(pk=concept.pk)
    if seen_replaced is not None and _as_seen(old) != _as_seen(seen_replaced):
        raise OutlineInvalid(
            [
                Issue(
                    _(
                        "Das Konzept %(slug)s wurde seit der Vorschau geändert; es "
                        "wurde nichts ersetzt. Bitte die Datei erneut hochladen und "
                        "die neue Vorschau prüfen."
                    )
                    % {"slug": quote(slug)},
                    field="replace",
                )
            ]
        )
    kept = _KeptFromReplaced(
        members=list(old.memberships.values_list("user_id", "role")),
        predecessor=old.predecessor,
        successors=list(Concept.objects.filter(predecessor=old).values_list("pk", flat=True)),
    )
    Concept.objects.filter(pk__in=kept.successors).update(predecessor=None)
    # Decisions hang on meetings (PROTECT) and measures hang on goals (PROTECT): remove them
    # before the concept's own cascade.
    Decision.objects.filter(meeting__network__concept=old).delete()
    Measure.objects.filter(concept=old).delete()
    old.delete()
    return kept


def _as_seen(concept_or_seen):
    """(pk, counts) of a concept about to be replaced, comparable with what a preview showed."""
    if isinstance(concept_or_seen, Concept):
        pk, counts = concept_or_seen.pk, replaced_counts(concept_or_seen)
    else:
        pk, counts = concept_or_seen
    return pk, [[count, str(label)] for count, label in counts]


def _carry_over_members(concept, members, importer) -> None:
    """The replaced concept's members keep their roles; whoever imports a new concept
    coordinates it."""
    Membership.objects.bulk_create(
        Membership(concept=concept, user_id=user_id, role=role) for user_id, role in members
    )
    if importer is not None and importer.pk not in {user_id for user_id, _role in members}:
        Membership.objects.create(concept=concept, user=importer, role=roles.COORDINATION)
        roles.forget(importer)


def _save(obj, line, *, new_parent=True):
    """full_clean() and save(), a failure reported with the outline line.

    Rows of a concept created in the same transaction cannot clash with existing rows, and
    the validator has made numbers, codes and names unique within the file; so only the
    concept itself runs the uniqueness and constraint queries (field validators still run).
    """
    try:
        obj.full_clean(validate_unique=not new_parent, validate_constraints=not new_parent)
    except ValidationError as exc:
        messages = "; ".join(message for message in exc.messages)
        raise OutlineInvalid([Issue(messages, line)]) from None
    obj.save()
    return obj


def _create_concept(parsed, *, slug, predecessor):
    concept = _save(
        Concept(
            slug=slug,
            title=parsed.title,
            district=parsed.district,
            status=Concept.Status.DRAFT,
            predecessor=predecessor,
        ),
        parsed.title_line,
        new_parent=False,
    )
    statements = _create_statements(concept, parsed)
    goals = _create_goals(concept, parsed)
    _create_measures(concept, parsed, goals)
    _create_figures(concept, parsed, statements)
    return concept


def _create_statements(concept, parsed):
    """outline number → Statement."""
    return {
        item.number: _save(
            Statement(
                concept=concept,
                section=item.section,
                number=item.number,
                text=item.text,
                needs_split=item.needs_split,
                position=item.position,
            ),
            item.line,
        )
        for item in parsed.statements
    }


def _create_goals(concept, parsed):
    """goal number → StrategicGoal, with its Teilziele."""
    goals = {}
    for item in parsed.goals:
        goal = _save(
            StrategicGoal(
                concept=concept,
                number=item.number,
                title=item.title,
                short_title=item.short_title,
                aim=item.aim,
            ),
            item.line,
        )
        goals[item.number] = goal
        for sub_item in item.sub_goals:
            _save(SubGoal(goal=goal, number=sub_item.number, text=sub_item.text), sub_item.line)
    return goals


def _create_measures(concept, parsed, goals):
    for item in parsed.measures:
        _save(
            Measure(
                concept=concept,
                goal=goals.get(item.goal_number),
                code=item.code,
                number=item.number,
                title=item.title,
                description=item.description,
                target_group=item.target_group,
                position=item.position,
            ),
            item.line,
        )


def _create_figures(concept, parsed, statements):
    for item in parsed.figures:
        indicator = _save(
            Indicator(
                concept=concept,
                statement=statements[item.statement_number],
                name=item.name,
                description=item.description,
                unit=item.unit,
                direction=Indicator.Direction.NEUTRAL,
                source=FIGURE_SOURCE,
                is_public=True,
                position=item.position,
            ),
            item.line,
        )
        for value in item.values:
            _save(
                IndicatorValue(
                    indicator=indicator,
                    reference_date=item.reference_date,
                    period=str(item.reference_date.year),
                    value=value.value,
                    breakdown=value.breakdown,
                    source=f"{FIGURE_SOURCE} {item.statement_number}",
                    position=value.position,
                ),
                item.line,
            )
