"""Formatting shared by templates (the `euros` filter) and Python code (`__str__`, messages)."""

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import get_language


def euros(value) -> str:
    """An amount in euros in the active language's format: "12 500,00 €" in French, "€12,500.00" in English."""
    try:
        amount = Decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        return ""
    text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"€{text}" if (get_language() or "fr").startswith("en") else f"{text}\u00a0€"
