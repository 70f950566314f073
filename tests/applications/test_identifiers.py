"""SIREN (9 digits, Luhn) and RNA (W + registry code + 7 digits) identifiers."""

import pytest
from django.core.exceptions import ValidationError

from applications.identifiers import is_rna, is_siren, luhn_valid, normalise_identifier, validate_identifier


@pytest.mark.parametrize("value", ["732829320", "552100554", "443061841"])
def test_luhn_valid_sirens_pass(value):
    assert is_siren(value)
    validate_identifier(value)


@pytest.mark.parametrize("value", ["732829321", "123456789", "552100555"])
def test_a_wrong_check_digit_is_refused(value):
    assert not luhn_valid(value)
    with pytest.raises(ValidationError) as error:
        validate_identifier(value)
    assert error.value.code == "siren_luhn"


@pytest.mark.parametrize("value", [
    "W751234567",   # Paris
    "W595012481",   # Nord (Lille)
    "W2A1234567",   # Corse-du-Sud
    "W2B1002345",   # Haute-Corse
    "W9R1004567",   # La Réunion: registry codes with a letter overseas
    "W9M2001234",
    "W971234567",   # overseas registry written with digits only
])
def test_rna_numbers_of_every_registry_pass(value):
    assert is_rna(value)
    validate_identifier(value)


@pytest.mark.parametrize("value", ["W12", "W7512345678", "WA51234567", "W75123456X", "W2AB123456", "w", "X751234567"])
def test_malformed_rna_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_identifier(value)


@pytest.mark.parametrize("value", ["", "12345678", "1234567890", "ABCDEFGHI", "73282932"])
def test_other_values_are_refused(value):
    with pytest.raises(ValidationError):
        validate_identifier(value)


@pytest.mark.parametrize("typed, clean", [
    ("732 829 320", "732829320"),
    ("732.829.320", "732829320"),
    (" w75-123-4567 ", "W751234567"),
])
def test_spaces_dots_and_dashes_are_tolerated(typed, clean):
    assert normalise_identifier(typed) == clean
    validate_identifier(typed)
