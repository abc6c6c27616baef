"""Search across a concept: measures, goals and Teilziele, networks, Akteure, decisions and
Sachstände, in a bounded number of queries (one for the abbreviations, one per kind).

On PostgreSQL the documents are full-text vectors of the `german` configuration, weighted
A (what names the thing: title, code, name), B (its description) and C (further text);
on SQLite the same stems (reporting.search.text) are compared as words of a line. Both
order the hits alike: a measure whose code or outline number is the query, then hits whose
title holds the whole query, then by rank.
"""

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, Q, TextField, Value, When
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import formatting
from goals.models import StrategicGoal, SubGoal
from measures.filters import Folded
from measures.models import Decision, Measure, ProgressEntry
from networks.models import Network, Organisation
from reporting.search import highlight
from reporting.search.query import Query, parse
from reporting.search.text import stem, stems_line, words

# Hits fetched per kind; one more tells that there are more.
LIMIT_PER_KIND = 20
# PostgreSQL's default weights of A, B and C; the SQLite fallback ranks with them too.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2}


class SearchStems(Func):
    """SQLite: the stems of the given columns as one line (text.stems_line), through the
    function reporting.apps registers on every SQLite connection."""

    function = "PORTAL_SEARCH_STEMS"
    output_field = TextField()


def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SearchStems.function,
            -1,
            lambda *texts: stems_line(*(text or "" for text in texts)),
            deterministic=True,
        )


@dataclass(frozen=True, eq=False)
class Kind:
    key: str
    label: object
    fields: dict  # weight → field names
    order: tuple

    @property
    def title_fields(self):
        return self.fields.get("A", ())

    @property
    def body_fields(self):
        return (*self.fields.get("B", ()), *self.fields.get("C", ()))


MEASURE = Kind(
    "massnahme",
    gettext_lazy("Maßnahme"),
    {"A": ("code", "title"), "B": ("description", "target_group")},
    ("position", "number"),
)
GOAL = Kind(
    "ziel",
    gettext_lazy("Strategisches Ziel"),
    {"A": ("title", "short_title"), "B": ("aim",)},
    ("number",),
)
SUB_GOAL = Kind("teilziel", gettext_lazy("Teilziel"), {"A": ("text",)}, ("goal__number", "number"))
NETWORK = Kind("netzwerk", gettext_lazy("Netzwerk"), {"A": ("name",), "B": ("purpose",)}, ("name",))
ORGANISATION = Kind("akteur", gettext_lazy("Akteur"), {"A": ("name", "short_name")}, ("name",))
DECISION = Kind("beschluss", gettext_lazy("Beschluss"), {"B": ("text",)}, ("-meeting__date", "-pk"))
ENTRY = Kind(
    "sachstand",
    gettext_lazy("Sachstand"),
    {"B": ("text",), "C": ("next_steps", "deviation")},
    ("-date", "-pk"),
)
KINDS = (MEASURE, GOAL, SUB_GOAL, NETWORK, ORGANISATION, DECISION, ENTRY)


def _querysets(concept):
    return {
        MEASURE: Measure.objects.filter(concept=concept),
        GOAL: StrategicGoal.objects.filter(concept=concept),
        SUB_GOAL: SubGoal.objects.filter(goal__concept=concept).select_related("goal"),
        NETWORK: Network.objects.filter(concept=concept),
        ORGANISATION: Organisation.objects.filter(concept=concept),
        DECISION: Decision.objects.filter(meeting__network__concept=concept).select_related(
            "meeting__network"
        ),
        # The default manager leaves withdrawn Sachstände out: they count nowhere.
        ENTRY: ProgressEntry.objects.filter(measure__concept=concept).select_related("measure"),
    }


@dataclass
class Hit:
    kind: Kind
    kind_label: str
    label: str
    title: SafeString
    excerpt: SafeString
    url: str
    # 0: the measure the query names, 1: the whole query in the title, 2: elsewhere.
    tier: int
    rank: float


