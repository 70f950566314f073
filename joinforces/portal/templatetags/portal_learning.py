from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def annual_report_form_for(form=None):
    """The annual report form of the page, or a fresh one for this year (on the staff home)."""
    from joinforces.portal.annual_report import AnnualReportForm

    return form or AnnualReportForm(initial={"year": timezone.localdate().year, "language": "fr"})
