"""Tests for the server-side card form validators (lotsen.fields).

Identity numbers used here are Skatteverket's published test number 19121212-1212 in its
various spellings and numbers generated with a computed check digit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotsen.fields import (
    MAX_VALUE_LENGTH,
    MESSAGES,
    Choice,
    Field,
    FieldResult,
    FormResult,
    validate_field,
    validate_form,
)
from lotsen.pii import contains_identity_number

TODAY = date(2025, 6, 15)

PII_MESSAGE = (
    "Ta bort personnumret eller samordningsnumret. Rapporten ska vara avidentifierad "
    "– skriv inga namn eller personnummer."
)
INVISIBLE_MESSAGE = (
    "Texten innehöll osynliga tecken eller styrtecken som inte är tillåtna. Kontrollera texten och skicka igen."
)
WRONG_TYPE_MESSAGE = "Värdet har fel format. Ladda om formuläret och försök igen."

COLOURS = (Choice("red", "Röd"), Choice("green", "Grön"), Choice("blue", "Blå"))

TITLE = Field("title", "Rubrik", "text", required=True, max_length=20, min_length=3)
SUMMARY = Field("summary", "Beskrivning", "textarea", max_length=200)
OCCURRED = Field("occurred_on", "Datum", "date", required=True)
AT = Field("at", "Klockslag", "time")
COLOUR = Field("colour", "Färg", "choice", choices=COLOURS)
COLOURS_FIELD = Field("colours", "Färger", "multichoice", choices=COLOURS)
URGENT = Field("urgent", "Brådskande", "toggle")

FORM = (TITLE, SUMMARY, OCCURRED, AT, COLOUR, COLOURS_FIELD, URGENT)


def check(field: Field, value: object, today: date = TODAY) -> FieldResult:
    return validate_field(field, value, today=today)


def luhn_check_digit(nine_digits: str) -> int:
    doubled = [int(d) * 2 if i % 2 == 0 else int(d) for i, d in enumerate(nine_digits)]
    return -sum(sum(divmod(n, 10)) for n in doubled) % 10


def synthetic_number(born: date, serial: int, *, coordination: bool = False) -> str:
    """A generated YYMMDD-NNNC with a valid check digit."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{nine[:6]}-{nine[6:]}{luhn_check_digit(nine)}"


