from decimal import Decimal

from django import template
from django.forms import CheckboxInput, RadioSelect, Select, SelectMultiple
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value, decimals=2):
    """A number as Germans write it: 20.714 · 12,5 – no trailing zeros, grouped thousands."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(int(value), 0, use_l10n=True, force_grouping=True)
    text = number_format(value, int(decimals), use_l10n=True, force_grouping=True)
    return text.rstrip("0").rstrip(",") if "," in text else text


@register.filter
def kern_widget(field):
    """Render a bound field's widget with KERN classes and accessible descriptions."""
    widget = field.field.widget
    if isinstance(widget, CheckboxInput | RadioSelect):
        css = "kern-form-check__checkbox"
    elif isinstance(widget, Select | SelectMultiple):
        css = "kern-form-input__select"
    else:
        css = "kern-form-input__input"
    if field.errors:
        css += f" {css}--error"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
