"""The upload of an outline file: the file read and checked, the slug, replacing."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from concept import formatting
from concept.forms import PortalForm
from reporting.outline.decode import MAX_UPLOAD_BYTES, decode_outline
from reporting.outline.issues import OutlineInvalid
from reporting.outline.write import outline_check

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class OutlineImportForm(PortalForm):
    """Upload of an outline file. Valid means: the file reads, the outline has no errors and
    the slug may be used; ``result`` then holds what would be created (nothing is written)."""

    file = forms.FileField(
        label=_("Gliederung (Textdatei)"),
        help_text=_(
            "Der Export der Mind Map als nummerierte Gliederung, z. B. „1. Ausgangslage“, "
            "„2.1. Strategisches Ziel 1: …“ – Textdatei (.txt, UTF-8), höchstens 1 MB."
        ),
        error_messages={
            "required": _("Bitte eine Datei mit der Gliederung auswählen."),
            "empty": _("Die Datei ist leer."),
        },
        widget=forms.FileInput(attrs={"accept": ".txt,text/plain"}),
    )
    slug = forms.CharField(
        label=_("Kurzname (URL)"),
        max_length=80,
        help_text=_(
            "Erscheint in der Adresse des Konzepts: Kleinbuchstaben ohne Umlaute, Ziffern und "
            "Bindestriche, keine Leerzeichen, z. B. lk-vechta-2025."
        ),
        error_messages={
            "required": _("Bitte einen Kurznamen angeben, z. B. lk-vechta-2025."),
        },
    )
    replace = forms.BooleanField(
        label=_("Bestehendes Konzept mit diesem Kurznamen ersetzen"),
        required=False,
        help_text=_(
            "Nur wenn es den Kurznamen schon gibt und Sie Mitglied dieses Konzepts sind. Das "
            "bisherige Konzept wird mit allem gelöscht, was dazugehört – auch Sachstände, "
            "Kennzahlwerte, Beschlüsse, Akteure und Netzwerke. Die Vorschau zeigt, was gelöscht "
            "würde."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.text = None
        self.notes = []
        self.outline_issues = []
        self.result = None

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not SLUG.fullmatch(slug):
            suggestion = re.sub(r"[-_]+", "-", slugify(slug)).strip("-")
            message = _(
                "Nur Kleinbuchstaben ohne Umlaute, Ziffern und Bindestriche, keine Leerzeichen."
            )
            if suggestion and suggestion != slug:
                message += " " + _("Vorschlag: %(suggestion)s") % {"suggestion": suggestion}
            raise ValidationError(message, code="invalid")
        return slug

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Die Datei ist %(size)s KB groß; erlaubt ist höchstens 1 MB (1.024 KB)."),
                params={"size": formatting.number(upload.size // 1024)},
                code="too_large",
            )
        try:
            self.text, self.notes = decode_outline(upload.read())
        except OutlineInvalid as exc:
            raise ValidationError([str(issue) for issue in exc.issues]) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.text is None:
            return cleaned
        # Check the outline even when the slug is invalid, so every error shows at once.
        slug = cleaned.get("slug") or self.data.get("slug", "")
        try:
            self.result = outline_check(
                text=self.text,
                slug=slug,
                replace=cleaned.get("replace", False),
                user=self.user,
                notes=self.notes,
            )
        except OutlineInvalid as exc:
            for issue in exc.issues:
                if issue.field:
                    if issue.field not in self.errors:
                        self.add_error(issue.field, issue.message)
                else:
                    self.outline_issues.append(issue)
            if self.outline_issues:
                count = len(self.outline_issues)
                self.add_error(
                    "file",
                    ngettext(
                        "Die Gliederung enthält %(count)d Fehler – siehe Fehlerliste oben.",
                        "Die Gliederung enthält %(count)d Fehler – siehe Fehlerliste oben.",
                        count,
                    )
                    % {"count": count},
                )
        return cleaned