# --- field declarations -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"id": "", "label": "x", "kind": "text"},
        {"id": "_form", "label": "x", "kind": "text"},
        {"id": "x", "label": "x", "kind": "number"},
        {"id": "x", "label": "x", "kind": "text", "min_length": 10, "max_length": 5},
        {"id": "x", "label": "x", "kind": "text", "min_length": -1},
        {"id": "x", "label": "x", "kind": "text", "max_length": MAX_VALUE_LENGTH + 1},
        {"id": "x", "label": "x", "kind": "choice"},
        {"id": "x", "label": "x", "kind": "multichoice"},
        {"id": "x", "label": "x", "kind": "text", "choices": COLOURS},
        {
            "id": "x",
            "label": "x",
            "kind": "choice",
            "choices": (Choice("a", "A"), Choice("a", "B")),
        },
        {"id": "x", "label": "x", "kind": "choice", "choices": (Choice("", "Tom"),)},
        {"id": "x", "label": "x", "kind": "choice", "choices": (Choice(" a", "A"),)},
        {"id": "x", "label": "x", "kind": "multichoice", "choices": (Choice("a,b", "A"),)},
    ],
)
def test_inconsistent_field_declarations_raise(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Field(**kwargs)  # type: ignore[arg-type]


def test_field_defaults() -> None:
    field = Field("x", "X", "date")
    assert (field.required, field.max_length, field.min_length) == (False, 500, 0)
    assert (field.allow_future, field.min_date, field.earliest_date) == (
        False,
        None,
        date(2000, 1, 1),
    )
    assert Field("y", "Y", "choice", choices=COLOURS).choices[0] == Choice("red", "Röd")


def test_duplicate_field_ids_raise() -> None:
    with pytest.raises(ValueError):
        validate_form([TITLE, TITLE], {}, today=TODAY)


def test_field_id_colliding_with_control_key_raises() -> None:
    with pytest.raises(ValueError):
        validate_form([Field("verb", "Verb", "text")], {}, today=TODAY)


def test_messages_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(TypeError):
        MESSAGES["required"] = "x"  # type: ignore[index]


# --- the form as a whole --------------------------------------------------------------------


def valid_submission() -> dict[str, object]:
    return {
        "verb": "deviation.submit",
        "form_id": "6f1c2b1e-0000-4000-8000-000000000000",
        "title": "  Sen kallelse ",
        "summary": "Kallelsen kom\r\nfem dagar för sent.",
        "occurred_on": "2025-06-01",
        "at": "09:05",
        "colour": "green",
        "colours": "blue,red",
        "urgent": "true",
    }


def test_valid_submission() -> None:
    result = validate_form(FORM, valid_submission(), today=TODAY)
    assert result.ok
    assert result.errors == {}
    assert result.values == {
        "title": "Sen kallelse",
        "summary": "Kallelsen kom\nfem dagar för sent.",
        "occurred_on": date(2025, 6, 1),
        "at": time(9, 5),
        "colour": "green",
        "colours": ["red", "blue"],
        "urgent": True,
    }
    assert result.pii_blocked == []
    assert set(result.raw) == {f.id for f in FORM}
    assert result.raw["title"] == "  Sen kallelse "


def test_missing_optional_fields_get_empty_values() -> None:
    result = validate_form(FORM, {"title": "Rubrik", "occurred_on": "2025-06-01"}, today=TODAY)
    assert result.ok
    assert result.values == {
        "title": "Rubrik",
        "summary": "",
        "occurred_on": date(2025, 6, 1),
        "at": None,
        "colour": None,
        "colours": [],
        "urgent": False,
    }
    assert result.raw == {
        "title": "Rubrik",
        "summary": "",
        "occurred_on": "2025-06-01",
        "at": "",
        "colour": "",
        "colours": "",
        "urgent": "false",
    }


def test_none_counts_as_empty() -> None:
    result = validate_form(FORM, {"title": None, "occurred_on": None, "summary": None}, today=TODAY)
    assert result.errors == {
        "title": "Fyll i det här fältet.",
        "occurred_on": "Fyll i det här fältet.",
    }
    assert result.values["summary"] == ""


def test_errors_are_collected_for_every_field() -> None:
    data = valid_submission() | {"title": "", "occurred_on": "igår", "colour": "pink"}
    result = validate_form(FORM, data, today=TODAY)
    assert not result.ok
    assert result.errors == {
        "title": "Fyll i det här fältet.",
        "occurred_on": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-03-14.",
        "colour": "Välj ett av alternativen i listan.",
    }
    assert "title" not in result.values
    assert result.values["summary"] == "Kallelsen kom\nfem dagar för sent."
    # The user's input stays available for re-rendering the card.
    assert result.raw["occurred_on"] == "igår"
    assert result.raw["colour"] == "pink"


def test_unknown_key_is_a_form_error() -> None:
    result = validate_form(FORM, valid_submission() | {"admin": "true"}, today=TODAY)
    assert not result.ok
    assert result.errors == {"_form": "Formuläret innehöll okända fält: admin."}
    # Field-level validation still ran, so the card can be re-rendered.
    assert result.values["title"] == "Sen kallelse"


def test_unknown_keys_are_listed_sorted() -> None:
    result = validate_form(FORM, {"zeta": "", "alpha": "", "verb": "x"}, today=TODAY)
    assert result.errors["_form"] == "Formuläret innehöll okända fält: alpha, zeta."


def test_unknown_keys_with_odd_names_are_not_echoed() -> None:
    odd = {"19121212-1212": "", "<script>": "", "x" * 100: ""}
    result = validate_form(FORM, valid_submission() | odd, today=TODAY)
    message = result.errors["_form"]
    assert message == "Formuläret innehöll okända fält: (fält utan giltigt namn)."
    assert not contains_identity_number(message)


def test_many_unknown_keys_are_summarised() -> None:
    extra = {f"k{i}": "" for i in range(8)}
    result = validate_form(FORM, valid_submission() | extra, today=TODAY)
    assert result.errors["_form"] == "Formuläret innehöll okända fält: k0, k1, k2, k3, k4 och 3 till."


def test_control_keys_can_be_chosen() -> None:
    data = valid_submission() | {"card_id": "abc"}
    assert not validate_form(FORM, data, today=TODAY).ok
    controls = ("verb", "form_id", "card_id")
    assert validate_form(FORM, data, today=TODAY, control_keys=controls).ok
    assert not validate_form(FORM, valid_submission(), today=TODAY, control_keys=()).ok


@pytest.mark.parametrize("data", [None, "text", ["title"], 42])
def test_submission_that_is_not_a_mapping_is_rejected(data: object) -> None:
    result = validate_form(FORM, data, today=TODAY)  # type: ignore[arg-type]
    assert result.errors == {"_form": "Formuläret kunde inte läsas. Ladda om det och försök igen."}
    assert result.values == {}
    assert not result.ok


def test_form_result_ok() -> None:
    assert FormResult(values={}, errors={}).ok
    assert not FormResult(values={}, errors={"_form": "x"}).ok


# --- personnummer guard ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Pojken 19121212-1212 kom inte.",
        "121212-1212",
        "121212+1212",
        "1212121212",
        "19121212 1212",
        "121212\u200b-1212",  # hidden behind a zero-width space
        "1212\u202e12-1212",  # and behind a bidi override
    ],
)
def test_identity_number_in_text_is_rejected_and_dropped(text: str) -> None:
    result = validate_form(FORM, valid_submission() | {"title": text[:20], "summary": text}, today=TODAY)
    assert result.errors["summary"] == MESSAGES["pii_masked"]
    assert "summary" not in result.values
    # the text is kept with the number masked (digits → ▇), never with the number
    assert "▇" in result.raw["summary"] and not any(ch.isdigit() for ch in result.raw["summary"])
    assert "summary" in result.pii_blocked
    assert not contains_identity_number(repr(result))


