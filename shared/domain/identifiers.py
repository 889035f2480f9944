"""Validators of the identifiers the domain receives (domain §2): pure, returning booleans."""

import re
from datetime import date

from shared.domain.limits import PERSON_MAX_AGE, PERSON_MIN_AGE, SENIOR_AGE, YOUNG_AGE_LIMIT
from shared.domain.territories import DEPARTMENT_REGION

# La Poste's establishments share SIREN 356000000 and break the Luhn rule (INSEE exception).
LA_POSTE_SIREN = "356000000"
_ROME_CODE = re.compile(r"[A-N][0-9]{4}")
_NIR_SHAPE = re.compile(r"[1-478][0-9]{4}([0-9]{2}|2A|2B)[0-9]{8}")
_NIR_MONTHS = {*range(1, 13), *range(20, 43), *range(50, 100)}
# NIR sex digit: odd for men (1, 3, 7), even for women (2, 4, 8).
_NIR_SEX_DIGITS = {"M": "137", "F": "248"}


def normalize_digits(value: str) -> str:
    """Identifier without the spaces people type to read it (SIRET, NIR); upper-cased for 2A/2B."""
    return value.replace(" ", "").upper()


def luhn_ok(digits: str) -> bool:
    """Luhn checksum, used by INSEE for SIREN and SIRET."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_valid_siren(value: str) -> bool:
    """A SIREN is 9 digits with a valid Luhn key."""
    return len(value) == 9 and value.isascii() and value.isdigit() and luhn_ok(value)


def is_valid_siret(value: str) -> bool:
    """14 digits with a valid Luhn key, or a La Poste SIRET whose digit sum is a multiple of 5."""
    if len(value) != 14 or not (value.isascii() and value.isdigit()):
        return False
    if luhn_ok(value):
        return True
    return value.startswith(LA_POSTE_SIREN) and sum(map(int, value)) % 5 == 0


def nir_key(nir13: str) -> int:
    """NIR control key: 97 - (number mod 97), Corsica's 2A and 2B read as 19 and 18."""
    number = int(nir13.replace("2A", "19").replace("2B", "18"))
    return 97 - number % 97


def is_valid_nir(value: str, birth_date: date | None = None, sex: str | None = None) -> bool:
    """A NIR has a known sex digit, a valid month, a valid key, and agrees with what we know."""
    if not _NIR_SHAPE.fullmatch(value) or int(value[3:5]) not in _NIR_MONTHS:
        return False
    if nir_key(value[:13]) != int(value[13:]):
        return False
    return _nir_matches_birth(value, birth_date) and _nir_matches_sex(value, sex)


def _nir_matches_birth(nir: str, birth_date: date | None) -> bool:
    """Year digits must match the birth year; the month too when the NIR's month is a real one."""
    if birth_date is None:
        return True
    month = int(nir[3:5])
    year_ok = int(nir[1:3]) == birth_date.year % 100
    return year_ok and (month > 12 or month == birth_date.month)


def _nir_matches_sex(nir: str, sex: str | None) -> bool:
    """The sex digit must agree with the declared sex."""
    return sex is None or nir[0] in _NIR_SEX_DIGITS.get(sex, "")


def is_valid_pass_number(value: str) -> bool:
    """12 alphanumeric characters, as Les emplois de l'inclusion accepts them: 99999 + 7 digits
    for a current PASS IAE, an agency code (which may hold letters) for older agréments."""
    return len(value) == 12 and value.isascii() and value.isalnum()


def is_valid_department(code: str) -> bool:
    """01-95 without 20, 2A, 2B, and 971-974 and 976: the 101 départements (INSEE)."""
    return code in DEPARTMENT_REGION


def region_of(department: str) -> str | None:
    """INSEE region code of a département; None when the département is unknown."""
    return DEPARTMENT_REGION.get(department)


def is_valid_rome_code(code: str) -> bool:
    """A ROME code is one letter A-N and 4 digits (e.g. K2204)."""
    return _ROME_CODE.fullmatch(code) is not None


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on a date."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def age_band(birth_date: date, on: date) -> str:
    """Age band kept in statistics: under_26, 26_49 or 50_plus."""
    age = age_on(birth_date, on)
    if age < YOUNG_AGE_LIMIT:
        return "under_26"
    return "26_49" if age < SENIOR_AGE else "50_plus"


def is_valid_birth_date(birth_date: date, today: date) -> bool:
    """A person is aged at least 16 and under 100 (domain §2)."""
    return PERSON_MIN_AGE <= age_on(birth_date, today) < PERSON_MAX_AGE


EMAIL_MAX_CHARS = 254  # RFC 5321's longest path, less its angle brackets
# Python's whitespace (`\s`, what `str.strip` removes), spelled out so that a published JSON
# Schema pattern, whose `\s` is JavaScript's, means the same.
SPACES = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
EMAIL_PATTERN = rf"[^@{SPACES}]+@[^@{SPACES}.]+(\.[^@{SPACES}.]+)+"
_EMAIL = re.compile(EMAIL_PATTERN)


def normalize_email(value: str) -> str:
    """A staff member's e-mail as accounts are matched by: trimmed and wholly lower-cased.
    Identity providers deliver an address with the case it was typed with, and no French
    administration or company tells two mailboxes apart by case alone."""
    return value.strip().lower()


def is_valid_email(value: str) -> bool:
    """One `@`, a local part and a dotted domain, no spaces, at most 254 characters."""
    return len(value) <= EMAIL_MAX_CHARS and _EMAIL.fullmatch(value) is not None