@dataclass
class Results:
    query: Query
    hits: list
    # Kinds with more hits than LIMIT_PER_KIND: only the best of them are shown.
    truncated: list

    @property
    def count(self):
        return len(self.hits)

    def counts(self):
        """(kind label, number of hits) in the order of KINDS, for the summary."""
        tally = {}
        for hit in self.hits:
            tally[hit.kind] = tally.get(hit.kind, 0) + 1
        return [(kind.label, tally[kind]) for kind in KINDS if kind in tally]


# --- matching ------------------------------------------------------------------------------


def _postgres_term(term):
    # The roots consist of letters and digits only (text.WORD), so they are safe as raw
    # tsquery lexemes. "simple": they are stems of the `german` configuration already.
    raw = f"{term.root}:*" if term.prefix else f"{term.root} | {term.root}s"
    return SearchQuery(raw, config="simple", search_type="raw")


def _combine(query, term_condition):
    """The query as one condition: groups and'ed, alternatives or'ed, terms and'ed."""
    return reduce(
        and_,
        (
            reduce(
                or_,
                (reduce(and_, (term_condition(term) for term in alt)) for alt in group),
            )
            for group in query.groups
        ),
    )


def _vector(names, weight=None):
    return SearchVector(*(Folded(name) for name in names), config="german", weight=weight)