def test_identity_number_message_is_the_agreed_text() -> None:
    assert MESSAGES["pii"] == PII_MESSAGE


def test_identity_number_wins_over_other_errors() -> None:
    result = check(TITLE, "Ärende 19121212-1212 och mer text")  # also too long
    assert result.error == MESSAGES["pii_masked"]
    assert result.pii_blocked
    assert result.raw == "Ärende ▇▇▇▇▇▇▇▇-▇▇▇▇ och mer text"


def test_the_text_is_kept_with_the_number_masked_and_the_mask_must_be_removed() -> None:
    result = check(SUMMARY, "Klienten 19121212-1212 fick inget stöd från någon part.")
    assert result.raw == "Klienten ▇▇▇▇▇▇▇▇-▇▇▇▇ fick inget stöd från någon part."
    assert result.value is None and result.pii_blocked
    again = check(SUMMARY, result.raw)  # sent back unchanged: refused, but nothing to block
    assert again.error == MESSAGES["pii_mask_left"] and not again.pii_blocked
    assert again.raw == result.raw
    fixed = check(SUMMARY, "Klienten fick inget stöd från någon part.")
    assert fixed.error is None and fixed.value == "Klienten fick inget stöd från någon part."


@pytest.mark.parametrize("field", [OCCURRED, AT, COLOUR, COLOURS_FIELD, URGENT])
def test_identity_number_in_any_kind_is_blocked(field: Field) -> None:
    result = check(field, "19121212-1212")
    assert result.error == PII_MESSAGE
    assert result.raw == ""
    assert result.pii_blocked


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
    before=st.text(alphabet="abc åäö.,", max_size=10),
)
def test_generated_identity_numbers_are_always_blocked(
    born: date, serial: int, coordination: bool, before: str
) -> None:
    number = synthetic_number(born, serial, coordination=coordination)
    result = check(SUMMARY, before + number)
    assert result.error in (PII_MESSAGE, MESSAGES["pii_masked"])
    assert result.pii_blocked
    assert not contains_identity_number(result.raw) and number not in result.raw


