"""Data exchange of Kennzahlwerte (the machinery is concept.exchange).

A value is identified by its Kennzahl, Stichtag and Aufschlüsselung (empty for the total);
new and changed values go through goals.services, which keeps their history.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concept import formatting
from concept.exchange.cells import DateCell, DecimalCell, RefCell, TextCell
from concept.exchange.columns import KEY, Column
from concept.exchange.errors import ExportFilterError, filter_error
from concept.exchange.resource import ConceptResource
from concept.exchange.values import lookup_key
from goals import services
from goals.models import Indicator, IndicatorValue, StrategicGoal

VALUE_FIELDS = ("period", "value", "source", "note")


class IndicatorValueResource(ConceptResource):
    indicator = Column(
        gettext_lazy("Kennzahl"),
        RefCell(
            name=lambda indicator: indicator.name,
            message=gettext_lazy("Eine Kennzahl „%(value)s“ gibt es in diesem Konzept nicht."),
            required=True,
            hint=gettext_lazy("Bezeichnung der Kennzahl"),
        ),
        attribute="indicator",
        role=KEY,
    )
    reference_date = Column(
        gettext_lazy("Stichtag"), DateCell(required=True), attribute="reference_date", role=KEY
    )
    period = Column(gettext_lazy("Zeitraum"), TextCell(max_length=40), attribute="period")
    breakdown = Column(
        gettext_lazy("Aufschlüsselung"),
        TextCell(max_length=120),
        attribute="breakdown",
        role=KEY,
    )
    value = Column(
        gettext_lazy("Wert"),
        DecimalCell(max_digits=14, decimal_places=3, required=True),
        attribute="value",
    )
    source = Column(gettext_lazy("Quelle"), TextCell(max_length=300), attribute="source")
    note = Column(gettext_lazy("Anmerkung"), TextCell(max_length=300), attribute="note")

    required_columns = (gettext_lazy("Kennzahl"), gettext_lazy("Stichtag"), gettext_lazy("Wert"))
    row_noun = gettext_lazy("Kennzahlwert")
    slug = "kennzahlwerte"

    class Meta:
        model = IndicatorValue
        fields = (
            "indicator",
            "reference_date",
            "period",
            "breakdown",
            "value",
            "source",
            "note",
        )
        export_order = fields
        import_order = fields

    def queryset(self):
        return (
            IndicatorValue.objects.filter(indicator__concept=self.concept)
            .select_related("indicator")
            .order_by(
                "indicator__position", "indicator__name", "reference_date", "position", "breakdown"
            )
        )

    def export_queryset(self, params=None):
        """All values of the concept; ?kennzahl=<id> or ?ziel=<number> narrows them."""
        queryset = self.queryset()
        if params:
            errors = []
            indicator = params.get("kennzahl", "")
            if indicator:
                found = indicator.isdigit() and (
                    Indicator.objects.filter(concept=self.concept, pk=int(indicator)).exists()
                )
                if found:
                    queryset = queryset.filter(indicator_id=int(indicator))
                else:
                    reason = _("Diese Kennzahl gibt es in diesem Konzept nicht.")
                    errors.append(filter_error("kennzahl", indicator, reason))
            goal = params.get("ziel", "")
            if goal:
                found = goal.isdigit() and (
                    StrategicGoal.objects.filter(concept=self.concept, number=int(goal)).exists()
                )
                if found:
                    queryset = queryset.filter(indicator__sub_goal__goal__number=int(goal))
                else:
                    reason = _("Ein strategisches Ziel mit dieser Nummer gibt es nicht.")
                    errors.append(filter_error("ziel", goal, reason))
            if errors:
                raise ExportFilterError(errors)
        return queryset

    def load(self):
        indicators = list(Indicator.objects.filter(concept=self.concept))
        self.fields["indicator"].widget.lookup = {lookup_key(i.name): i for i in indicators}
        self.existing = {}
        for item in IndicatorValue.objects.filter(indicator__concept=self.concept):
            self.existing[(item.indicator_id, item.reference_date, item.breakdown.strip())] = item

    def label(self, instance, values):
        indicator = instance.indicator if instance else values.get("indicator")
        date = instance.reference_date if instance else values.get("reference_date")
        breakdown = instance.breakdown if instance else values.get("breakdown")
        if indicator is None:
            return ""
        parts = [indicator.name]
        if date:
            parts.append(formatting.date(date))
        if breakdown:
            parts.append(breakdown)
        return ", ".join(parts)

    def find(self, values, errors):
        indicator, date = values.get("indicator"), values.get("reference_date")
        label = self.label(None, values)
        if indicator is None or date is None:
            return None, None, label
        key = (indicator.pk, date, (values.get("breakdown") or "").strip())
        item = self.existing.get(key)
        if item is not None:
            item.indicator = indicator
        return item, key, label

    def apply(self, item, values, changes):
        if item is None:
            item = services.indicator_value_create(
                indicator=values["indicator"],
                user=self.user,
                reference_date=values["reference_date"],
                value=values["value"],
                breakdown=values.get("breakdown", ""),
                period=values.get("period", ""),
                source=values.get("source", ""),
                note=values.get("note", ""),
            )
            self.existing[(item.indicator_id, item.reference_date, item.breakdown.strip())] = item
            return item
        return services.indicator_value_update(
            item=item,
            user=self.user,
            expected_version=item.version,
            **{c.attribute: values[c.attribute] for c in changes},
        )
