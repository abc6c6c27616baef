from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select, SelectMultiple
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value, decimals=2):
    """A number as Germans write it: 20.714 · 12,5 – no trailing zeros, grouped thousands."""
    if value in (None, ""):
        return ""
    places = int(decimals)
    # Round half up as people do; number_format alone would cut the digits off.
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return number_format(int(value), 0, use_l10n=True, force_grouping=True)
    text = number_format(value, places, use_l10n=True, force_grouping=True)
    return text.rstrip("0").rstrip(",") if "," in text else text


@register.filter
def money(value):
    """An amount in euros as Germans write it: 1.250,50 € – always two decimals and grouped
    thousands (num drops trailing zeros, right for counts and rates, not for money)."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number_format(amount, 2, use_l10n=True, force_grouping=True) + "\u00a0€"


@register.filter
def is_checkbox_list(field):
    return isinstance(field.field.widget, CheckboxSelectMultiple)


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, CheckboxInput)


@register.filter
def is_select(field):
    widget = field.field.widget
    return isinstance(widget, Select | SelectMultiple) and not isinstance(
        widget, CheckboxSelectMultiple
    )


@register.simple_tag(takes_context=True)
def url_with(context, **changes):
    """The current query string with some parameters replaced (for sort and page links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


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


@register.filter
def overdue_on(measure, today):
    """For a measure annotated with last_entry_date: is a Sachstand overdue today?"""
    return measure.is_overdue(measure.last_entry_date, today)
