"""Tests for the personnummer / samordningsnummer detector (lotsen.pii).

Only Skatteverket's published test number 19121212-1212 (and its other spellings), the
samordningsnummer example from the reliability anchors, and numbers generated here with a
computed check digit are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotsen.pii import (
    DEFAULT_REPLACEMENT,
    Match,
    contains_identity_number,
    find_identity_numbers,
    redact,
)

# --- an independent test oracle ----------------------------------------------------------


def luhn_check_digit(nine_digits: str) -> int:
    """Luhn check digit, written independently of the implementation under test."""
    doubled = [int(d) * 2 if i % 2 == 0 else int(d) for i, d in enumerate(nine_digits)]
    return -sum(sum(divmod(n, 10)) for n in doubled) % 10


@dataclass(frozen=True)
class Synthetic:
    """A generated identity number with a valid check digit."""

    born: date
    serial: int
    coordination: bool

    @property
    def day(self) -> int:
        return self.born.day + (60 if self.coordination else 0)

    @property
    def ten(self) -> str:
        """The ten digits YYMMDDNNNC."""
        nine = f"{self.born:%y%m}{self.day:02d}{self.serial:03d}"
        return nine + str(luhn_check_digit(nine))

    @property
    def kind(self) -> str:
        return "samordningsnummer" if self.coordination else "personnummer"

    def render(self, form: str) -> str:
        """Spell the number in one of the accepted forms."""
        century = f"{self.born.year // 100:02d}"
        head, tail = self.ten[:6], self.ten[6:]
        return {
            "12-dash": f"{century}{head}-{tail}",
            "12-space": f"{century}{head} {tail}",
            "12-bare": f"{century}{head}{tail}",
            "10-dash": f"{head}-{tail}",
            "10-plus": f"{head}+{tail}",
            "10-space": f"{head} {tail}",
            "10-bare": f"{head}{tail}",
            "10-slash": f"{head}/{tail}",
            "10-split": f"{head[:2]}-{head[2:4]}-{head[4:]}-{tail}",
            "10-year-month": f"{head[:4]} {head[4:]}-{tail}",
            "12-split": f"{century}{head[:2]}-{head[2:4]}-{head[4:]}-{tail}",
        }[form]


FORMS = [
    "12-dash",
    "12-space",
    "12-bare",
    "12-split",
    "10-dash",
    "10-plus",
    "10-space",
    "10-bare",
    "10-slash",
    "10-split",
    "10-year-month",
]

synthetic_numbers = st.builds(
    Synthetic,
    born=st.dates(min_value=date(1880, 1, 1), max_value=date(2099, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
)

# Text around a number that cannot itself contain a digit.
no_digits = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=20)


def test_oracle_agrees_with_skatteverkets_test_number() -> None:
    assert luhn_check_digit("121212121") == 2


# --- must detect ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("19121212-1212", "personnummer"),
        ("121212-1212", "personnummer"),
        ("121212+1212", "personnummer"),
        ("19121212 1212", "personnummer"),
        ("191212121212", "personnummer"),
        ("1212121212", "personnummer"),
        ("900161-2382", "samordningsnummer"),
        ("199001612382", "samordningsnummer"),
    ],
)
def test_detects_accepted_forms(text: str, kind: str) -> None:
    assert find_identity_numbers(text) == [Match(0, len(text), kind)]  # type: ignore[arg-type]
    assert contains_identity_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "121212\u2013" + "1212",  # en dash
        "121212\u2212" + "1212",  # minus sign
        "121212\u2011" + "1212",  # non-breaking hyphen
        "121212\u00a01212",  # no-break space
        "121212 - 1212",
        "121212  1212",  # double space
        "19121212 -1212",
        "121212/1212",  # slash
        "12-12-12-1212",  # date split by hyphens
        "12/12/12-1212",
        "1212 12-1212",  # year and month, then day
        "1912-12-12-1212",
        "\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12",  # full-width digits
    ],
)
def test_detects_common_variants(text: str) -> None:
    assert find_identity_numbers(text) == [Match(0, len(text), "personnummer")]


def test_reports_position_inside_text() -> None:
    text = "Barnet (121212-1212) flyttade."
    (match,) = find_identity_numbers(text)
    assert text[match.start : match.end] == "121212-1212"


def test_finds_several_in_order() -> None:
    text = "Först 19121212-1212, sedan 900161-2382 och 1212121212."
    matches = find_identity_numbers(text)
    assert [text[m.start : m.end] for m in matches] == [
        "19121212-1212",
        "900161-2382",
        "1212121212",
    ]
    assert [m.kind for m in matches] == ["personnummer", "samordningsnummer", "personnummer"]


def test_leap_day_needs_a_leap_year() -> None:
    leap = Synthetic(date(2000, 2, 29), 123, coordination=False)
    assert contains_identity_number(leap.render("10-dash"))
    assert contains_identity_number(leap.render("12-bare"))
    # 2001-02-29 does not exist, whatever the check digit.
    nine = "010229123"
    assert not contains_identity_number(f"{nine[:6]}-{nine[6:]}{luhn_check_digit(nine)}")


def test_match_does_not_carry_the_number() -> None:
    (match,) = find_identity_numbers("19121212-1212")
    assert "1212" not in repr(match)


# --- must pass ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "070-123 45 67",  # mobile phone
        "0701234567",  # mobile phone, bare
        "036-12 34 56",  # landline
        "08-123 456 78",  # landline
        "+46 70 123 45 67",  # international
        "2024-11-23",  # date
        "2024-1234",  # diary number
        "556036-0793",  # organisation number (month >= 20)
        "121212-1213",  # wrong check digit
        "991332-1234",  # month 13
        "121232-1212",  # day 32
        "121260-1212",  # day 60: neither a day nor a coordination day
        "121292-1212",  # coordination day 92 = 32
        "AVV-2026-0007",  # our own reference number
        "99121212-1212",  # century 99 does not exist
        "17121212-1212",  # century 17 is out of range
        "1912121212121",  # 13 digits
        "0191212121212",  # 13 digits
        "1212121-1212",  # 7 digits before the separator
        "121212-12121",  # 5 digits after the separator
        "121212--1212",  # two separators
        "12-12-12 1212",  # a split date before a space reads as date and time
        "2012-12-12 1212",  # ISO date and a time
        "12--12-12-1212",  # two separators inside the date
        "1212 12 1212",
        "",
        "Inga nummer här.",
    ],
)
def test_look_alikes_are_not_detected(text: str) -> None:
    assert find_identity_numbers(text) == []
    assert not contains_identity_number(text)
    assert redact(text) == text


# --- properties ---------------------------------------------------------------------------


@given(number=synthetic_numbers, form=st.sampled_from(FORMS))
def test_every_valid_number_is_detected(number: Synthetic, form: str) -> None:
    text = number.render(form)
    assert find_identity_numbers(text) == [Match(0, len(text), number.kind)]  # type: ignore[arg-type]


@given(
    number=synthetic_numbers,
    form=st.sampled_from(FORMS),
    before=no_digits,
    after=no_digits,
)
def test_valid_number_is_found_inside_text(number: Synthetic, form: str, before: str, after: str) -> None:
    spelled = number.render(form)
    text = before + spelled + after
    matches = find_identity_numbers(text)
    assert [text[m.start : m.end] for m in matches] == [spelled]
    assert redact(text, "X") == before + "X" + after


@given(
    number=synthetic_numbers,
    form=st.sampled_from(FORMS),
    position=st.integers(min_value=0, max_value=9),
    shift=st.integers(min_value=1, max_value=9),
)
def test_a_single_wrong_digit_is_not_detected(number: Synthetic, form: str, position: int, shift: int) -> None:
    """Luhn catches every single-digit error in the ten digits it covers."""
    text = number.render(form)
    # Index of the position-th of the last ten digits (the ones Luhn covers) in the text.
    index = [i for i, char in enumerate(text) if char.isdigit()][-10:][position]
    wrong = str((int(text[index]) + shift) % 10)
    text = text[:index] + wrong + text[index + 1 :]
    assert not contains_identity_number(text)


@given(number=synthetic_numbers, form=st.sampled_from(FORMS))
def test_check_digit_mutation_is_not_detected(number: Synthetic, form: str) -> None:
    text = number.render(form)
    for digit in "0123456789":
        if digit != text[-1]:
            assert not contains_identity_number(text[:-1] + digit)


@given(
    number=synthetic_numbers,
    form=st.sampled_from(FORMS),
    digit=st.sampled_from("0123456789"),
    side=st.sampled_from(["before", "after"]),
)
def test_number_inside_a_longer_digit_run_is_not_detected(number: Synthetic, form: str, digit: str, side: str) -> None:
    spelled = number.render(form)
    text = digit + spelled if side == "before" else spelled + digit
    assert not contains_identity_number(text)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_iso_dates_are_not_detected(day: date) -> None:
    assert not contains_identity_number(day.isoformat())
    assert not contains_identity_number(f"{day.isoformat()} kl. 14:30")


@given(
    st.integers(min_value=0, max_value=9_999_999),
    st.sampled_from(["070", "072", "073", "076", "079"]),
)
def test_spaced_mobile_numbers_are_not_detected(subscriber: int, prefix: str) -> None:
    digits = f"{subscriber:07d}"
    assert not contains_identity_number(f"{prefix}-{digits[:3]} {digits[3:5]} {digits[5:]}")


@given(st.text(max_size=200))
def test_redact_without_matches_is_identity(text: str) -> None:
    if not find_identity_numbers(text):
        assert redact(text) == text


@given(st.text(max_size=200))
def test_redacted_text_contains_no_identity_number(text: str) -> None:
    assert not contains_identity_number(redact(text))


# --- redaction ------------------------------------------------------------------------


def test_redact_uses_the_default_replacement() -> None:
    assert DEFAULT_REPLACEMENT == "[personnummer borttaget]"
    assert (
        redact("Klienten 19121212-1212 och 900161-2382 deltog.")
        == "Klienten [personnummer borttaget] och [personnummer borttaget] deltog."
    )


def test_redact_with_custom_replacement() -> None:
    assert redact("pnr: 121212-1212", replacement="***") == "pnr: ***"


def test_redact_keeps_look_alikes() -> None:
    text = "Ring 070-123 45 67 om ärende AVV-2026-0007 från 2024-11-23 (121212-1213)."
    assert redact(text) == text


def test_contains_identity_number_agrees_with_find() -> None:
    for text in ["121212-1212", "121212-1213", "x 1212121212 y"]:
        assert contains_identity_number(text) == bool(find_identity_numbers(text))


def test_samordningsnummer_for_every_day_of_a_year() -> None:
    """Days 61 to 91 map back to 1 to 31 for every real date of a leap year."""
    day = date(2024, 1, 1)
    while day.year == 2024:
        number = Synthetic(day, 238, coordination=True)
        assert find_identity_numbers(number.render("10-dash"))[0].kind == "samordningsnummer"
        day += timedelta(days=1)
