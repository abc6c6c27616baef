"""Data exchange of measures and Sachstände (see concept/resources.py for the machinery).

Every imported change goes through measures.services: a changed Umsetzungsstand, Ampel or
Fortschritt leaves a Sachstand and bumps the measure's version. A row from an older export
is compared with the measure as it was exported (its history): what others changed since
stays, and only a cell both changed is refused ("wurde seit dem Export geändert").
"""

import re
from types import SimpleNamespace

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import locking
from concept.resources import (
    CHECK,
    EXPORT,
    KEY,
    BooleanCell,
    ChoiceCell,
    CodeCell,
    Column,
    ConceptResource,
    DateCell,
    DecimalCell,
    ExportFilterError,
    IntegerCell,
    RefCell,
    RefListCell,
    TextCell,
    excel_date_variants,
    filter_error,
    lookup_key,
    normalise_text,
)
from goals.models import StrategicGoal, SubGoal
from measures import services
from measures.access import measure_lookup
from measures.models import (
    Measure,
    MeasureOrganisation,
    ProgressEntry,
    Status,
    TrafficLight,
    UpdateCadence,
)
from networks.models import Network, Organisation

STATUS_MESSAGE = gettext_lazy(
    "„%(value)s“ ist kein gültiger Umsetzungsstand (erlaubt: %(allowed)s)."
)
LIGHT_MESSAGE = gettext_lazy("„%(value)s“ ist keine gültige Ampel (erlaubt: %(allowed)s).")
CADENCE_MESSAGE = gettext_lazy(
    "„%(value)s“ ist kein gültiger Aktualisierungsturnus (erlaubt: %(allowed)s)."
)
STATE_FIELDS = ("status", "traffic_light", "progress")
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


class SubGoalsCell(RefListCell):
    """ "1.2, 1.3": Teilziele by goal and number, separated by commas or semicolons."""

    split_pattern = re.compile(r"[,;\s]+")
    joiner = ", "

    def key(self, value):
        return normalise_text(value).rstrip(".")

    def parse(self, value):
        # A single Teilziel "1.2" becomes 1 February in German Excel; take it back.
        variants = excel_date_variants(value)
        if variants and variants[1] in self.lookup:
            return [self.lookup[variants[1]]]
        return super().parse(value)


class MeasureRefCell(RefCell):
    """A measure by its code ("aG 1" is aG1), or by its outline number if it has none."""

    def key(self, value):
        return "".join(normalise_text(value).split())

    def parse(self, value):
        key = self.key(value)
        found = self.lookup.get(key) or self.lookup.get(key.casefold())
        if found is None:
            raise ValueError(self.message % {"value": normalise_text(value)})
        return found


def measure_index(measures):
    """code → measure (exact and case-insensitive), and outline number for uncoded ones."""
    lookup = {}
    for measure in measures:
        if measure.code:
            lookup[measure.code] = measure
            lookup.setdefault(measure.code.casefold(), measure)
        else:
            lookup.setdefault(measure.number, measure)
    return lookup


def organisation_cell(required=False):
    return RefListCell(
        name=lambda o: o.name,
        message=gettext_lazy("„%(value)s“: diesen Akteur gibt es in diesem Konzept nicht."),
        required=required,
        hint=gettext_lazy("Namen von Akteuren"),
    )


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
    error_columns = {"deviation": gettext_lazy("Umsetzungsstand")}
    row_noun = gettext_lazy("Maßnahme")

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
            return None, None, code or number or ""
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
            return None, None, code or number or ""
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

    def check(self, instance, values, changes, errors):
        leads = {o.pk: o for o in values.get("lead") or ()}
        both = [o.name for o in values.get("partners") or () if o.pk in leads]
        if both:
            errors.setdefault(self.header_of("partners"), []).append(
                _("„%(names)s“ steht schon unter Federführung.") % {"names": "; ".join(both)}
            )

    def apply(self, measure, values, changes):
        changed = {change.attribute for change in changes}
        if changed.intersection(STATE_FIELDS):
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


def _author_name(entry):
    if entry.author is None:
        return ""
    return entry.author.get_full_name() or entry.author.get_username()


# What a Sachstand records about the measure at its date; a later correction may not
# rewrite it (a new state is a new Sachstand).
ENTRY_STATE_FIELDS = ("measure", "date", "status", "traffic_light", "progress")
ENTRY_RECORDED_FIELDS = ("date", "status", "traffic_light", "progress", *services.ENTRY_TEXT_FIELDS)