def test_look_alikes_are_accepted_in_text() -> None:
    text = (
        "Ring 070-123 45 67 eller 036-12 34 56. Ärende AVV-2026-0007, dnr 2024-1234, org 556036-0793, född 2024-11-23."
    )
    result = check(SUMMARY, text)
    assert result.ok
    assert result.value == text


# --- text and textarea ----------------------------------------------------------------------


def test_text_is_stripped_and_nfc_normalised() -> None:
    decomposed = " Cafe\u0301 "
    value = check(TITLE, decomposed).value
    assert value == "Café"
    assert isinstance(value, str) and unicodedata.is_normalized("NFC", value)


@pytest.mark.parametrize(
    "text",
    [
        "abc\x00def",  # NUL
        "abc\x1bdef",  # escape
        "abc\ndef",  # newline in a single-line field
        "abc\tdef",  # tab in a single-line field
        "abc\u202edef",  # right-to-left override
        "abc\u2066def",  # left-to-right isolate
        "abc\u200bdef",  # zero-width space
        "abc\u200ddef",  # zero-width joiner
        "abc\ufeffdef",  # zero-width no-break space
        "abc\U000e0041def",  # tag character
        "abc\u2028def",  # line separator
    ],
)
def test_text_rejects_control_and_invisible_characters(text: str) -> None:
    result = check(TITLE, text)
    assert result.error == INVISIBLE_MESSAGE
    assert result.value is None


@pytest.mark.parametrize(
    ("submitted", "raw"),
    [
        ("abc\u202edef", "abcdef"),
        ("abc\u200bdef", "abcdef"),
        ("abc\x00def", "abc def"),
        ("abc\ndef", "abc def"),
    ],
)
def test_raw_drops_invisible_characters(submitted: str, raw: str) -> None:
    assert check(TITLE, submitted).raw == raw


def test_textarea_allows_newlines_and_tabs() -> None:
    result = check(SUMMARY, "Rad ett\r\nRad två\rRad tre\n\tindrag\n")
    assert result.value == "Rad ett\nRad två\nRad tre\n\tindrag"
    assert result.raw == "Rad ett\nRad två\nRad tre\n\tindrag\n"


@pytest.mark.parametrize("text", ["a\x00b", "a\u202eb", "a\u200bb", "a\x0bb"])
def test_textarea_rejects_other_control_characters(text: str) -> None:
    assert check(SUMMARY, text).error == INVISIBLE_MESSAGE


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_required_text_must_not_be_blank(text: str) -> None:
    assert check(TITLE, text).error == "Fyll i det här fältet."


def test_optional_text_may_be_empty() -> None:
    result = check(Field("note", "Notering", "text", min_length=5), "  ")
    assert result.ok
    assert result.value == ""


def test_text_min_length() -> None:
    assert check(TITLE, "ab").error == "Skriv minst 3 tecken."
    assert check(TITLE, "abc").value == "abc"


def test_text_max_length() -> None:
    assert check(TITLE, "x" * 20).value == "x" * 20
    assert check(TITLE, "x" * 21).error == "Skriv högst 20 tecken. Nu är det 21 tecken."
    # Surrounding whitespace does not count.
    assert check(TITLE, "  " + "x" * 20 + "  ").ok


def test_length_is_counted_after_normalisation() -> None:
    assert check(TITLE, "e\u0301" * 20).value == "é" * 20


def test_too_long_text_keeps_raw_for_editing() -> None:
    result = check(TITLE, "x" * 25)
    assert result.raw == "x" * 25


def test_oversized_value_is_rejected_unprocessed() -> None:
    big = Field("big", "Stor", "textarea", max_length=MAX_VALUE_LENGTH)
    assert check(big, "x" * MAX_VALUE_LENGTH).ok
    # Over the hard limit: rejected before the guard runs, and not kept.
    oversized = "19121212-1212 " + "x" * MAX_VALUE_LENGTH
    result = check(big, oversized)
    assert result.error == "Texten är för lång. Skriv högst 10000 tecken."
    assert result.raw == ""
    assert not result.pii_blocked
    assert check(SUMMARY, "x" * (MAX_VALUE_LENGTH + 1)).error == ("Texten är för lång. Skriv högst 200 tecken.")


