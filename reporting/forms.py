from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concept.locking import VersionedForm
from measures.models import Decision, Measure
from networks.models import Network

GERMAN_DATE = ["%d.%m.%Y"]
DATE_HINT = _("Datum im Format TT.MM.JJJJ, z. B. 31.12.2025")
INVALID_DATE = _("Bitte ein gültiges Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2025.")


def date_field(label, *, required=True, help_text=DATE_HINT):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=GERMAN_DATE,
        help_text=help_text,
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": INVALID_DATE,
            "required": _("Bitte ein Datum angeben."),
        },
    )


class ChangesSinceForm(forms.Form):
    seit = date_field(_("Änderungen seit"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Links and bookmarks may carry ISO dates (2025-06-01).
        self.fields["seit"].input_formats = [*GERMAN_DATE, "%Y-%m-%d"]

    def clean_seit(self):
        since = self.cleaned_data["seit"]
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("Das Datum liegt in der Zukunft."), code="future")
        return since


class MeetingForm(VersionedForm):
    network = forms.ModelChoiceField(
        label=_("Gremium"),
        queryset=Network.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Bitte ein Gremium dieses Konzepts wählen.")},
    )
    date = date_field(_("Datum der Sitzung"))
    topic = forms.CharField(label=_("Thema"), max_length=300)
    presented = forms.CharField(
        label=_("Vorgestellt"),
        max_length=300,
        required=False,
        help_text=_("Was vorgestellt wurde, z. B. Dashboard, Jahresbericht 2025."),
    )
    minutes = forms.CharField(
        label=_("Kurzprotokoll"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(
            concept=concept, kind=Network.Kind.COMMITTEE
        ).order_by("position", "name")


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.label}: {measure.title}"


class DecisionForm(VersionedForm):
    text = forms.CharField(
        label=_("Beschlusstext"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    kind = forms.ChoiceField(label=_("Art"), choices=Decision.Kind.choices)
    measures = MeasureChoiceField(
        label=_("betroffene Maßnahmen"),
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("„%(value)s“ ist keine Maßnahme dieses Konzepts."),
            "invalid_pk_value": _("„%(pk)s“ ist keine gültige Maßnahme."),
        },
    )
    follow_up_date = date_field(
        _("Wiedervorlage am"),
        required=False,
        help_text=_("Wann der Beschluss wieder vorgelegt wird (TT.MM.JJJJ)."),
    )
    follow_up_done = forms.BooleanField(label=_("Wiedervorlage erledigt"), required=False)

    def __init__(self, *args, concept, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = (
            Measure.objects.filter(concept=concept)
            .select_related("goal")
            .order_by("goal__number", "position", "number")
        )
        if not editing:
            del self.fields["follow_up_done"]

    def measure_groups(self):
        """The checkboxes grouped by strategic goal, for one fieldset per goal."""
        measures = {m.pk: m for m in self.fields["measures"].queryset}
        groups = {}
        for checkbox in self["measures"]:
            measure = measures[checkbox.data["value"].value]
            goal = measure.goal
            key = goal.number if goal else 0
            if key not in groups:
                label = str(goal) if goal else str(_("Koordination und Netzwerke"))
                groups[key] = (label, [])
            groups[key][1].append(checkbox)
        ordered = sorted(groups.items(), key=lambda item: (item[0] == 0, item[0]))
        return [group for _key, group in ordered]