class ProgressEntryResource(ConceptResource):
    """Sachstände: rows with an ID are recorded ones (their texts and figures may be
    corrected); rows without an ID are new Sachstände, recorded through the services so
    the newest one sets the measure's state."""

    measure = Column(
        gettext_lazy("Maßnahme"),
        MeasureRefCell(
            name=lambda m: m.label,
            message=gettext_lazy("Eine Maßnahme „%(value)s“ gibt es in diesem Konzept nicht."),
            required=True,
            hint=gettext_lazy("Kürzel, ohne Kürzel die Gliederungsnummer"),
        ),
        attribute="measure",
        aliases=("Kürzel",),
    )
    date = Column(gettext_lazy("Datum"), DateCell(required=True), attribute="date")
    period = Column(
        gettext_lazy("Zeitraum"),
        TextCell(max_length=40),
        attribute="period",
        aliases=("Berichtszeitraum",),
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
    text = Column(gettext_lazy("Sachstand"), TextCell(), attribute="text")
    next_steps = Column(gettext_lazy("Nächste Schritte"), TextCell(), attribute="next_steps")
    deviation = Column(
        gettext_lazy("Abweichung"),
        TextCell(),
        attribute="deviation",
        aliases=("Abweichung / Begründung",),
    )
    participants = Column(
        gettext_lazy("Teilnehmende"), IntegerCell(minimum=0), attribute="participants"
    )
    staff = Column(
        gettext_lazy("Personal"),
        DecimalCell(max_digits=7, decimal_places=2, minimum=0),
        attribute="staff",
        aliases=("Personal (VZÄ)",),
    )
    cost = Column(
        gettext_lazy("Kosten"),
        DecimalCell(max_digits=12, decimal_places=2, minimum=0, money=True),
        attribute="cost",
        aliases=("Kosten (EUR)",),
    )
    funding = Column(
        gettext_lazy("Fördermittel"),
        DecimalCell(max_digits=12, decimal_places=2, minimum=0, money=True),
        attribute="funding",
        aliases=("Fördermittel (EUR)",),
    )
    author = Column(
        gettext_lazy("erfasst von"),
        TextCell(),
        attribute="author",
        getter=_author_name,
        role=EXPORT,
    )
    id = Column(gettext_lazy("ID"), IntegerCell(minimum=1), attribute="id", role=KEY)
    version = Column(
        gettext_lazy("Version"),
        IntegerCell(minimum=1),
        attribute="version",
        role=CHECK,
    )

    required_columns = (
        gettext_lazy("Maßnahme"),
        gettext_lazy("Datum"),
        gettext_lazy("Umsetzungsstand"),
        gettext_lazy("Ampel"),
        gettext_lazy("Fortschritt"),
    )
    error_columns = {"author": None}
    row_noun = gettext_lazy("Sachstand")

    class Meta:
        model = ProgressEntry
        fields = (
            "measure",
            "date",
            "period",
            "status",
            "traffic_light",
            "progress",
            "text",
            "next_steps",
            "deviation",
            "participants",
            "staff",
            "cost",
            "funding",
            "author",
            "id",
            "version",
        )
        export_order = fields
        import_order = fields

    def queryset(self):
        return (
            ProgressEntry.objects.filter(measure__concept=self.concept)
            .select_related("measure", "author")
            .order_by("measure__position", "measure__number", "date", "created_at", "pk")
        )

    def export_queryset(self, params=None):
        queryset = self.queryset()
        if params:
            key = params.get("massnahme")
            if key:
                measures = list(
                    Measure.objects.filter(measure_lookup(key), concept=self.concept).values_list(
                        "pk", flat=True
                    )
                )
                if not measures:
                    raise ExportFilterError(
                        [
                            filter_error(
                                "massnahme",
                                key,
                                _("Diese Maßnahme gibt es in diesem Konzept nicht."),
                            )
                        ]
                    )
                queryset = queryset.filter(measure__in=measures)
            if any(name in params for name in MEASURE_FILTERS):
                measures = MeasureResource(concept=self.concept).export_queryset(params)
                queryset = queryset.filter(measure__in=list(measures.values_list("pk", flat=True)))
        return queryset

    def order_rows(self, dataset):
        """Newest Sachstand of each measure first: it sets the measure's state once, and the
        older ones are recorded as history only (progress_entry_create decides by date).
        The end state is the same as in file order, at a fraction of the writes."""
        measure_header, date_header = self.header_of("measure"), self.header_of("date")
        if measure_header not in self.present or date_header not in self.present:
            return
        measure_at = dataset.headers.index(measure_header)
        date_at = dataset.headers.index(date_header)
        dates = DateCell()

        def newest_first(index):
            row = dataset[index]
            try:
                day = dates.clean(row[date_at])
            except ValueError:
                day = None
            measure = "".join(normalise_text(row[measure_at]).split()).casefold()
            return (measure, -(day.toordinal() if day else 0))

        self.reorder(dataset, sorted(range(len(dataset)), key=newest_first))

    def load(self):
        measures = list(Measure.objects.filter(concept=self.concept).select_related("goal"))
        for measure in measures:
            measure.concept = self.concept
        self.fields["measure"].widget.lookup = measure_index(measures)
        by_pk = {m.pk: m for m in measures}
        self.entries = {}
        self.signatures = {}
        self.newest = {}
        entries = ProgressEntry.objects.filter(measure__concept=self.concept)
        for entry in entries.order_by("pk"):
            entry.measure = by_pk[entry.measure_id]
            self.entries[entry.pk] = entry
            self.signatures.setdefault(self.signature(entry.measure, entry.__dict__), entry)
            self.note_date(entry)

    def note_date(self, entry):
        """Keep the newest Sachstand date of each measure, read once for the whole import."""
        newest = self.newest.get(entry.measure_id)
        if newest is None or entry.date > newest:
            self.newest[entry.measure_id] = entry.date

    @staticmethod
    def signature(measure, values):
        return (
            measure.pk,
            values.get("date"),
            values.get("status"),
            values.get("traffic_light"),
            values.get("progress"),
            normalise_text(values.get("text")),
        )

    def label(self, instance, values):
        measure = instance.measure if instance is not None else values.get("measure")
        date = instance.date if instance is not None else values.get("date")
        if measure is None:
            return ""
        return f"{measure.label}, {date:%d.%m.%Y}" if date else measure.label

    def find(self, values, errors):
        pk = values.get("id")
        id_header = self.header_of("id")
        if id_header in errors:
            return None, None, ""
        if pk:
            entry = self.entries.get(pk)
            if entry is None:
                errors.setdefault(id_header, []).append(
                    _(
                        "Einen Sachstand mit der ID %(id)s gibt es in diesem Konzept nicht. Für "
                        "einen neuen Sachstand das Feld „ID“ leer lassen."
                    )
                    % {"id": pk}
                )
                return None, None, str(pk)
            return entry, ("id", pk), self.label(entry, values)
        measure = values.get("measure")
        if measure is None or not values.get("date"):
            return None, None, self.label(None, values)
        key = self.signature(measure, values)
        if ("new", key) in self._seen:
            return None, ("new", key), self.label(None, values)
        # A row without ID that was imported before is the same Sachstand, not a new one.
        entry = self.signatures.get(key)
        if entry is not None:
            return entry, ("id", entry.pk), self.label(entry, values)
        return None, ("new", key), self.label(None, values)

    def values_at(self, entry, version):
        record = locking.history_at(entry, version)
        if record is None:
            return None
        return {name: getattr(record, name) for name in ENTRY_RECORDED_FIELDS}

    def check(self, entry, values, changes, errors):
        if entry is None:
            return
        for change in changes:
            if change.attribute in ENTRY_STATE_FIELDS:
                errors.setdefault(change.column, []).append(
                    _(
                        "An einem erfassten Sachstand lassen sich Maßnahme, Datum, "
                        "Umsetzungsstand, Ampel und Fortschritt nicht ändern (%(old)s → "
                        "%(new)s). Für einen neuen Stand bitte eine Zeile ohne ID anlegen."
                    )
                    % {"old": change.old or "–", "new": change.new or "–"}
                )

    def apply(self, entry, values, changes):
        if entry is not None:
            return services.progress_entry_correct(
                entry=entry,
                user=self.user,
                expected_version=entry.version,
                **{c.attribute: values[c.attribute] for c in changes},
            )
        fields = {name: values[name] for name in services.ENTRY_TEXT_FIELDS if name in values}
        entry = services.progress_entry_create(
            measure=values["measure"],
            author=self.user,
            date=values["date"],
            status=values["status"],
            traffic_light=values["traffic_light"],
            progress=values["progress"],
            newest_known=self.newest.get(values["measure"].pk),
            **fields,
        )
        self.note_date(entry)
        self.signatures.setdefault(self.signature(entry.measure, values), entry)
        return entry


# Parameters of the measure list's filters (measures.filters.MeasureFilter).
MEASURE_FILTERS = ("q", "ziel", "teilziel", "status", "ampel", "akteur", "netzwerk", "ueberfaellig")
