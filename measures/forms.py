from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from concept import formatting
from concept.fields import DateField, GermanDecimalField
from concept.forms import PortalForm
from concept.locking import UNKNOWN, VersionedForm
from goals.models import StrategicGoal, SubGoal
from measures import services
from measures.models import Decision, Measure, ProgressEntry, period_errors
from networks.models import Network, Organisation


class MeasureStateForm(PortalForm, VersionedForm, forms.ModelForm):
    note = forms.CharField(
        label=_("Bemerkung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wird dem automatisch erzeugten Sachstand angefügt."),
    )
    reason = forms.CharField(
        label=_("Begründung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Abweichung: Pflicht, wenn die Ampel auf gelb oder rot wechselt oder die Maßnahme "
            "entfällt."
        ),
    )

    class Meta:
        model = Measure
        fields = ["status", "traffic_light", "progress"]
        widgets = {"progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1})}

    def check(self, cleaned):
        return services.measure_set_state_errors(
            measure=self.instance,
            status=cleaned.get("status"),
            traffic_light=cleaned.get("traffic_light"),
            progress=cleaned.get("progress"),
            reason=cleaned.get("reason"),
        )


class MeasureGridRowForm(VersionedForm, forms.ModelForm):
    """One row of the Schnellerfassung: the state, a short Sachstand text and the reason.

    The grid posts every row at once; a row counts as edited where its values differ from
    what the page showed (hidden "initial-…" inputs of the state fields), so rows nobody
    touched are neither saved nor refused when someone else changed them meanwhile."""

    STATE_FIELDS = ("status", "traffic_light", "progress")

    note = forms.CharField(label=_("Sachstand"), required=False)
    reason = forms.CharField(label=_("Begründung"), required=False)

    class Meta:
        model = Measure
        fields = ["status", "traffic_light", "progress"]
        widgets = {"progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.STATE_FIELDS:
            self.fields[name].show_hidden_initial = True
            self.fields[name].help_text = ""
        if self.instance.status_reason:
            # The reason given when the measure was dropped, as a reminder in the empty field.
            self.fields["reason"].widget.attrs["placeholder"] = Truncator(
                self.instance.status_reason
            ).chars(60)

    @property
    def edited(self) -> list[str]:
        """The fields the user changed on the page (the version is not one of them)."""
        return [name for name in self.changed_data if name != "version"]

    @property
    def state_edited(self) -> bool:
        return any(name in self.STATE_FIELDS for name in self.edited)

    def seen_inputs(self):
        """The hidden inputs holding what the page showed of the state fields: the stored
        values on a fresh row, else what the row was sent with (or rebased on)."""
        inputs = []
        for name in self.STATE_FIELDS:
            bound = self[name]
            if self.is_bound and bound.html_initial_name in self.data:
                value = self.data[bound.html_initial_name]
            else:
                value = bound.value()
            inputs.append(forms.HiddenInput().render(bound.html_initial_name, value))
        return mark_safe("".join(inputs))

    def clean(self):
        cleaned = super().clean()
        if self.edited == ["reason"]:
            self.add_error(
                "reason",
                _(
                    "Eine Begründung wird nur zusammen mit einer Änderung des Stands oder "
                    "einem Sachstand gespeichert."
                ),
            )
        return cleaned

    def rebase(self, conflict):
        mine = super().rebase(conflict)
        # The row now shows the current state: it counts as edited only where the user's
        # own input differs from that.
        for name in self.STATE_FIELDS:
            value = getattr(conflict.obj, name)
            self.data[self[name].html_initial_name] = self.as_data(name, value)
        self._bound_fields_cache.clear()
        return mine

    def _post_clean(self):
        # The instance is changed only by the service, never by the form.
        pass


# Evidence per Sachstand, beside the per-file limit settings.EVIDENCE_MAX_BYTES.
MAX_FILES = 10
MAX_TOTAL_BYTES = 25 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once, at most max_files of together at most max_total_bytes."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files=None, max_total_bytes=None, **kwargs):
        self.max_files, self.max_total_bytes = max_files, max_total_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data]
        else:
            files = [single(data, initial)] if data else []
        if self.max_files is not None and len(files) > self.max_files:
            raise forms.ValidationError(
                _("%(label)s: höchstens %(max)s Dateien je Sachstand (ausgewählt: %(count)s).")
                % {"label": self.label, "max": self.max_files, "count": len(files)}
            )
        total = sum(f.size for f in files)
        if self.max_total_bytes is not None and total > self.max_total_bytes:
            raise forms.ValidationError(
                _(
                    "%(label)s: zusammen höchstens %(max)s MB je Sachstand "
                    "(ausgewählt: %(size)s MB)."
                )
                % {
                    "label": self.label,
                    "max": self.max_total_bytes // 1024 // 1024,
                    "size": formatting.megabytes(total),
                }
            )
        return files


ENTRY_FIELDS = [
    "date",
    "period",
    "status",
    "traffic_light",
    "progress",
    "text",
    "next_steps",
    "deviation",
    "decision",
    "participants",
    "staff",
    "cost",
    "funding",
]
ENTRY_WIDGETS = {
    "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    "text": forms.Textarea(attrs={"rows": 3}),
    "next_steps": forms.Textarea(attrs={"rows": 3}),
    "deviation": forms.Textarea(attrs={"rows": 2}),
}
DEVIATION_HELP = _(
    "Pflicht, wenn die Ampel auf gelb oder rot wechselt (kurz: was weicht ab, warum) oder die "
    "Maßnahme entfällt."
)
# The two ways to send the one "Sachstand erfassen" form (the name and values of its buttons).
ACTION = "aktion"
NO_CHANGE = "keine-aenderung"


class ProgressEntryForm(PortalForm, VersionedForm, forms.ModelForm):
    """The one way to record a Sachstand, on the measure page and as a page of its own:
    prefilled with the measure's state and today. With `no_change` (the button "Keine
    Änderung seit dem letzten Sachstand") it confirms the state as it is, today."""

    # The version is the measure's: only the state it would set can collide.
    locked_fields = ["status", "traffic_light", "progress"]

    staff = GermanDecimalField(
        label=_("Personal (VZÄ)"), required=False, min_value=0, max_digits=7, decimal_places=2
    )
    cost = GermanDecimalField(
        label=_("Kosten (EUR)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    funding = GermanDecimalField(
        label=_("Fördermittel (EUR)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    files = MultipleFileField(
        label=_("Nachweise (Dateien)"),
        required=False,
        help_text=_(
            "PDF, Office-Dokumente, Bilder, Text oder CSV; je Datei höchstens 10 MB, "
            "höchstens 10 Dateien mit zusammen höchstens 25 MB."
        ),
    )
    links = forms.CharField(
        label=_("Nachweise (Links)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Eine Adresse je Zeile, beginnend mit https://"),
    )

    class Meta:
        model = ProgressEntry
        fields = ENTRY_FIELDS
        field_classes = {"date": DateField}
        widgets = ENTRY_WIDGETS

    def __init__(self, *args, measure, no_change=False, **kwargs):
        super().__init__(*args, versioned=measure, **kwargs)
        self.measure = measure
        self.no_change = no_change
        # Settings may lower or raise the limits per installation.
        self.fields["files"].max_files = getattr(settings, "EVIDENCE_MAX_FILES", MAX_FILES)
        self.fields["files"].max_total_bytes = getattr(
            settings, "EVIDENCE_MAX_TOTAL_BYTES", MAX_TOTAL_BYTES
        )
        if not self.is_bound:
            self.initial.update(
                date=timezone.localdate(),
                status=measure.status,
                traffic_light=measure.traffic_light,
                progress=measure.progress,
            )
        self.fields["text"].help_text = _(
            "Was ist seit dem letzten Sachstand geschehen? Wer nur Umsetzungsstand, Ampel oder "
            "Fortschritt ändert, kann es leer lassen: die Änderung wird dann beschrieben."
        )
        self.fields["deviation"].help_text = DEVIATION_HELP
        # A committee decision on this measure can be named as the reason for the change.
        decisions = measure.decisions.select_related("meeting__network").order_by("-meeting__date")
        if getattr(measure, "has_decisions", None) is False:
            decisions = Decision.objects.none()
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda d: (
            f"{d.meeting.network.name}, {formatting.date(d.meeting.date)}: {d.text[:80]}"
        )
        self.fields["decision"].empty_label = _("– kein Beschluss –")

    def check(self, cleaned):
        return services.progress_entry_errors(
            measure=self.measure,
            date=cleaned.get("date"),
            status=cleaned.get("status"),
            traffic_light=cleaned.get("traffic_light"),
            progress=cleaned.get("progress"),
            deviation=cleaned.get("deviation"),
        )

    def clean_links(self):
        validator = forms.URLField(assume_scheme="https")
        links = []
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                url = validator.clean(line.strip())
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Zeile %(line)s: „%(url)s“ ist keine gültige Internetadresse.")
                    % {"line": number, "url": line.strip()}
                ) from None
            if not url.startswith(("https://", "http://")):
                raise forms.ValidationError(
                    _("Zeile %(line)s: Nur http- und https-Adressen sind erlaubt.")
                    % {"line": number}
                )
            links.append(url)
        return links

    def state_changed(self, data=None) -> bool:
        data = data if data is not None else self.cleaned_data
        measure = self.measure
        return (data.get("status"), data.get("traffic_light"), data.get("progress")) != (
            measure.status,
            measure.traffic_light,
            measure.progress,
        )

    def clean(self):
        data = super().clean()
        if self.no_change:
            # "Keine Änderung" confirms the state shown, today; a changed state or another day
            # is a Sachstand of its own.
            if self.state_changed(data):
                self.add_error(
                    "status",
                    _(
                        "Umsetzungsstand, Ampel oder Fortschritt weichen vom aktuellen Stand ab. "
                        "Um die Änderung festzuhalten, bitte „Sachstand speichern“ wählen."
                    ),
                )
            if data.get("date") not in (None, timezone.localdate()):
                self.add_error(
                    "date",
                    _(
                        "„Keine Änderung“ wird mit dem heutigen Datum festgehalten. Für einen "
                        "anderen Tag bitte „Sachstand speichern“ wählen."
                    ),
                )
        elif not (data.get("text") or "").strip() and not self.state_changed(data):
            self.add_error(
                "text",
                _(
                    "Bitte beschreiben Sie den Sachstand – oder wählen Sie „Keine Änderung seit "
                    "dem letzten Sachstand“, wenn sich nichts geändert hat."
                ),
            )
        return data


class ProgressEntryCorrectionForm(PortalForm, VersionedForm, forms.ModelForm):
    """Correct a recorded Sachstand: texts, figures, date and state, with a reason."""

    staff = GermanDecimalField(
        label=_("Personal (VZÄ)"), required=False, min_value=0, max_digits=7, decimal_places=2
    )
    cost = GermanDecimalField(
        label=_("Kosten (EUR)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    funding = GermanDecimalField(
        label=_("Fördermittel (EUR)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(
        label=_("Grund der Korrektur"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pflicht; steht im Verlauf und am Sachstand, z. B. „Tippfehler im Datum“."),
        error_messages={"required": _("Bitte geben Sie den Grund der Korrektur an.")},
    )

    class Meta:
        model = ProgressEntry
        fields = [name for name in ENTRY_FIELDS if name != "decision"]
        field_classes = {"date": DateField}
        widgets = ENTRY_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deviation"].help_text = DEVIATION_HELP

    def check(self, cleaned):
        return services.progress_entry_correction_errors(
            entry=self.instance,
            date=cleaned.get("date"),
            status=cleaned.get("status"),
            progress=cleaned.get("progress"),
            traffic_light=cleaned.get("traffic_light"),
            deviation=cleaned.get("deviation"),
        )


class ProgressEntryWithdrawForm(PortalForm, VersionedForm):
    """Withdraw a recorded Sachstand, with a reason."""

    reason = forms.CharField(
        label=_("Grund des Zurückziehens"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pflicht; steht im Verlauf und am Sachstand, z. B. „doppelt erfasst“."),
        error_messages={"required": _("Bitte geben Sie den Grund für das Zurückziehen an.")},
    )


class NoChangeForm(PortalForm):
    """ "Keine Änderung": only the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# MeasureForm fields only Koordination and Administration may change (services.OWNER_FIELDS
# are the others).
ASSIGNING_FIELDS = [
    "title",
    "update_cadence",
    "goal",
    "sub_goals",
    "lead_organisations",
    "partner_organisations",
    "networks",
    "responsible_users",
    "is_public",
]


class MeasureForm(PortalForm, VersionedForm, forms.ModelForm):
    lead_organisations = forms.ModelMultipleChoiceField(
        label=_("Federführung"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partner_organisations = forms.ModelMultipleChoiceField(
        label=_("Partner"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Measure
        fields = [
            "title",
            "description",
            "target_group",
            "goal",
            "sub_goals",
            "networks",
            "responsible_users",
            "start_date",
            "end_date",
            "update_cadence",
            "is_public",
        ]
        field_classes = {"start_date": DateField, "end_date": DateField}
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "sub_goals": forms.CheckboxSelectMultiple,
            "networks": forms.CheckboxSelectMultiple,
            "responsible_users": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, may_assign=True, **kwargs):
        super().__init__(*args, **kwargs)
        concept = self.instance.concept
        self.fields["goal"].queryset = StrategicGoal.objects.filter(concept=concept)
        self.fields["goal"].empty_label = _("– keins (Koordination und Netzwerke) –")
        self.fields["sub_goals"].queryset = self._sub_goal_choices(concept)
        self.fields["sub_goals"].label_from_instance = lambda s: f"{s.label} {s.text}"
        self.fields["networks"].queryset = Network.objects.filter(concept=concept)
        organisations = Organisation.objects.filter(concept=concept)
        self.fields["lead_organisations"].queryset = organisations
        self.fields["partner_organisations"].queryset = organisations
        self.fields["responsible_users"].queryset = (
            get_user_model().objects.filter(concepts=concept).order_by("last_name", "username")
        )
        self.fields["responsible_users"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )
        if not may_assign:
            # Maßnahmenverantwortliche keep description, target group and dates current; the
            # adopted title, the cadence, where the measure sits in the concept, who works on
            # it and whether it is public are Koordination's.
            for name in ASSIGNING_FIELDS:
                del self.fields[name]
        if not self.is_bound:
            roles = {}
            for involvement in self.instance.involvements.all():
                roles.setdefault(involvement.role, []).append(involvement.organisation_id)
            self.initial["lead_organisations"] = roles.get("lead", [])
            self.initial["partner_organisations"] = roles.get("partner", [])

    def check(self, cleaned):
        errors = period_errors(cleaned.get("start_date"), cleaned.get("end_date"))
        if "goal" in self.fields:
            errors.update(
                services.assignment_errors(
                    goal=cleaned.get("goal"),
                    sub_goals=cleaned.get("sub_goals"),
                    lead=cleaned.get("lead_organisations"),
                    partners=cleaned.get("partner_organisations"),
                )
            )
        return errors

    def _sub_goal_choices(self, concept):
        """The Teilziele of the measure's goal (and of the goal just chosen, when the form
        comes back with an error), plus those already assigned, so none is dropped unseen.
        A measure without a goal may serve any."""
        sub_goals = SubGoal.objects.filter(goal__concept=concept).select_related("goal")
        goals = {self.instance.goal_id}
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("goal"), "")
            goals.add(int(chosen) if chosen.isdigit() else None)
        if None in goals:
            return sub_goals
        assigned = self.instance.sub_goals.values("pk") if self.instance.pk else []
        return sub_goals.filter(models.Q(goal__in=goals) | models.Q(pk__in=assigned))

    def locked_values(self, source):
        """Assignments as the form shows them: from a history record's snapshot (where it
        stored one), or from the measure."""
        values = super().locked_values(source)
        for name in ASSIGNED:
            if name not in self.fields:
                continue
            if isinstance(source, Measure):
                value = _current_assignment(source, name)
            else:
                value = record_value(source, name)
            if value is UNKNOWN:
                values.pop(name, None)
            else:
                values[name] = value
        return values


# --- after a refused save ---------------------------------------------------------------------

ORGANISATION_ROLES = {"lead_organisations": "lead", "partner_organisations": "partner"}
ASSIGNED = ["sub_goals", "networks", "responsible_users", *ORGANISATION_ROLES]


def record_value(record, name):
    """What an assignment field of MeasureForm showed at a history record of the measure;
    UNKNOWN where the record did not store the assignments."""
    if record.assignments is None:
        return UNKNOWN
    if name in ORGANISATION_ROLES:
        rows = record.assignments.get("organisations", [])
        return frozenset(row[0] for row in rows if row[1] == ORGANISATION_ROLES[name])
    return frozenset(row[0] for row in record.assignments.get(name, []))


def _current_assignment(measure, name):
    if name in ORGANISATION_ROLES:
        return frozenset(
            measure.involvements.filter(role=ORGANISATION_ROLES[name]).values_list(
                "organisation_id", flat=True
            )
        )
    return frozenset(getattr(measure, name).values_list("pk", flat=True))


# --- Decisions (Beschlüsse) ----------------------------------------------------------------


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.label}: {measure.title}"


class MeasureGroupsMixin:
    """A form whose "measures" checkboxes show in one fieldset per strategic goal
    (templates/measures/_measure_choice.html)."""

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


class DecisionForm(MeasureGroupsMixin, PortalForm, VersionedForm):
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
    follow_up_date = DateField(
        label=_("Wiedervorlage am"),
        required=False,
        help_text=_("Wann der Beschluss wieder vorgelegt wird."),
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


# --- Sachstandsabfragen (campaigns) ------------------------------------------------------------


class CampaignForm(MeasureGroupsMixin, PortalForm):
    """Open a Sachstandsabfrage: reference date, deadline, the measures (all active ones
    checked at first) and a note for the mail."""

    title = forms.CharField(
        label=_("Bezeichnung"),
        required=False,
        max_length=200,
        help_text=_("Leer lassen für „Sachstände zum 31.12.2025 bis 31.01.2026“."),
    )
    reference_date = DateField(
        label=_("Sachstände zum"), help_text=_("Der Stichtag, dessen Stand erfragt wird.")
    )
    deadline = DateField(
        label=_("Rückmeldung bis"), help_text=_("Bis wann die Verantwortlichen antworten.")
    )
    measures = MeasureChoiceField(
        label=_("Maßnahmen"),
        queryset=Measure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Bitte wählen Sie mindestens eine Maßnahme."),
            "invalid_choice": _("„%(value)s“ ist keine Maßnahme dieses Konzepts."),
            "invalid_pk_value": _("„%(pk)s“ ist keine gültige Maßnahme."),
        },
    )
    message = forms.CharField(
        label=_("Hinweis an die Verantwortlichen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Steht in der E-Mail, z. B. wofür die Angaben dienen."),
    )

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept = concept
        self.fields["measures"].queryset = (
            Measure.objects.filter(concept=concept)
            .select_related("goal")
            .order_by("goal__number", "position", "number")
        )
        if not self.is_bound:
            self.initial.setdefault(
                "measures",
                list(services.campaign_default_measures(concept).values_list("pk", flat=True)),
            )

    def check(self, cleaned):
        return services.campaign_errors(
            concept=self.concept,
            reference_date=cleaned.get("reference_date"),
            deadline=cleaned.get("deadline"),
            measures=cleaned.get("measures"),
            today=timezone.localdate(),
        )


class CampaignCloseForm(PortalForm, VersionedForm):
    """Ending a Sachstandsabfrage: the version the person saw (pass versioned=campaign)."""
