from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Func, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import SubGoal
from measures.models import COMPLETE, Campaign, Measure, Status, TrafficLight, campaign_answered
from networks.models import Network, Organisation

# The goal filter value for the measures without a goal (section 3, Koordination und Netzwerke).
WITHOUT_GOAL = "k"
# Ampel choice for "Handlungsbedarf" as on the dashboard: red or yellow, or Sachstand overdue.
ATTENTION = "handlungsbedarf"
# The id of the paragraph stating the overdue rule (measures.models.overdue_rule).
OVERDUE_RULE_ID = "regel-ueberfaellig"
# Umsetzungsstand choice for the measures counted as done on the dashboard.
DONE = "umgesetzt-oder-verstetigt"
# A campaign's measures (?abfrage=<id>): answered or still pending (?abfrage_stand=).
PENDING, ANSWERED = "offen", "beantwortet"
# ?verantwortlich= value for the measures nobody is responsible for.
NOBODY = "keine"


def list_url(concept, **params):
    """The measure list filtered by `params`, named as in the list's URL (ziel, status, ampel,
    ueberfaellig …); empty values are left out."""
    url = reverse("measures:list", kwargs={"slug": concept.slug})
    query = urlencode({name: value for name, value in params.items() if value not in (None, "")})
    return f"{url}?{query}" if query else url