@pytest.mark.parametrize("field", [OCCURRED, AT, COLOUR, COLOURS_FIELD, URGENT])
def test_oversized_value_of_other_kinds(field: Field) -> None:
    result = check(field, "x" * (MAX_VALUE_LENGTH + 1))
    assert result.error == "Värdet är för långt."
    assert result.raw == ""


@pytest.mark.parametrize("field", FORM)
@pytest.mark.parametrize("value", [{"a": 1}, ["a"], 42, 4.2, b"bytes"])
def test_values_of_the_wrong_type_are_rejected(field: Field, value: object) -> None:
    result = check(field, value)
    assert result.error == WRONG_TYPE_MESSAGE
    assert result.raw == ""
    assert result.value is None


@pytest.mark.parametrize("field", [TITLE, SUMMARY, OCCURRED, AT, COLOUR, COLOURS_FIELD])
def test_booleans_are_only_for_toggles(field: Field) -> None:
    assert check(field, True).error == WRONG_TYPE_MESSAGE


def test_wrong_type_in_a_form_is_reported_on_the_field() -> None:
    data = valid_submission() | {"summary": {"type": "Action.OpenUrl"}}
    result = validate_form(FORM, data, today=TODAY)
    assert result.errors == {"summary": WRONG_TYPE_MESSAGE}
    assert result.raw["summary"] == ""


@given(st.text(max_size=300))
def test_text_validation_never_raises_and_keeps_its_promises(text: str) -> None:
    result = check(SUMMARY, text)
    if result.ok:
        value = result.value
        assert isinstance(value, str)
        assert len(value) <= SUMMARY.max_length
        assert value == value.strip()
        assert unicodedata.is_normalized("NFC", value)
        assert not contains_identity_number(value)
        assert all(c in "\n\t" or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in value)
    assert not contains_identity_number(result.raw)


# --- date ------------------------------------------------------------------------------------


def test_date_is_parsed() -> None:
    assert check(OCCURRED, "2025-06-01").value == date(2025, 6, 1)
    assert check(OCCURRED, " 2025-06-01 ").value == date(2025, 6, 1)


def test_today_is_allowed() -> None:
    assert check(OCCURRED, TODAY.isoformat()).value == TODAY


@pytest.mark.parametrize(
    "text",
    [
        "2025-6-1",
        "01/06/2025",
        "2025-02-30",
        "2025-13-01",
        "2025-06-01T00:00",
        "igår",
        "20250601",
        "\uff12\uff10\uff12\uff15-06-01",
    ],
)
def test_date_format_errors(text: str) -> None:
    result = check(OCCURRED, text)
    assert result.error == "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-03-14."
    assert result.raw == text


def test_future_date_is_rejected_by_default() -> None:
    assert check(OCCURRED, "2025-06-16").error == "Datumet kan inte vara i framtiden."


def test_future_date_when_allowed() -> None:
    meeting = Field("meeting", "Möte", "date", allow_future=True)
    assert check(meeting, "2030-01-01").value == date(2030, 1, 1)


def test_date_before_default_minimum() -> None:
    assert check(OCCURRED, "2000-01-01").value == date(2000, 1, 1)
    assert check(OCCURRED, "1999-12-31").error == "Datumet kan inte vara tidigare än 2000-01-01."


def test_date_before_custom_minimum() -> None:
    field = Field("d", "Datum", "date", min_date=date(2024, 1, 1))
    assert check(field, "2023-12-31").error == "Datumet kan inte vara tidigare än 2024-01-01."
    assert check(field, "2024-01-01").ok


def test_date_empty() -> None:
    assert check(OCCURRED, "").error == "Fyll i det här fältet."
    assert check(Field("d", "Datum", "date"), "").value is None


# --- time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("00:00", time(0, 0)), ("09:05", time(9, 5)), ("23:59", time(23, 59))])
def test_time_is_parsed(text: str, expected: time) -> None:
    assert check(AT, text).value == expected


@pytest.mark.parametrize("text", ["24:00", "9:30", "14:60", "14:30:00", "1430", "14.30", "kl 14"])
def test_time_format_errors(text: str) -> None:
    assert check(AT, text).error == "Skriv tiden som TT:MM, till exempel 14:30."


