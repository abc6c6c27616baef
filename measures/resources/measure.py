"""Maßnahmen: keyed by Kürzel (or Gliederungsnummer for measures without one)."""

from types import SimpleNamespace

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import locking
from concept.exchange.cells import (
    BooleanCell,
    ChoiceCell,
    CodeCell,
    DateCell,
    IntegerCell,
    RefCell,
    RefListCell,
    TextCell,
)
from concept.exchange.columns import CHECK, KEY, Column
from concept.exchange.errors import ExportFilterError, filter_error
from concept.exchange.resource import ConceptResource
from concept.exchange.values import excel_date_variants, lookup_key
from goals.models import StrategicGoal, SubGoal
from measures import services
from measures.models import (
    Measure,
    MeasureOrganisation,
    Status,
    TrafficLight,
    UpdateCadence,
    measure_label,
)
from measures.resources.cells import (
    CADENCE_MESSAGE,
    LIGHT_MESSAGE,
    STATUS_MESSAGE,
    SubGoalsCell,
    organisation_cell,
)
from networks.models import Network, Organisation

# The columns whose change is recorded as a Sachstand (measure_set_state).
STATE_COLUMNS = ("status", "traffic_light", "progress")
# Columns read from a measure's history record as they are (values_at).
RECORDED_FIELDS = (
    "title",
    "status",
    "traffic_light",
    "progress",
    "start_date",
    "end_date",
    "update_cadence",
    "is_public",
)


def _by_name(items):
    return sorted(items, key=lambda item: item.name.casefold())


def _leads(measure):
    return _by_name(
        i.organisation
        for i in measure.involvements.all()
        if i.role == MeasureOrganisation.Role.LEAD
    )


def _partners(measure):
    return _by_name(
        i.organisation
        for i in measure.involvements.all()
        if i.role == MeasureOrganisation.Role.PARTNER
    )


def _sub_goal_label(sub_goal):
    return sub_goal.label


