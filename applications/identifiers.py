"""French identifiers of organisations: SIREN (9 digits, Luhn) and RNA (W + 9 characters).

RNA numbers are "W" followed by nine characters. The official wording says "W and nine digits",
which holds in metropolitan France, but the first three characters are the code of the registry
(greffe) that took the declaration — the département and a sub-prefecture digit: "751" for Paris,
"595" for Lille — and that code has a letter in Corsica ("2A", "2B") and in the overseas
départements ("9A"…, "9R" for La Réunion…). Data.gouv's own detector of the RNA files reads legacy
registry codes as a digit, a digit or letter, a digit; we accept the same shape: W, a digit, a digit
or capital letter, then seven digits. Spaces, dots and dashes typed inside are ignored. Pure functions.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SIREN_RE = re.compile(r"^\d{9}$")
# W + registry code (digit, digit or letter) + 7 digits: W751234567, W2A1234567, W9R1234567.
RNA_RE = re.compile(r"^W\d[0-9A-Z]\d{7}$")


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