def _postgres(queryset, kind, query, label_q):
    """Annotate title_hit and search_rank; filter to the hits."""
    if not query.groups:
        return queryset.annotate(title_hit=Value(False), search_rank=Value(0.0)).filter(label_q)
    tsquery = _combine(query, _postgres_term)
    document = reduce(
        lambda left, right: left + right,
        (_vector(names, weight) for weight, names in kind.fields.items()),
    )
    queryset = queryset.annotate(search_document=document)
    if kind.title_fields:
        queryset = queryset.alias(search_title=_vector(kind.title_fields))
        title_hit = Case(
            When(search_title=tsquery, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    else:
        title_hit = Value(False)
    return queryset.annotate(
        title_hit=title_hit, search_rank=SearchRank(F("search_document"), tsquery)
    ).filter(Q(search_document=tsquery) | label_q)


def _fallback_term(name):
    def condition(term):
        if term.prefix:
            return Q(**{f"{name}__contains": f" {term.root}"})
        return Q(**{f"{name}__contains": f" {term.root} "}) | Q(
            **{f"{name}__contains": f" {term.root}s "}
        )

    return condition


def _fallback(queryset, kind, query, label_q):
    if not query.groups:
        return queryset.annotate(title_hit=Value(False)).filter(label_q)
    names = [name for names in kind.fields.values() for name in names]
    queryset = queryset.alias(search_document=SearchStems(*names))
    if kind.title_fields:
        queryset = queryset.alias(search_title=SearchStems(*kind.title_fields))
        title_hit = Case(
            When(_combine(query, _fallback_term("search_title")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    else:
        title_hit = Value(False)
    condition = _combine(query, _fallback_term("search_document"))
    return queryset.annotate(title_hit=title_hit).filter(condition | label_q)


def _label_condition(kind, query):
    """A measure named by its code or outline number; nothing for other kinds."""
    if kind is not MEASURE or not query.compact:
        return Q(pk__in=[])
    return Q(code__iexact=query.compact) | Q(code="", number=query.compact)


def _matching(queryset, kind, query):
    """The kind's hits, best first: the measure the query names, whole query in the
    title, then by rank (PostgreSQL; the fallback ranks after fetching) and the kind's
    own order."""
    label_q = _label_condition(kind, query)
    if connection.vendor == "postgresql":
        queryset = _postgres(queryset, kind, query, label_q)
        ordering = ["-title_hit", "-search_rank"]
    else:
        queryset = _fallback(queryset, kind, query, label_q)
        ordering = ["-title_hit"]
    if kind is MEASURE and query.compact:
        queryset = queryset.annotate(
            label_hit=Case(
                When(label_q, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        ordering.insert(0, "-label_hit")
    return queryset.order_by(*ordering, *kind.order)


# --- hits ----------------------------------------------------------------------------------


def _fallback_rank(obj, kind, query):
    """PostgreSQL's rank in spirit: found words, weighted by the field they are in."""
    rank = 0.0
    for weight, names in kind.fields.items():
        for name in names:
            found = sum(
                1
                for match in words(getattr(obj, name))
                if any(term.matches(stem(match.group())) for term in query.terms)
            )
            rank += WEIGHTS[weight] * found
    return rank


def _excerpt(obj, kind, query):
    """From the first body field with a found word, else from the first one with text."""
    texts = [getattr(obj, name) for name in kind.body_fields]
    for text in texts:
        if highlight.contains(text, query.terms):
            return highlight.excerpt(text, query.terms)
    first = next((text for text in texts if text), "")
    return highlight.excerpt(first, query.terms)


def _describe(obj, kind, concept, query):
    """(kind label, label, title, url) of a hit."""
    slug = concept.slug
    mark = highlight.highlight
    if kind is MEASURE:
        url = reverse("measures:detail", kwargs={"slug": slug, "key": obj.label})
        return kind.label, obj.label, mark(obj.title, query.terms), url
    if kind is GOAL:
        url = reverse("reporting:goal_detail", kwargs={"slug": slug, "number": obj.number})
        label = _("Ziel %(number)s") % {"number": obj.number}
        return kind.label, label, mark(obj.title, query.terms), url
    if kind is SUB_GOAL:
        url = reverse("reporting:goal_detail", kwargs={"slug": slug, "number": obj.goal.number})
        return kind.label, obj.label, mark(obj.text, query.terms), f"{url}#teilziel-{obj.number}"
    if kind is NETWORK:
        url = reverse("networks:detail", kwargs={"slug": slug, "pk": obj.pk})
        label = _("Gremium") if obj.kind == Network.Kind.COMMITTEE else kind.label
        return label, "", mark(obj.name, query.terms), url
    if kind is ORGANISATION:
        url = reverse("networks:organisation_detail", kwargs={"slug": slug, "pk": obj.pk})
        title = mark(obj.name, query.terms)
        if obj.short_name:
            title = format_html("{} ({})", title, mark(obj.short_name, query.terms))
        return kind.label, "", title, url
    if kind is DECISION:
        url = reverse("measures:committees", kwargs={"slug": slug})
        meeting = obj.meeting
        title = _("%(committee)s, Sitzung vom %(date)s") % {
            "committee": meeting.network.name,
            "date": formatting.date(meeting.date),
        }
        return kind.label, "", escape(title), f"{url}#beschluss-{obj.pk}"
    measure = obj.measure
    url = reverse("measures:detail", kwargs={"slug": slug, "key": measure.label})
    title = _("%(measure)s, Sachstand vom %(date)s") % {
        "measure": measure.title,
        "date": formatting.date(obj.date),
    }
    return kind.label, measure.label, escape(title), f"{url}#sachstand-{obj.pk}"


def _hit(obj, kind, concept, query):
    kind_label, label, title, url = _describe(obj, kind, concept, query)
    tier = 0 if getattr(obj, "label_hit", False) else 1 if obj.title_hit else 2
    rank = getattr(obj, "search_rank", None)
    return Hit(
        kind=kind,
        kind_label=str(kind_label),
        label=label,
        title=title,
        excerpt=_excerpt(obj, kind, query),
        url=url,
        tier=tier,
        rank=rank if rank is not None else _fallback_rank(obj, kind, query),
    )


def search(concept, text: str) -> Results:
    """The hits for `text` in the concept, best first."""
    abbreviations = concept.abbreviations.values_list("short_form", "long_form")
    query = parse(text, abbreviations)
    hits, truncated = [], []
    for kind, queryset in _querysets(concept).items():
        if not query.groups and kind is not MEASURE:
            continue
        if not query.groups and not query.compact:
            continue
        found = list(_matching(queryset, kind, query)[: LIMIT_PER_KIND + 1])
        if len(found) > LIMIT_PER_KIND:
            truncated.append(kind.label)
            found = found[:LIMIT_PER_KIND]
        hits.extend(_hit(obj, kind, concept, query) for obj in found)
    position = {kind: i for i, kind in enumerate(KINDS)}
    hits.sort(key=lambda hit: (hit.tier, -hit.rank, position[hit.kind]))
    return Results(query=query, hits=hits, truncated=truncated)
