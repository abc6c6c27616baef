"""The legal pages of the installation (Impressum, Datenschutz, Barrierefreiheit): who may
edit them, the edit form and the write."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concept import roles
from concept.models import LegalPage

EDITABLE_FIELDS = [
    "title",
    "body",
    "contact_email",
    "contact_phone",
    "contact_address",
    "arbitration_text",
    "arbitration_url",
]
# The Schlichtungsstelle belongs to the accessibility statement only.
FIELDS_BY_KIND = {
    LegalPage.Kind.IMPRINT: EDITABLE_FIELDS[:5],
    LegalPage.Kind.PRIVACY: EDITABLE_FIELDS[:5],
    LegalPage.Kind.ACCESSIBILITY: EDITABLE_FIELDS,
}


def can_edit_legal_pages(user):
    return roles.is_administrator(user)


def check_legal_page_editor(user):
    if not can_edit_legal_pages(user):
        raise PermissionDenied(_("Diese Seiten pflegt die Administration."))


class LegalPageForm(forms.ModelForm):
    # The Stand the editor loaded; a save over someone else's newer one is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    arbitration_url = LegalPage._meta.get_field("arbitration_url").formfield(assume_scheme="https")

    class Meta:
        model = LegalPage
        fields = EDITABLE_FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "contact_address": forms.Textarea(attrs={"rows": 3}),
            "arbitration_text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        for name in set(EDITABLE_FIELDS) - set(FIELDS_BY_KIND[kind]):
            del self.fields[name]
        self.fields["seen"].initial = stamp(self.instance)
        if kind == LegalPage.Kind.ACCESSIBILITY:
            # The statement must name where people report barriers (BITV 2.0 § 7).
            self.fields["contact_email"].help_text = _(
                "Kontakt für Rückmeldungen zu Barrieren (Feedback-Mechanismus)."
            )

    def _post_clean(self):
        # The instance is changed only by the service.
        pass


class LegalPageConflict(ValidationError):
    def __init__(self, current):
        self.current = current
        super().__init__(
            _(
                "Die Seite wurde inzwischen von einer anderen Person geändert. Ihre Änderung "
                "wurde nicht gespeichert. Bitte prüfen Sie die aktuelle Fassung und speichern "
                "Sie erneut."
            )
        )


def stamp(page):
    return page.updated_at.isoformat() if page.pk and page.updated_at else ""


@transaction.atomic
def legal_page_save(*, kind: str, seen: str, **fields) -> LegalPage:
    """Create or change the page of this kind; refuse if it changed since `seen`."""
    page = LegalPage.objects.select_for_update().filter(kind=kind).first()
    if page is None:
        page = LegalPage(kind=kind)
    elif stamp(page) != seen:
        raise LegalPageConflict(page)
    for name in FIELDS_BY_KIND[kind]:
        if name in fields:
            setattr(page, name, (fields[name] or "").strip())
    page.full_clean()
    page.save()
    return page
