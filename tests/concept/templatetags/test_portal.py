import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


def test_scroll_box_wraps_a_table_in_a_labelled_focusable_region():
    html = render(
        "{% scroll_box label %}<table><caption>Akteure</caption></table>{% endscroll_box %}",
        label="Akteure",
    )
    assert '<div class="portal-scroll" role="region" aria-label="Akteure" tabindex="0">' in html
    assert "<table><caption>Akteure</caption></table></div>" in html
    assert 'class="portal-scroll__hint" aria-hidden="true">Tabelle seitlich scrollen' in html


def test_scroll_box_escapes_its_label():
    html = render("{% scroll_box label %}{% endscroll_box %}", label='Bau & "Wohnen"')
    assert 'aria-label="Bau &amp; &quot;Wohnen&quot;"' in html


def test_scroll_box_needs_exactly_one_label():
    with pytest.raises(TemplateSyntaxError, match="the box's label"):
        render("{% scroll_box %}<table></table>{% endscroll_box %}")
