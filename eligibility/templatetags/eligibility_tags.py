from django import template

from eligibility.models import Criterion

register = template.Library()


@register.filter
def criterion_label(code):
    return Criterion(code).label if code in Criterion.values else code
