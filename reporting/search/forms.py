from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.search.query import MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Suchbegriff"),
        max_length=MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _(
                "Suchbegriff: Bitte höchstens %(limit_value)d Zeichen eingeben "
                "(eingegeben: %(show_value)d)."
            )
        },
        widget=forms.TextInput(attrs={"type": "search"}),
    )
