"""FINESS numbers: format and check key.

A FINESS number has 9 characters, `[0-9][0-9A-Z][0-9]{7}`: only the 2nd may be a letter (2A/2B,
Corsica). The 9th is a check key: every real number we could find passes the Luhn algorithm over
the 9 digits (DOMAIN.md §3). No real Corsican number was found, so a 2A/2B number whose key does
not check is accepted with a warning rather than rejected.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

FINESS_PATTERN = re.compile(r"[0-9][0-9A-Z][0-9]{7}")


@dataclass(frozen=True)
class FinessCheck:
    number: str
    error: str = ""
    warning: str = ""

    @property
    def ok(self):
        return not self.error


def normalize_finess(value):
    return re.sub(r"[\s.\-]", "", str(value or "")).upper()


def luhn_checksum(digits):
    """Luhn sum of a string of digits; a number is valid when the sum is a multiple of 10."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10


def expected_key(first_eight):
    """The 9th digit that makes `first_eight + key` pass Luhn."""
    for key in range(10):
        if luhn_checksum(first_eight + str(key)) == 0:
            return str(key)
    raise AssertionError("unreachable: one key always exists")  # pragma: no cover


def check_finess(value):
    number = normalize_finess(value)
    if not number:
        return FinessCheck(number, error="Saisissez un numéro FINESS.")
    if len(number) != 9:
        return FinessCheck(
            number,
            error=f"Un numéro FINESS comporte 9 caractères ({len(number)} saisis).",
        )
    if not FINESS_PATTERN.fullmatch(number):
        return FinessCheck(
            number,
            error=(
                "Caractères invalides : un numéro FINESS ne contient que des chiffres, "
                "sauf le 2e caractère qui peut être A ou B (Corse, 2A/2B)."
            ),
        )
    if number[1].isalpha():
        if number[:2] not in {"2A", "2B"}:
            return FinessCheck(
                number,
                error="Seuls les départements corses 2A et 2B ont une lettre en 2e position.",
            )
        # Corsica: the key rule is unverified on real data, so a failing key only warns.
        if luhn_checksum("20" + number[2:]) != 0:
            return FinessCheck(
                number,
                warning=(
                    "Clé de contrôle non vérifiable pour un numéro corse (2A/2B) : "
                    "vérifiez le numéro sur finess.esante.gouv.fr."
                ),
            )
        return FinessCheck(number)
    if luhn_checksum(number) != 0:
        return FinessCheck(
            number,
            error=(
                f"Clé de contrôle incorrecte : avec ces 8 premiers chiffres, le 9e devrait être "
                f"{expected_key(number[:8])}. Vérifiez le numéro saisi."
            ),
        )
    return FinessCheck(number)


def validate_finess(value):
    """Model/form validator: raises on errors, lets warnings through (forms show them)."""
    result = check_finess(value)
    if result.error:
        raise ValidationError(result.error, code="finess")