LIGHT_SEVERITY = Case(
    When(traffic_light=TrafficLight.RED, then=Value(0)),
    When(traffic_light=TrafficLight.YELLOW, then=Value(1)),
    When(traffic_light=TrafficLight.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
STATUS_ORDER = Case(
    *[When(status=value, then=Value(i)) for i, value in enumerate(Status.values)],
    output_field=IntegerField(),
)

SORTS = {
    "gliederung": (_("Gliederung"), ["position", "number"]),
    "kuerzel": (_("Kürzel"), ["code", "number"]),
    "titel": (_("Titel"), ["title"]),
    "status": (_("Umsetzungsstand"), [STATUS_ORDER, "position"]),
    "ampel": (_("Ampel (rot zuerst)"), [LIGHT_SEVERITY, "position"]),
    "fortschritt": (_("Fortschritt (aufsteigend)"), ["progress", "position"]),
    "-fortschritt": (_("Fortschritt (absteigend)"), ["-progress", "position"]),
    "aktualisiert": (_("Letzter Sachstand (älteste zuerst)"), ["last_entry_date", "position"]),
    "-aktualisiert": (_("Letzter Sachstand (neueste zuerst)"), ["-last_entry_date", "position"]),
}


def sqlite_lower(value):
    return value.lower() if isinstance(value, str) else value


# Folded explicitly on PostgreSQL, whose LOWER() folds only ASCII under LC_CTYPE "C".
FOLD_UPPER = "ÄÖÜẞÀÁÂÃÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕØŒÙÚÛÝ"
FOLD_LOWER = FOLD_UPPER.lower()


class Folded(Func):
    """Lower case that knows umlauts ("Ü" → "ü") on any database and locale. Search words
    go through it too (Folded(Value(word))), so both sides are folded alike. SQLite's
    LOWER() folds only ASCII, so there it calls sqlite_lower (registered on every SQLite
    connection in MeasuresConfig.ready); PostgreSQL's follows the database's LC_CTYPE, so
    the letters of FOLD_UPPER are folded explicitly as well."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="PORTAL_LOWER", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = f"TRANSLATE(LOWER(%(expressions)s), '{FOLD_UPPER}', '{FOLD_LOWER}')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def responsible_choices(concept):
    """(user id, name) of the people responsible for a measure of the concept."""
    users = (
        get_user_model()
        .objects.filter(responsible_measures__concept=concept)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    return [(str(u.pk), u.get_full_name() or u.get_username()) for u in users]


class MeasureFilter(django_filters.FilterSet):
    """Filters of the measure list; parameter names are the German words users see in URLs."""

    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Suche"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Kürzel oder Stichwort")}),
    )
    ziel = django_filters.ChoiceFilter(method="filter_goal", label=_("Strategisches Ziel"))
    teilziel = django_filters.ModelChoiceFilter(
        field_name="sub_goals", queryset=SubGoal.objects.none(), label=_("Teilziel")
    )
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=[*Status.choices, (DONE, _("umgesetzt oder verstetigt"))],
        label=_("Umsetzungsstand"),
    )
    ampel = django_filters.ChoiceFilter(
        method="filter_light",
        choices=[
            *TrafficLight.choices,
            (ATTENTION, _("Handlungsbedarf: rot, gelb oder Sachstand überfällig")),
        ],
        label=_("Ampel"),
    )
    akteur = django_filters.ModelChoiceFilter(
        field_name="organisations",
        queryset=Organisation.objects.none(),
        label=_("Akteur (Federführung oder Partner)"),
    )
    netzwerk = django_filters.ModelChoiceFilter(
        field_name="networks", queryset=Network.objects.none(), label=_("Netzwerk")
    )
    ueberfaellig = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("nur überfällige (kein Sachstand im Aktualisierungsturnus)"),
        # The rule stands under the filters (measure_list.html), as on the dashboard.
        widget=forms.CheckboxInput(attrs={"aria-describedby": OVERDUE_RULE_ID}),
    )
    verantwortlich = django_filters.ChoiceFilter(
        method="filter_responsible", label=_("Verantwortliche Person")
    )
    abfrage = django_filters.ModelChoiceFilter(
        queryset=Campaign.objects.none(), method="filter_campaign", label=_("Sachstandsabfrage")
    )
    abfrage_stand = django_filters.ChoiceFilter(
        method="filter_campaign",
        choices=[(PENDING, _("noch offen")), (ANSWERED, _("beantwortet"))],
        label=_("Antwort auf die Abfrage"),
    )
    sortierung = django_filters.ChoiceFilter(
        method="sort",
        label=_("Sortierung"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        empty_label=None,
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, data=None, *args, concept, goals, today=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()
        self.filters["ziel"].extra["choices"] = [
            (str(goal.number), f"{goal.number} – {goal.short_title}") for goal in goals
        ] + [(WITHOUT_GOAL, _("Koordination und Netzwerke"))]
        # Only Teilziele that can match: those of the chosen goal (none for Koordination).
        sub_goals = SubGoal.objects.filter(goal__concept=concept).select_related("goal")
        goal = (data or {}).get("ziel", "")
        if goal == WITHOUT_GOAL:
            sub_goals = sub_goals.none()
        elif goal.isdigit():
            sub_goals = sub_goals.filter(goal__number=int(goal))
        self.filters["teilziel"].queryset = sub_goals
        # After the goal changed, the form still sends the Teilziel of the goal before: it
        # is dropped, not reported, as the select offers only the new goal's Teilziele.
        sub_goal = (data or {}).get("teilziel", "")
        chosen = goal == WITHOUT_GOAL or goal.isdigit()
        if chosen and sub_goal.isdigit() and not sub_goals.filter(pk=sub_goal).exists():
            self.data = data.copy()
            self.data.pop("teilziel")
        self.filters["akteur"].queryset = Organisation.objects.filter(concept=concept)
        self.filters["netzwerk"].queryset = Network.objects.filter(concept=concept)
        self.filters["abfrage"].queryset = Campaign.objects.filter(concept=concept)
        self.filters["verantwortlich"].extra["choices"] = lambda: [
            *responsible_choices(concept),
            (NOBODY, _("ohne Verantwortliche")),
        ]
        for name in (
            "ziel", "teilziel", "status", "ampel", "akteur", "netzwerk", "verantwortlich",
            "abfrage", "abfrage_stand",
        ):  # fmt: skip
            self.filters[name].extra["empty_label"] = _("alle")

    def labelled_errors(self):
        """The ignored filters as users name them: (label, messages)."""
        return [
            (self.form.fields[name].label if name in self.form.fields else name, errors)
            for name, errors in self.errors.items()
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sortierung"):
            queryset = queryset.order_by("position", "number")
        # Joins over teilziel/akteur/netzwerk could repeat a measure.
        return queryset.distinct()

    def filter_text(self, queryset, name, value):
        queryset = queryset.alias(
            title_folded=Folded("title"),
            description_folded=Folded("description"),
            target_group_folded=Folded("target_group"),
        )
        for word in value.split():
            folded = Folded(Value(word))
            queryset = queryset.filter(
                Q(code__icontains=word)
                | Q(number__startswith=word)
                | Q(title_folded__contains=folded)
                | Q(description_folded__contains=folded)
                | Q(target_group_folded__contains=folded)
            )
        return queryset

    def filter_goal(self, queryset, name, value):
        if value == WITHOUT_GOAL:
            return queryset.filter(goal__isnull=True)
        return queryset.filter(goal__number=value)

    def filter_status(self, queryset, name, value):
        if value == DONE:
            return queryset.filter(status__in=COMPLETE)
        return queryset.filter(status=value)

    def filter_light(self, queryset, name, value):
        if value == ATTENTION:
            return queryset.needs_attention(self.today)
        return queryset.filter(traffic_light=value)

    def filter_responsible(self, queryset, name, value):
        if value == NOBODY:
            return queryset.filter(responsible_users__isnull=True)
        return queryset.filter(responsible_users=value)

    def filter_campaign(self, queryset, name, value):
        """?abfrage= the campaign's measures; with ?abfrage_stand= those that answered or
        not (measures.models.answered). Both arrive here; the campaign does the work."""
        campaign = self.form.cleaned_data.get("abfrage")
        if campaign is None or name != "abfrage":
            return queryset
        queryset = queryset.filter(campaigns=campaign)
        state = self.form.cleaned_data.get("abfrage_stand")
        if state:
            queryset = queryset.alias(answered=campaign_answered(campaign)).filter(
                answered=state == ANSWERED
            )
        return queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Measure.objects.overdue_q(self.today))

    def sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