class MeasureResource(ConceptResource):
    """Maßnahmen: keyed by Kürzel (or Gliederungsnummer for measures without one). New
    measures come from the concept's outline, not from this import."""

    code = Column(gettext_lazy("Kürzel"), CodeCell(max_length=20), attribute="code", role=KEY)
    number = Column(
        gettext_lazy("Gliederungsnummer"),
        TextCell(max_length=30),
        attribute="number",
        role=KEY,
        aliases=("Nr.", "Nummer"),
    )
    title = Column(
        gettext_lazy("Titel"), TextCell(max_length=500, required=True), attribute="title"
    )
    goal = Column(
        gettext_lazy("Strategisches Ziel"),
        RefCell(
            name=lambda goal: goal.number,
            message=gettext_lazy(
                "„%(value)s“: dieses strategische Ziel gibt es in diesem Konzept nicht "
                "(leer lassen für Koordination und Netzwerke)."
            ),
            hint=gettext_lazy("Nummer, z. B. 3; leer für Koordination und Netzwerke"),
        ),
        attribute="goal",
        aliases=("Ziel",),
    )
    sub_goals = Column(
        gettext_lazy("Teilziele"),
        SubGoalsCell(
            name=_sub_goal_label,
            message=gettext_lazy(
                "Teilziel %(value)s gibt es in diesem Konzept nicht (Schreibweise: 1.2, 1.3)."
            ),
            hint=gettext_lazy("z. B. 1.2, 1.3"),
        ),
        attribute="sub_goals",
        getter=lambda m: sorted(m.sub_goals.all(), key=lambda s: (s.goal.number, s.number)),
        aliases=("Teilziel",),
    )
    status = Column(
        gettext_lazy("Umsetzungsstand"),
        ChoiceCell(Status, message=STATUS_MESSAGE, required=True),
        attribute="status",
        aliases=("Status",),
    )
    traffic_light = Column(
        gettext_lazy("Ampel"),
        ChoiceCell(TrafficLight, message=LIGHT_MESSAGE, required=True),
        attribute="traffic_light",
    )
    progress = Column(
        gettext_lazy("Fortschritt"),
        IntegerCell(minimum=0, maximum=100, percent=True, required=True),
        attribute="progress",
        aliases=("Fortschritt (%)", "Fortschritt in %"),
    )
    # Why a changed state sets the Ampel to gelb or rot or drops the measure: the Abweichung
    # of the Sachstand the change records. Read on import only; the export leaves it empty,
    # so a file sent back unchanged changes nothing and an old reason is never reused.
    deviation = Column(
        gettext_lazy("Abweichung"),
        TextCell(),
        attribute="deviation",
        getter=lambda measure: "",
        aliases=("Abweichung / Begründung", "Begründung"),
    )
    start_date = Column(gettext_lazy("Beginn"), DateCell(), attribute="start_date")
    end_date = Column(gettext_lazy("Ende"), DateCell(), attribute="end_date")
    update_cadence = Column(
        gettext_lazy("Aktualisierungsturnus"),
        ChoiceCell(UpdateCadence, message=CADENCE_MESSAGE, required=True),
        attribute="update_cadence",
    )
    lead = Column(
        gettext_lazy("Federführung"), organisation_cell(), attribute="lead", getter=_leads
    )
    partners = Column(
        gettext_lazy("Partner"), organisation_cell(), attribute="partners", getter=_partners
    )
    networks = Column(
        gettext_lazy("Netzwerke"),
        RefListCell(
            name=lambda n: n.name,
            message=gettext_lazy("„%(value)s“: dieses Netzwerk gibt es in diesem Konzept nicht."),
            hint=gettext_lazy("Namen von Netzwerken"),
        ),
        attribute="networks",
        getter=lambda m: _by_name(m.networks.all()),
    )
    is_public = Column(gettext_lazy("öffentlich"), BooleanCell(), attribute="is_public")
    version = Column(
        gettext_lazy("Version"), IntegerCell(minimum=1), attribute="version", role=CHECK
    )

    required_columns = ((gettext_lazy("Kürzel"), gettext_lazy("Gliederungsnummer")),)
    # The services' arguments their errors name, as the file's columns.
    error_columns = {
        "reason": gettext_lazy("Abweichung"),
        "partner_organisations": gettext_lazy("Partner"),
    }
    row_noun = gettext_lazy("Maßnahme")
    slug = "massnahmen"

    class Meta:
        model = Measure
        fields = (
            "code",
            "number",
            "title",
            "goal",
            "sub_goals",
            "status",
            "traffic_light",
            "progress",
            "deviation",
            "start_date",
            "end_date",
            "update_cadence",
            "lead",
            "partners",
            "networks",
            "is_public",
            "version",
        )
        export_order = fields
        import_order = fields

    def queryset(self):
        return (
            Measure.objects.filter(concept=self.concept)
            .select_related("goal")
            .prefetch_related(
                Prefetch("sub_goals", queryset=SubGoal.objects.select_related("goal")),
                Prefetch(
                    "involvements",
                    queryset=MeasureOrganisation.objects.select_related("organisation"),
                ),
                "networks",
            )
            .order_by("position", "number")
        )

    def export_queryset(self, params=None):
        """The measures of the concept; with the measure list's filters if given."""
        queryset = self.queryset()
        if params:
            from measures.filters import MeasureFilter

            goals = list(StrategicGoal.objects.filter(concept=self.concept).order_by("number"))
            filterset = MeasureFilter(
                params, queryset=queryset.with_last_entry(), concept=self.concept, goals=goals
            )
            if not filterset.is_valid():  # django-filter would just leave the filter out
                raise ExportFilterError(
                    filter_error(name, params.get(name, ""), " ".join(messages))
                    for name, messages in filterset.errors.items()
                )
            queryset = filterset.qs
        return queryset

    def load(self):
        concept = self.concept
        self.measures = list(self.queryset())
        for measure in self.measures:
            measure.concept = concept
        self.by_code = {m.code.casefold(): m for m in self.measures if m.code}
        self.by_number = {m.number: m for m in self.measures}
        self.fields["goal"].widget.lookup = {
            lookup_key(g.number): g for g in StrategicGoal.objects.filter(concept=concept)
        }
        self.fields["sub_goals"].widget.lookup = {
            s.label: s for s in SubGoal.objects.filter(goal__concept=concept).select_related("goal")
        }
        organisations = {
            lookup_key(o.name): o for o in Organisation.objects.filter(concept=concept)
        }
        self.fields["lead"].widget.lookup = organisations
        self.fields["partners"].widget.lookup = organisations
        self.fields["networks"].widget.lookup = {
            lookup_key(n.name): n for n in Network.objects.filter(concept=concept)
        }

    def label(self, instance, values):
        if instance is not None:
            return instance.label
        return values.get("code") or values.get("number") or ""

    def find(self, values, errors):
        code, number = values.get("code"), values.get("number")
        numbers = [number, *excel_date_variants(number)] if number else []
        code_header, number_header = self.header_of("code"), self.header_of("number")
        if code_header in errors or number_header in errors:
            return None, None, measure_label(code, number) or ""
        measure = None
        if code:
            measure = self.by_code.get(code.casefold())
            if measure is None:
                errors.setdefault(code_header, []).append(
                    _(
                        "Eine Maßnahme mit dem Kürzel „%(code)s“ gibt es in diesem Konzept "
                        "nicht. Neue Maßnahmen entstehen aus der Gliederung des Konzepts."
                    )
                    % {"code": code}
                )
            elif number and measure.number not in numbers:
                errors.setdefault(number_header, []).append(
                    _(
                        "Die Maßnahme %(code)s hat die Gliederungsnummer %(number)s, nicht "
                        "„%(given)s“; Kürzel und Gliederungsnummer lassen sich hier nicht ändern."
                    )
                    % {"code": measure.code, "number": measure.number, "given": number}
                )
        elif number:
            measure = next((self.by_number[n] for n in numbers if n in self.by_number), None)
            if measure is None:
                errors.setdefault(number_header, []).append(
                    _(
                        "Eine Maßnahme mit der Gliederungsnummer „%(number)s“ gibt es in diesem "
                        "Konzept nicht."
                    )
                    % {"number": number}
                )
        else:
            errors.setdefault(code_header or number_header, []).append(
                _("Kürzel oder Gliederungsnummer fehlt – welche Maßnahme ist gemeint?")
            )
        if measure is None:
            return None, None, measure_label(code, number) or ""
        return measure, ("measure", measure.pk), measure.label

    def values_at(self, measure, version):
        record = locking.history_at(measure, version)
        if record is None:
            return None
        values = {name: getattr(record, name) for name in RECORDED_FIELDS}
        values["goal"] = SimpleNamespace(pk=record.goal_id) if record.goal_id else None
        if record.assignments is not None:  # None: not recorded then (loaded data)
            assigned = record.assignments
            values["sub_goals"] = [
                SimpleNamespace(pk=pk, label=label) for pk, label in assigned.get("sub_goals", [])
            ]
            for attribute, role in (
                ("lead", MeasureOrganisation.Role.LEAD),
                ("partners", MeasureOrganisation.Role.PARTNER),
            ):
                values[attribute] = [
                    SimpleNamespace(pk=pk, name=name)
                    for pk, kind, name in assigned.get("organisations", [])
                    if kind == role
                ]
            values["networks"] = [
                SimpleNamespace(pk=pk, name=name) for pk, name in assigned.get("networks", [])
            ]
        return values

    def check(self, measure, values, changes, errors):
        changed = {change.attribute for change in changes}
        if "deviation" in changed and not changed.intersection(STATE_COLUMNS):
            errors.setdefault(self.header_of("deviation"), []).append(
                _(
                    "Eine Abweichung wird nur zusammen mit einer Änderung von Umsetzungsstand, "
                    "Ampel oder Fortschritt übernommen (als Begründung des Sachstands, der sie "
                    "festhält)."
                )
            )

    def apply(self, measure, values, changes):
        changed = {change.attribute for change in changes}
        if changed.intersection(STATE_COLUMNS):
            note = _("Übernommen aus dem Datenimport „%(file)s“.") % {
                "file": self.file_name or _("Datei")
            }
            services.measure_set_state(
                measure=measure,
                user=self.user,
                expected_version=measure.version,
                status=values.get("status", measure.status),
                traffic_light=values.get("traffic_light", measure.traffic_light),
                progress=values.get("progress", measure.progress),
                note=note,
                reason=values.get("deviation") or "",
            )
        master = {f: values[f] for f in services.MASTER_FIELDS if f in changed}
        relations = {}
        if "sub_goals" in changed:
            relations["sub_goals"] = values["sub_goals"]
        if "networks" in changed:
            relations["networks"] = values["networks"]
        if changed.intersection({"lead", "partners"}):
            # The service replaces both lists: keep the one the file does not change.
            relations["lead_organisations"] = values.get("lead", _leads(measure))
            relations["partner_organisations"] = values.get("partners", _partners(measure))
        if master or relations:
            services.measure_update(
                measure=measure,
                user=self.user,
                expected_version=measure.version,
                data=master,
                reason=self.change_reason,
                **relations,
            )
        return measure


# Parameters of the measure list's filters (measures.filters.MeasureFilter).
MEASURE_FILTERS = ("q", "ziel", "teilziel", "status", "ampel", "akteur", "netzwerk", "ueberfaellig")
