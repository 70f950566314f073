from django import template

from joinforces.core import formats, uploads

register = template.Library()


@register.filter
def download_url(obj, field_name):
    """`{{ attachment|download_url:"file" }}`: the access-checked download link of a file field."""
    return uploads.download_url(obj, field_name)


@register.filter
def progress_step(value):
    """A percentage rounded down to the step of the `w-progress-N` classes (no inline styles)."""
    try:
        return max(0, min(100, int(value) // 5 * 5))
    except (TypeError, ValueError):
        return 0


@register.filter
def euros(value):
    """An amount in euros in the active language's format: "12 500,00 €" in French, "€12,500.00" in English."""
    return formats.euros(value)
