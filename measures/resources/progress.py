"""Sachstände: rows with an ID are recorded ones (their texts and figures may be corrected);
rows without an ID are new Sachstände, recorded through the services so the newest one sets
the measure's state."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import formatting, locking
from concept.exchange.cells import ChoiceCell, DateCell, DecimalCell, IntegerCell, TextCell
from concept.exchange.columns import CHECK, EXPORT, KEY, Column
from concept.exchange.errors import ExportFilterError, filter_error
from concept.exchange.resource import ConceptResource
from concept.exchange.values import normalise_text
from measures import services
from measures.access import measure_lookup
from measures.models import Measure, ProgressEntry, Status, TrafficLight
from measures.resources.cells import LIGHT_MESSAGE, STATUS_MESSAGE, MeasureRefCell, measure_index
from measures.resources.measure import MEASURE_FILTERS, MeasureResource


def _author_name(entry):
    if entry.author is None:
        return ""
    return entry.author.get_full_name() or entry.author.get_username()


# What a Sachstand records about the measure at its date; a later correction may not
# rewrite it (a new state is a new Sachstand).
FIXED_ENTRY_FIELDS = ("measure", "date", "status", "traffic_light", "progress")
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
    slug = "sachstaende"

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
        # Withdrawn ones too: a file that still holds one must not bring it back.
        self.withdrawn, self.withdrawn_signatures = {}, {}
        entries = ProgressEntry.with_withdrawn.filter(measure__concept=self.concept)
        for entry in entries.order_by("pk"):
            entry.measure = by_pk[entry.measure_id]
            if entry.is_withdrawn:
                self.withdrawn[entry.pk] = entry
                signature = self.signature(entry.measure, entry.__dict__)
                self.withdrawn_signatures.setdefault(signature, entry)
                continue
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
        return f"{measure.label}, {formatting.date(date)}" if date else measure.label

    def find(self, values, errors):
        pk = values.get("id")
        id_header = self.header_of("id")
        if id_header in errors:
            return None, None, ""
        if pk:
            entry = self.entries.get(pk)
            if pk in self.withdrawn:
                self._refuse_withdrawn(self.withdrawn[pk], id_header, errors)
                return None, None, str(pk)
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
        if key in self.withdrawn_signatures and key not in self.signatures:
            withdrawn = self.withdrawn_signatures[key]
            self._refuse_withdrawn(withdrawn, self.header_of("date"), errors)
            return None, None, self.label(None, values)
        # A row without ID that was imported before is the same Sachstand, not a new one.
        entry = self.signatures.get(key)
        if entry is not None:
            return entry, ("id", entry.pk), self.label(entry, values)
        return None, ("new", key), self.label(None, values)

    @staticmethod
    def _refuse_withdrawn(entry, header, errors):
        errors.setdefault(header, []).append(
            _(
                "Dieser Sachstand (%(label)s) wurde am %(when)s zurückgezogen (%(reason)s) und "
                "wird nicht wieder angelegt. Bitte die Zeile aus der Datei entfernen."
            )
            % {
                "label": f"{entry.measure.label}, {formatting.date(entry.date)}",
                "when": formatting.date(entry.withdrawn_at),
                "reason": entry.withdrawal_reason,
            }
        )

    def values_at(self, entry, version):
        record = locking.history_at(entry, version)
        if record is None:
            return None
        return {name: getattr(record, name) for name in ENTRY_RECORDED_FIELDS}

    def check(self, entry, values, changes, errors):
        if entry is None:
            return
        for change in changes:
            if change.attribute in FIXED_ENTRY_FIELDS:
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
                reason=self.change_reason,
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
