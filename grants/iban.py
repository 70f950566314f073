"""IBAN and BIC validation (pure: no database).

    iban = validate_iban(" fr76 3000 6000 0112 3456 7890 189 ")   # "FR7630006000011234567890189"
    bic = validate_bic("agrifrpp882", iban=iban)                  # "AGRIFRPP882"

An IBAN is checked for its characters, its country (one of `IBAN_FORMATS`), its length and the
structure of its national part in that country (ISO 13616 registry), and its check digits
(mod 97 == 1). A BIC (ISO 9362) has 8 or 11 characters: bank (4 letters), country (2 letters),
place (2 letters or digits), optionally branch (3 letters or digits); given with an IBAN, its country
must be the IBAN's, except that Monaco and the French overseas territories may bank with a French BIC.
Each refusal raises a `ValidationError` whose translated message says what is wrong.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The structure of the national part (BBAN) by country, from the ISO 13616 registry: `n` digits,
# `a` capital letters, `c` letters or digits, each with its count. The IBAN's length is 4 + the
# BBAN's. French overseas territories and collectivities use the French structure.
_FR = "5n5n11c2n"
IBAN_FORMATS = {
    "AD": "4n4n12c", "AE": "3n16n", "AL": "8n16c", "AT": "5n11n", "AZ": "4a20c", "BA": "3n3n8n2n",
    "BE": "3n7n2n", "BG": "4a4n2n8c", "BH": "4a14c", "BR": "8n5n10n1a1c", "BY": "4c4n16c", "CH": "5n12c",
    "CR": "4n14n", "CY": "3n5n16c", "CZ": "4n6n10n", "DE": "8n10n", "DK": "4n9n1n", "DO": "4c20n",
    "EE": "2n2n11n1n", "EG": "4n4n17n", "ES": "4n4n1n1n10n", "FI": "3n11n", "FO": "4n9n1n", "FR": _FR,
    "GB": "4a6n8n", "GE": "2a16n", "GI": "4a15c", "GL": "4n9n1n", "GR": "3n4n16c", "GT": "4c20c",
    "HR": "7n10n", "HU": "3n4n1n15n1n", "IE": "4a6n8n", "IL": "3n3n13n", "IQ": "4a3n12n", "IS": "4n2n6n10n",
    "IT": "1a5n5n12c", "JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c", "LB": "4n20c", "LC": "4a24c",
    "LI": "5n12c", "LT": "5n11n", "LU": "3n13c", "LV": "4a13c", "MC": _FR, "MD": "2c18c", "ME": "3n13n2n",
    "MK": "3n10c2n", "MR": "5n5n11n2n", "MT": "4a5n18c", "MU": "4a2n2n12n3n3a", "NL": "4a10n", "NO": "4n6n1n",
    "PK": "4a16c", "PL": "8n16n", "PS": "4a21c", "PT": "4n4n11n2n", "QA": "4a21c", "RO": "4a16c",
    "RS": "3n13n2n", "SA": "2n18c", "SC": "4a2n2n16n3a", "SE": "3n16n1n", "SI": "5n8n2n", "SK": "4n6n10n",
    "SM": "1a5n5n12c", "ST": "4n4n11n2n", "SV": "4a20n", "TL": "3n14n2n", "TN": "2n3n13n2n", "TR": "5n1n16c",
    "UA": "6n19c", "VA": "3n15n", "VG": "4a16n", "XK": "4n10n2n",
    # French overseas departments, territories and collectivities (IBANs sometimes written with their code).
    "BL": _FR, "GF": _FR, "GP": _FR, "MF": _FR, "MQ": _FR, "NC": _FR, "PF": _FR, "PM": _FR, "RE": _FR,
    "TF": _FR, "WF": _FR, "YT": _FR,
}

# Countries whose accounts may be held at a bank with a French BIC.
FRENCH_BIC_COUNTRIES = frozenset({"MC", "GP", "MQ", "RE", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF"})

_CLASSES = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_SEPARATORS = re.compile(r"[\s\-.\u00a0\u202f]+")


def _bban_pattern(spec: str) -> re.Pattern:
    return re.compile("".join(f"{_CLASSES[kind]}{{{count}}}" for count, kind in re.findall(r"(\d+)([nac])", spec)))


_BBAN_PATTERNS = {country: _bban_pattern(spec) for country, spec in IBAN_FORMATS.items()}
IBAN_LENGTHS = {country: 4 + sum(int(n) for n in re.findall(r"\d+", spec)) for country, spec in IBAN_FORMATS.items()}


def normalise_iban(value) -> str:
    """`value` without spaces, dashes or dots, in capitals, without a leading "IBAN" label."""
    text = _SEPARATORS.sub("", str(value or "")).upper()
    if text.startswith("IBAN"):
        text = text[4:].lstrip(":")
    return text


def format_iban(iban: str) -> str:
    """The IBAN in groups of four characters, as printed on a bank's details (RIB)."""
    iban = normalise_iban(iban)
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def iban_checksum_ok(iban: str) -> bool:
    """mod 97 of the IBAN rearranged (first four characters at the end, letters as 10–35) is 1."""
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def validate_iban(value) -> str:
    """The normalised IBAN, or a ValidationError saying what is wrong with it."""
    iban = normalise_iban(value)
    if not iban:
        raise ValidationError(_("Enter the IBAN of the account."), code="required")
    if not re.fullmatch(r"[A-Z0-9]+", iban):
        raise ValidationError(_("An IBAN has only letters and digits (spaces are allowed between groups)."),
                              code="characters")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}.*", iban):
        raise ValidationError(_("An IBAN starts with the two letters of its country and two check digits, "
                                "for example FR76."), code="start")
    country = iban[:2]
    if country not in IBAN_FORMATS:
        raise ValidationError(_("“%(country)s” is not the code of a country that uses IBANs: check the first two "
                                "letters.") % {"country": country}, code="country")
    expected = IBAN_LENGTHS[country]
    if len(iban) != expected:
        raise ValidationError(_("An IBAN of the country %(country)s has %(expected)d characters; this one has "
                                "%(length)d: a character is missing or there is one too many.")
                              % {"country": country, "expected": expected, "length": len(iban)}, code="length")
    if not _BBAN_PATTERNS[country].fullmatch(iban[4:]):
        raise ValidationError(_("This IBAN does not have the format of the country %(country)s: a letter stands "
                                "where a digit is expected, or the other way round.") % {"country": country},
                              code="format")
    if not iban_checksum_ok(iban):
        raise ValidationError(_("This IBAN is not valid: its check digits do not match the rest (a character is "
                                "probably mistyped)."), code="checksum")
    return iban


