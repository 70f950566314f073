"""French identifiers of organisations: SIREN (9 digits, Luhn) and RNA (W + 9 characters).

RNA numbers are "W" followed by nine characters: the first three name the prefecture that
registered the association — a département number ("75", "13"…), with "2A"/"2B" for Corsica, or
three digits for the overseas départements (971–976) — then the rest are digits. Pure functions.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SIREN_RE = re.compile(r"^\d{9}$")
# W + (2-digit département or 2A/2B) + 7 digits, or W + 3-digit overseas code (97x) + 6 digits.
RNA_RE = re.compile(r"^W(?:(?:0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{7}|9[78]\d{7})$")


def normalise_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", (value or "").strip()).upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def is_siren(value: str) -> bool:
    return bool(SIREN_RE.match(value)) and luhn_valid(value)


def is_rna(value: str) -> bool:
    return bool(RNA_RE.match(value))


def validate_identifier(value: str) -> None:
    value = normalise_identifier(value)
    if value.startswith("W"):
        if not is_rna(value):
            raise ValidationError(
                _("“%(value)s” is not a valid RNA number: W followed by nine characters (e.g. W751234567)."),
                code="rna", params={"value": value},
            )
    elif SIREN_RE.match(value):
        if not luhn_valid(value):
            raise ValidationError(
                _("“%(value)s” is not a valid SIREN number: its check digit is wrong. Please check it."),
                code="siren_luhn", params={"value": value},
            )
    else:
        raise ValidationError(
            _("Enter a SIREN number (9 digits) or an RNA number (W followed by 9 characters)."),
            code="identifier",
        )
