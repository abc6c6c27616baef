"""Template helpers of the dashboards."""

from urllib.parse import quote

from django import template
from django.urls import NoReverseMatch, reverse

from measures import filters
from measures.vocabulary import short_label_of
from reporting.dashboard import charts

register = template.Library()


@register.simple_tag
def measure_url(concept, measure):
    """The measure page /konzepte/<slug>/massnahmen/<label>/ of a measure (or of anything
    naming one by its label, such as a status change)."""
    key = measure.label
    try:
        return reverse("measures:detail", kwargs={"slug": concept.slug, "key": key})
    except NoReverseMatch:
        base = reverse("concept:detail", kwargs={"slug": concept.slug})
        return f"{base}massnahmen/{quote(key, safe='')}/"


@register.simple_tag
def goal_url(concept, number, sub_goal=None):
    """The goal page, or one Teilziel on it."""
    url = reverse("reporting:goal_detail", kwargs={"slug": concept.slug, "number": number})
    return f"{url}#teilziel-{sub_goal}" if sub_goal else url


@register.simple_tag
def measures_url(concept, **params):
    """The measure list filtered to the measures a count on the page counts."""
    return filters.list_url(concept, **params)


@register.simple_tag
def progress_bar(value, width=120):
    """A decorative progress bar, for use beside the number it shows."""
    return charts.progress_bar(value=value, decorative=True, width=width)


@register.filter
def short_label(label):
    """ "grün – im Plan" → "grün": the Ampel's colour word, where the legend explains it."""
    return short_label_of(label)
