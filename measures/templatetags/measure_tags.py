from django import template

from measures.models import overdue_rule as rule_text

register = template.Library()


@register.simple_tag
def overdue_rule():
    """The rule behind "überfällig" (measures.models.overdue_rule), beside a count or mark."""
    return rule_text()
