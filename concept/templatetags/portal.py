import datetime as dt

from django import template
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select, SelectMultiple
from django.template.loader import render_to_string

from concept import formatting

register = template.Library()


@register.filter
def num(value, decimals=2):
    """A number as Germans write it: 20.714 · 12,5 – no trailing zeros, grouped thousands,
    rounded half up (concept.formatting.number)."""
    return formatting.number(value, int(decimals))


@register.filter
def percent(value, decimals=0):
    """A share in per cent: 83 % · 12,5 % (concept.formatting.percent)."""
    return formatting.percent(value, int(decimals))


@register.filter
def points(value, decimals=2):
    """A change of a share: +3 Prozentpunkte (concept.formatting.points)."""
    return formatting.points(value, int(decimals))


@register.filter
def signed(value, decimals=2):
    """A change with its sign: +3 · -1,5 (concept.formatting.signed)."""
    return formatting.signed(value, int(decimals))


@register.filter
def money(value):
    """An amount in euros: 1.250,50 € (concept.formatting.money)."""
    return formatting.money(value)


@register.filter
def de_date(value):
    """A day: 31.12.2025 (concept.formatting.date)."""
    return formatting.date(value) if isinstance(value, dt.date) else ""


@register.filter
def de_datetime(value):
    """A moment in local time: 31.12.2025, 14:30 (concept.formatting.datetime)."""
    return formatting.datetime(value) if isinstance(value, dt.date) else ""


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


@register.filter
def error_summary(form):
    """The entries of a form's error summary, in the order of the form: (target id, label,
    messages) per field with errors, then (None, None, messages) for errors of the whole
    form. The id is the control that takes the focus: the field's input, or a checkbox
    list's first box."""
    if not form.errors:
        return []
    entries = []
    for field in form:
        if not field.errors:
            continue
        if field.is_hidden:
            entries.append((None, None, list(field.errors)))
            continue
        target = field.id_for_label
        if not target and field.subwidgets:
            target = field.subwidgets[0].id_for_label
        entries.append((target or None, field.label, list(field.errors)))
    for message in form.non_field_errors():
        entries.append((None, None, [message]))
    return entries


@register.tag
def scroll_box(parser, token):
    """`{% scroll_box label %}<table>…</table>{% endscroll_box %}`: a wide table scrolls
    sideways in its own labelled, focusable box instead of widening the page."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("scroll_box takes one argument, the box's label")
    nodelist = parser.parse(("endscroll_box",))
    parser.delete_first_token()
    return ScrollBoxNode(parser.compile_filter(bits[1]), nodelist)


class ScrollBoxNode(template.Node):
    def __init__(self, label, nodelist):
        self.label = label
        self.nodelist = nodelist

    def render(self, context):
        return scroll_box_html(self.label.resolve(context), self.nodelist.render(context))


def scroll_box_html(label, content):
    """The scroll box around already rendered (safe) content, for code that builds HTML."""
    return render_to_string("components/_scroll_box.html", {"label": label, "content": content})