def normalise_bic(value) -> str:
    return _SEPARATORS.sub("", str(value or "")).upper()


def validate_bic(value, *, iban: str | None = None) -> str:
    """The normalised BIC, or a ValidationError saying what is wrong with it. With `iban` (a valid
    IBAN), the BIC's country must be the IBAN's (or French, for Monaco and the overseas territories)."""
    bic = normalise_bic(value)
    if not bic:
        raise ValidationError(_("Enter the BIC (SWIFT code) of the bank."), code="required")
    if len(bic) not in (8, 11):
        raise ValidationError(_("A BIC has 8 or 11 characters (for example AGRIFRPP or AGRIFRPP882); this one has "
                                "%(length)d.") % {"length": len(bic)}, code="length")
    if not _BIC.fullmatch(bic):
        raise ValidationError(_("A BIC is made of 4 letters (the bank), 2 letters (the country), 2 letters or digits "
                                "(the place) and, optionally, 3 letters or digits (the branch)."), code="format")
    if iban:
        iban_country, bic_country = normalise_iban(iban)[:2], bic[4:6]
        if bic_country != iban_country and not (bic_country == "FR" and iban_country in FRENCH_BIC_COUNTRIES):
            raise ValidationError(_("This BIC is of a bank in the country %(bic_country)s, but the IBAN is of the "
                                    "country %(iban_country)s: check that both are of the same account.")
                                  % {"bic_country": bic_country, "iban_country": iban_country}, code="country")
    return bic
