from django import forms
from django.utils.translation import gettext_lazy as _

from concept.fields import DateField
from concept.forms import PortalForm
from concept.locking import VersionedForm, comparable
from reporting.models import (
    EDITABLE_FIELDS,
    NARRATIVE_FIELDS,
    PATH_FIELDS,
    AnnualReport,
    report_years,
)
from reporting.report.services import check_report_year

HINTS = {
    "foreword": _("Wenige Absätze der Leitung; Leerzeilen trennen Absätze."),
    "summary": _("Die Kernbotschaften des Jahres und der wichtigste Handlungsbedarf."),
    "introduction": _(
        "Auftrag (Kreistagsbeschluss), Berichtsweg (Steuerungsgruppe → HVB-Konferenz → "
        "Ausschuss → Kreistag) und Methodik."
    ),
    "need_for_action": _("Maßnahmen ändern, ergänzen, beenden oder verstetigen."),
    "outlook": _("Nächste Schritte und Fortschreibung des Integrationskonzepts."),
    "resolution_proposal": _(
        "z. B. „Der Kreistag nimmt den Bericht zur Kenntnis und beschließt …“"
    ),
}


class ReportCreateForm(PortalForm):
    year = forms.IntegerField(label=_("Berichtsjahr"))

    def __init__(self, *args, concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept = concept
        years = report_years(concept)
        if years:
            self.fields["year"].widget.attrs.update(min=years.start, max=years[-1])
            self.fields["year"].help_text = _("Von %(first)s bis %(last)s.") % {
                "first": years.start,
                "last": years[-1],
            }

    def check(self, cleaned):
        if "year" in cleaned:
            check_report_year(self.concept, cleaned["year"])


class ReportForm(PortalForm, VersionedForm, forms.ModelForm):
    """The narrative and one assessment field per strategic goal (goal_<id>)."""

    class Meta:
        model = AnnualReport
        fields = [*EDITABLE_FIELDS, "correction_note"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 6}) for name in NARRATIVE_FIELDS},
            "contact": forms.Textarea(attrs={"rows": 4}),
            "correction_note": forms.Textarea(attrs={"rows": 6}),
        }
        field_classes = {name: DateField for name in PATH_FIELDS if name.endswith("_on")}

    def __init__(self, *args, goals=(), assessments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.supersedes_id:
            del self.fields["correction_note"]
        else:
            self.fields["correction_note"].required = True
        for name, hint in HINTS.items():
            self.fields[name].help_text = hint
        assessments = assessments or {}
        self.goal_fields = []
        for goal in goals:
            name = f"goal_{goal.pk}"
            self.fields[name] = forms.CharField(
                label=_("Bewertung Ziel %(number)s: %(title)s")
                % {"number": goal.number, "title": goal.short_title or goal.title},
                required=False,
                initial=assessments.get(goal.pk, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.goal_fields.append((goal, name))

    def narrative(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}

    def assessments(self):
        return {goal.pk: self.cleaned_data[name] for goal, name in self.goal_fields}

    def goal_bound_fields(self):
        return [self[name] for _goal, name in self.goal_fields]

    def locked_values(self, source):
        """The assessments as the form shows them: from a history record's snapshot, or
        from the report."""
        values = super().locked_values(source)
        if isinstance(source, AnnualReport):
            texts = dict(source.assessments.values_list("goal__number", "text"))
        elif source.assessments is not None:
            texts = {row[0]: row[2] for row in source.assessments}
        else:
            return values
        for goal, name in self.goal_fields:
            values[name] = comparable(texts.get(goal.number, ""))
        return values


class FinaliseForm(PortalForm):
    confirm = forms.BooleanField(
        label=_(
            "Ich habe die Vorschau geprüft. Der Bericht wird final und danach nicht mehr "
            "geändert; veröffentlicht wird er damit noch nicht."
        ),
        required=True,
        error_messages={"required": _("Bitte bestätigen Sie, dass der Bericht final werden soll.")},
    )
    override = forms.BooleanField(
        label=_("Trotz der offenen Punkte final setzen"),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Begründung"),
        help_text=_(
            "Warum der Bericht so final werden soll; sie wird mit dem Bericht und den offenen "
            "Punkten gespeichert und im Verlauf gezeigt."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def check(self, cleaned):
        if cleaned.get("override") and not cleaned.get("override_reason", "").strip():
            return {
                "override_reason": _(
                    "Bitte begründen Sie, warum der Bericht trotz offener Punkte final werden soll."
                )
            }
        return None

    def chosen_reason(self):
        """The reason, if the override is chosen (else nothing overrides the check)."""
        if not self.cleaned_data.get("override"):
            return ""
        return self.cleaned_data.get("override_reason", "").strip()


class PublishForm(PortalForm):
    confirm = forms.BooleanField(
        label=_(
            "Ich bestätige, dass der Bericht veröffentlicht werden darf (z. B. nach dem "
            "Beschluss des Kreistags)."
        ),
        required=True,
        error_messages={
            "required": _("Bitte bestätigen Sie, dass der Bericht veröffentlicht werden soll.")
        },
    )


class CorrectionForm(PortalForm):
    correction_note = forms.CharField(
        label=_("Grund der Korrektur"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Bitte den Grund der Korrektur angeben.")},
    )


class DeleteForm(PortalForm, VersionedForm):
    """Deleting a draft: the version the person saw, so a draft changed meanwhile is not
    deleted unseen (pass versioned=report)."""
