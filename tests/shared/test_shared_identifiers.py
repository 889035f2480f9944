from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.identifiers import (
    age_band,
    age_on,
    is_valid_birth_date,
    is_valid_department,
    is_valid_email,
    is_valid_nir,
    is_valid_pass_number,
    is_valid_rome_code,
    is_valid_siren,
    is_valid_siret,
    luhn_ok,
    nir_key,
    normalize_digits,
    normalize_email,
    region_of,
)


def with_luhn_key(body: str) -> str:
    """Append the digit that makes the Luhn checksum valid."""
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def nir(body13: str) -> str:
    """A NIR with its correct key."""
    return body13 + f"{nir_key(body13):02d}"


@pytest.mark.parametrize("siret", ["73282932000074", "35600000049837"])
def test_known_sirets_are_valid(siret):
    assert is_valid_siret(siret)


@pytest.mark.parametrize(
    "siret", ["73282932000075", "7328293200007", "732829320000741", "7328293200007A", ""]
)
def test_a_siret_with_a_wrong_key_or_length_is_invalid(siret):
    assert not is_valid_siret(siret)


def test_a_la_poste_siret_is_valid_when_its_digit_sum_is_a_multiple_of_five():
    assert not luhn_ok("35600000049837")
    assert is_valid_siret("35600000049837")
    assert not is_valid_siret("35600000049838")


def test_the_la_poste_exception_does_not_apply_to_other_sirens():
    assert sum(map(int, "12345678900005")) % 5 == 0
    assert not luhn_ok("12345678900005")
    assert not is_valid_siret("12345678900005")


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_any_13_digits_with_their_luhn_key_make_a_valid_siret(body):
    assert is_valid_siret(with_luhn_key(body))


def test_a_siren_is_nine_digits_with_a_luhn_key():
    assert is_valid_siren("732829320")
    assert not is_valid_siren("732829321")
    assert not is_valid_siren("73282932")


def test_non_ascii_digits_are_refused():
    assert not is_valid_siret("٧٣٢٨٢٩٣٢٠٠٠٠٧٤")


def test_a_nir_with_its_computed_key_is_valid():
    assert is_valid_nir(nir("1850575123456"))


def test_a_nir_with_a_wrong_key_is_invalid():
    body = "1850575123456"
    wrong = (nir_key(body) % 97) + 1
    assert not is_valid_nir(body + f"{wrong:02d}")


def test_a_corsican_nir_reads_2a_as_19_for_its_key():
    body = "290052A123456"
    assert nir_key(body) == 97 - int("2900519123456") % 97
    assert is_valid_nir(nir(body))


def test_a_corsican_nir_reads_2b_as_18_for_its_key():
    assert nir_key("190052B123456") == 97 - int("1900518123456") % 97
    assert is_valid_nir(nir("190052B123456"))


@pytest.mark.parametrize("sex_digit", ["0", "5", "6", "9"])
def test_a_nir_with_an_unknown_sex_digit_is_invalid(sex_digit):
    assert not is_valid_nir(nir(sex_digit + "850575123456"))


@pytest.mark.parametrize("month", ["00", "13", "19", "43", "49"])
def test_a_nir_with_an_impossible_month_is_invalid(month):
    assert not is_valid_nir(nir(f"185{month}75123456"))


@pytest.mark.parametrize("month", ["20", "42", "50", "99"])
def test_a_nir_may_carry_a_conventional_month(month):
    assert is_valid_nir(nir(f"185{month}75123456"))


def test_a_nir_must_agree_with_the_birth_date():
    value = nir("1850575123456")
    assert is_valid_nir(value, birth_date=date(1985, 5, 12))
    assert not is_valid_nir(value, birth_date=date(1985, 6, 12))
    assert not is_valid_nir(value, birth_date=date(1986, 5, 12))


def test_a_nir_must_agree_with_the_declared_sex():
    man, woman = nir("1850575123456"), nir("2850575123456")
    assert is_valid_nir(man, sex="M") and not is_valid_nir(man, sex="F")
    assert is_valid_nir(woman, sex="F") and not is_valid_nir(woman, sex="M")


def test_a_temporary_nir_number_carries_sex_digit_7_or_8():
    assert is_valid_nir(nir("7850575123456"), sex="M")
    assert is_valid_nir(nir("8850575123456"), sex="F")


def test_spaces_typed_in_a_nir_are_removed_before_validation():
    assert normalize_digits("1 85 05 2a 123 456 78") == "18505" + "2A12345678"


# Twelve alphanumeric characters (docs/domain.md §2): an older agrément's agency code may hold
# letters, which used to be refused ("99999A234567", "13A012112345").
@pytest.mark.parametrize(
    "number", ["999991234567", "999992112345", "130012112345", "99999A234567", "13A012112345"]
)
def test_a_pass_number_is_twelve_letters_or_digits(number):
    assert is_valid_pass_number(number)


@pytest.mark.parametrize("number", ["99999123456", "9999912345678", "99999-234567", "99999é234567"])
def test_a_pass_number_of_another_shape_is_invalid(number):
    assert not is_valid_pass_number(number)


@pytest.mark.parametrize("code", ["01", "2A", "2B", "95", "971", "976"])
def test_real_departements_are_valid(code):
    assert is_valid_department(code)


@pytest.mark.parametrize("code", ["00", "20", "96", "970", "977", "1", "2C"])
def test_codes_that_are_not_departements_are_invalid(code):
    assert not is_valid_department(code)


def test_each_departement_maps_to_its_insee_region():
    assert region_of("29") == "53"
    assert region_of("2A") == "94"
    assert region_of("974") == "04"
    assert region_of("75") == "11"
    assert region_of("20") is None


def test_a_rome_code_is_a_letter_from_a_to_n_and_four_digits():
    assert is_valid_rome_code("K2204")
    assert not is_valid_rome_code("O1234")
    assert not is_valid_rome_code("K220")
    assert not is_valid_rome_code("k2204")


def test_age_counts_completed_years():
    assert age_on(date(2000, 6, 15), date(2026, 6, 14)) == 25
    assert age_on(date(2000, 6, 15), date(2026, 6, 15)) == 26


def test_age_bands_split_at_26_and_50():
    assert age_band(date(2000, 6, 15), date(2026, 6, 14)) == "under_26"
    assert age_band(date(2000, 6, 15), date(2026, 6, 15)) == "26_49"
    assert age_band(date(1976, 6, 15), date(2026, 6, 15)) == "50_plus"


def test_a_birth_date_gives_an_age_of_at_least_16_and_under_100():
    today = date(2026, 1, 5)
    assert is_valid_birth_date(date(2010, 1, 5), today)
    assert not is_valid_birth_date(date(2010, 1, 6), today)
    assert not is_valid_birth_date(date(1926, 1, 5), today)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  Claire.Dupont@Chantier-Du-Port.FR ", "claire.dupont@chantier-du-port.fr"),
        ("agent@ddets-35.gouv.fr", "agent@ddets-35.gouv.fr"),
    ],
)
def test_a_staff_email_is_trimmed_and_lower_cased(raw, normalised):
    assert normalize_email(raw) == normalised
    assert is_valid_email(normalize_email(raw))


@pytest.mark.parametrize(
    "bad", ["", "claire", "claire@", "@exemple.fr", "claire@exemple", "a b@exemple.fr", "a@@b.fr"]
)
def test_what_is_not_an_email_is_refused(bad):
    assert not is_valid_email(bad)


def test_an_email_longer_than_254_characters_is_refused():
    assert not is_valid_email("a" * 250 + "@b.fr")
