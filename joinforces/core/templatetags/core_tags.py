from django import template

from joinforces.core import uploads

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
    from decimal import Decimal, InvalidOperation

    from django.utils.formats import number_format
    from django.utils.translation import get_language

    try:
        amount = Decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        return ""
    text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"€{text}" if (get_language() or "fr").startswith("en") else f"{text}\u00a0€"
