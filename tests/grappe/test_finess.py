"""FINESS number validation (grappe/finess.py) against every real number of the shared extract."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from grappe.finess import check_finess, expected_key, luhn_checksum, validate_finess


def finess_data_dir():
    # The CI clone has ../shared beside the repository; the development machine has /work/shared.
    beside = Path(__file__).resolve().parents[3] / "shared" / "data" / "finess"
    return beside if beside.is_dir() else Path("/work/shared/data/finess")


EXTRACT = finess_data_dir() / "etalab-cs1100502-extrait-20260512.csv"
REAL_NUMBERS = sorted(
    set(re.findall(r"\b[0-9][0-9AB][0-9]{7}\b", EXTRACT.read_text(encoding="utf-8")))
)


def corsican(prefix, key_ok):
    """A 2A/2B number whose key passes (or not) Luhn with the letter read as 0."""
    body = "012345"
    key = expected_key("20" + body)
    if not key_ok:
        key = str((int(key) + 1) % 10)
    return f"{prefix}{body}{key}"


def test_the_extract_gives_enough_real_numbers():
    assert len(REAL_NUMBERS) >= 25, REAL_NUMBERS
    # ET and EJ of mainland and overseas (97x, 98x) establishments
    assert "010000024" in REAL_NUMBERS
    assert "980600027" in REAL_NUMBERS
    assert "590799730" in REAL_NUMBERS


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_every_real_number_is_valid(number):
    result = check_finess(number)
    assert result.ok, result.error
    assert result.error == ""
    assert result.warning == ""
    assert result.number == number
    assert luhn_checksum(number) == 0
    validate_finess(number)


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_every_single_digit_change_fails_the_key(number):
    for position, original in enumerate(number):
        for digit in "0123456789":
            if digit == original:
                continue
            variant = number[:position] + digit + number[position + 1 :]
            result = check_finess(variant)
            assert not result.ok, variant
            assert result.error.startswith("Clé de contrôle incorrecte"), variant
            with pytest.raises(ValidationError):
                validate_finess(variant)


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_a_wrong_key_message_gives_the_expected_key(number):
    wrong = number[:8] + str((int(number[8]) + 1) % 10)
    assert check_finess(wrong).error == (
        "Clé de contrôle incorrecte : avec ces 8 premiers chiffres, le 9e devrait être "
        f"{number[8]}. Vérifiez le numéro saisi."
    )


@pytest.mark.parametrize(
    ("value", "count"),
    [("01000002", 8), ("0100000244", 10), ("1", 1), ("9806000270", 10)],
)
def test_wrong_length(value, count):
    assert check_finess(value).error == (
        f"Un numéro FINESS comporte 9 caractères ({count} saisis)."
    )


@pytest.mark.parametrize(
    "value", ["A10000024", "01000002A", "0100B0024", "97010201X", "9801A1506", "01000_024"]
)
def test_letters_outside_the_second_position_are_refused(value):
    assert check_finess(value).error == (
        "Caractères invalides : un numéro FINESS ne contient que des chiffres, "
        "sauf le 2e caractère qui peut être A ou B (Corse, 2A/2B)."
    )


def test_empty_number():
    assert check_finess("").error == "Saisissez un numéro FINESS."
    assert check_finess(None).error == "Saisissez un numéro FINESS."
    assert check_finess(" . - ").error == "Saisissez un numéro FINESS."


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        (" 010000024 ", "010000024"),
        ("01 000 0024", "010000024"),
        ("01.000.00.24", "010000024"),
        ("980-600-027", "980600027"),
        ("\t970302287\n", "970302287"),
    ],
)
def test_spaces_dots_and_dashes_are_normalised(typed, number):
    result = check_finess(typed)
    assert result.ok
    assert result.number == number


def test_lowercase_is_normalised():
    number = corsican("2A", key_ok=True)
    result = check_finess(number.lower())
    assert result.ok
    assert result.number == number


@pytest.mark.parametrize("prefix", ["2A", "2B"])
def test_corsican_number_passing_the_key_has_no_warning(prefix):
    result = check_finess(corsican(prefix, key_ok=True))
    assert result.ok
    assert result.warning == ""


@pytest.mark.parametrize("prefix", ["2A", "2B"])
def test_corsican_number_failing_the_key_is_accepted_with_a_warning(prefix):
    number = corsican(prefix, key_ok=False)
    result = check_finess(number)
    assert result.ok
    assert result.error == ""
    assert result.warning == (
        "Clé de contrôle non vérifiable pour un numéro corse (2A/2B) : "
        "vérifiez le numéro sur finess.esante.gouv.fr."
    )
    validate_finess(number)  # a warning does not make the validator raise


@pytest.mark.parametrize("value", ["3A0123456", "9A0123456", "1B0000000", "2C0123456"])
def test_only_corsica_has_a_letter_in_second_position(value):
    result = check_finess(value)
    assert not result.ok
    assert result.error == "Seuls les départements corses 2A et 2B ont une lettre en 2e position."


def test_validator_error_code():
    with pytest.raises(ValidationError) as error:
        validate_finess("010000025")
    assert error.value.code == "finess"
    assert "Clé de contrôle incorrecte" in error.value.messages[0]


def test_expected_key_completes_any_body():
    for body in ["01000002", "98060002", "59000000", "20012345"]:
        assert luhn_checksum(body + expected_key(body)) == 0