def test_time_empty() -> None:
    assert check(AT, "").value is None
    assert check(Field("t", "Tid", "time", required=True), " ").error == "Fyll i det här fältet."


# --- choice ----------------------------------------------------------------------------------


def test_choice_accepts_a_declared_value() -> None:
    assert check(COLOUR, "blue").value == "blue"
    assert check(COLOUR, " blue ").value == "blue"


@pytest.mark.parametrize("text", ["pink", "Blå", "BLUE", "red,blue"])
def test_choice_rejects_other_values(text: str) -> None:
    result = check(COLOUR, text)
    assert result.error == "Välj ett av alternativen i listan."
    assert result.raw == text


def test_choice_empty() -> None:
    assert check(COLOUR, "").value is None
    required = Field("c", "Färg", "choice", required=True, choices=COLOURS)
    assert check(required, "").error == "Välj ett alternativ."


# --- multichoice -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("red", ["red"]),
        ("blue,red", ["red", "blue"]),
        ("blue, green ,red", ["red", "green", "blue"]),
        ("red,red", ["red"]),
        ("red,,blue,", ["red", "blue"]),
    ],
)
def test_multichoice_is_split_and_ordered(text: str, expected: list[str]) -> None:
    assert check(COLOURS_FIELD, text).value == expected


@pytest.mark.parametrize("text", ["pink", "red,pink", "red;blue"])
def test_multichoice_rejects_unknown_values(text: str) -> None:
    assert check(COLOURS_FIELD, text).error == "Välj bara bland alternativen i listan."


def test_multichoice_empty() -> None:
    assert check(COLOURS_FIELD, "").value == []
    assert check(COLOURS_FIELD, ",").value == []
    required = Field("m", "Färger", "multichoice", required=True, choices=COLOURS)
    assert check(required, "").error == "Välj minst ett alternativ."


@given(st.lists(st.sampled_from([c.value for c in COLOURS]), max_size=6))
def test_multichoice_any_subset(selected: list[str]) -> None:
    result = check(COLOURS_FIELD, ",".join(selected))
    assert result.value == [c.value for c in COLOURS if c.value in selected]


# --- toggle ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "raw"),
    [
        ("true", True, "true"),
        ("false", False, "false"),
        (" TRUE ", True, "true"),
        (True, True, "true"),
        (False, False, "false"),
        ("", False, "false"),
        (None, False, "false"),
    ],
)
def test_toggle_values(value: object, expected: bool, raw: str) -> None:
    result = check(URGENT, value)
    assert result.value is expected
    assert result.raw == raw


@pytest.mark.parametrize("value", ["ja", "1", "on", "yes"])
def test_toggle_rejects_other_strings(value: str) -> None:
    assert check(URGENT, value).error == "Värdet kunde inte läsas. Ladda om formuläret och försök igen."


def test_required_toggle_must_be_on() -> None:
    consent = Field("consent", "Jag har avidentifierat rapporten", "toggle", required=True)
    assert check(consent, "true").value is True
    for value in ("false", False, "", None):
        result = check(consent, value)
        assert result.error == "Kryssa i rutan för att gå vidare."
        assert result.raw == "false"


# --- robustness ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from([f.id for f in FORM] + ["verb", "x"]), json_values))
def test_any_json_submission_gives_a_result(data: Mapping[str, object]) -> None:
    result = validate_form(FORM, data, today=TODAY)
    assert set(result.raw) == {f.id for f in FORM}
    assert set(result.values).isdisjoint(result.errors)
    assert set(result.values) | (set(result.errors) - {"_form"}) == {f.id for f in FORM}
    assert all(isinstance(raw, str) for raw in result.raw.values())


@pytest.mark.parametrize("text", ["121212 \x00 1212", "121212\x00\x001212", "121212\x00-\x001212"])
def test_control_characters_cannot_hide_an_identity_number(text: str) -> None:
    result = check(SUMMARY, text)
    assert result.error in (PII_MESSAGE, MESSAGES["pii_masked"]) and result.pii_blocked
    assert not any(ch.isdigit() for ch in result.raw)
