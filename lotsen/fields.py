"""Server-side validation of Adaptive Card form submissions.

Card-side validation (``isRequired``, ``maxLength`` …) is only a convenience for the user:
everything in ``Action.Submit.data`` comes back from the client and may have been altered.
Every flow therefore describes its form as a sequence of :class:`Field` values and passes the
submitted data through :func:`validate_form`. The same per-field validator,
:func:`validate_field`, serves text prompts, so both user interfaces behave the same.

What the validators guarantee for a valid value:

* ``text`` / ``textarea``: a stripped, NFC-normalised ``str`` without control characters
  (a ``textarea`` may contain newlines and tabs; ``\\r\\n`` becomes ``\\n``), without bidi
  controls or zero-width and other invisible format characters, within the length limits, and
  without a personnummer or samordningsnummer (:mod:`lotsen.pii`). Empty optional text is ``""``.
* ``date``: a :class:`datetime.date` from ``YYYY-MM-DD``, not before ``min_date`` and not
  after ``today`` unless ``allow_future``. Empty optional date is ``None``.
* ``time``: a :class:`datetime.time` from ``HH:MM``. Empty optional time is ``None``.
* ``choice``: one of the field's choice values. Empty optional choice is ``None``.
* ``multichoice``: a ``list[str]`` of choice values in the order of the field's choices.
* ``toggle``: a ``bool``. A required toggle must be switched on, as in Adaptive Cards.

Every submitted value is first screened with the personnummer guard, whatever the field kind.
A hit gives :data:`MESSAGES` ``["pii"]``; the value is never returned. For free text
(``text``/``textarea``) ``raw`` is the text with every digit of the number masked (``▇``), so
the person keeps what they wrote and sees where the number was (``pii_masked``); for other
kinds ``raw`` is empty. Text that still holds the mask character is refused until the person
has rewritten that part (``pii_mask_left``). The field id is listed in ``pii_blocked`` so the
caller can audit the event without the value. Nothing here logs.

User-facing messages are Swedish and live in :data:`MESSAGES`, in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, time
from types import MappingProxyType
from typing import Final, Literal, get_args

from lotsen.pii import contains_identity_number, find_identity_numbers

__all__ = [
    "CHOICE_KINDS",
    "DEFAULT_MIN_DATE",
    "FORM_ERROR_KEY",
    "MAX_VALUE_LENGTH",
    "MESSAGES",
    "TEXT_KINDS",
    "Choice",
    "Field",
    "FieldKind",
    "FieldResult",
    "FormResult",
    "validate_field",
    "validate_form",
]

FieldKind = Literal["text", "textarea", "date", "choice", "multichoice", "toggle", "time"]

TEXT_KINDS: Final = frozenset({"text", "textarea"})
CHOICE_KINDS: Final = frozenset({"choice", "multichoice"})

# A submitted value longer than this is rejected before any other processing.
MAX_VALUE_LENGTH: Final = 10_000

DEFAULT_MIN_DATE: Final = date(2000, 1, 1)

FORM_ERROR_KEY: Final = "_form"

MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "required": "Fyll i det här fältet.",
        "required_choice": "Välj ett alternativ.",
        "required_multichoice": "Välj minst ett alternativ.",
        "required_toggle": "Kryssa i rutan för att gå vidare.",
        "pii": (
            "Ta bort personnumret eller samordningsnumret. Rapporten ska vara avidentifierad "
            "– skriv inga namn eller personnummer."
        ),
        "pii_masked": (
            "Ta bort personnumret eller samordningsnumret – jag har dolt det med ▇ i texten, resten finns kvar. "
            "Rapporten ska vara avidentifierad: skriv inga namn eller personnummer."
        ),
        "pii_mask_left": "Ta bort tecknen ▇ (där personnumret stod) och skriv om meningen utan numret.",
        "invisible": (
            "Texten innehöll osynliga tecken eller styrtecken som inte är tillåtna. Kontrollera texten och skicka igen."
        ),
        "too_short": "Skriv minst {min_length} tecken.",
        "too_long": "Skriv högst {max_length} tecken. Nu är det {length} tecken.",
        "oversized": "Texten är för lång. Skriv högst {max_length} tecken.",
        "oversized_value": "Värdet är för långt.",
        "wrong_type": "Värdet har fel format. Ladda om formuläret och försök igen.",
        "date_format": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-03-14.",
        "date_future": "Datumet kan inte vara i framtiden.",
        "date_too_early": "Datumet kan inte vara tidigare än {min_date}.",
        "time_format": "Skriv tiden som TT:MM, till exempel 14:30.",
        "choice_invalid": "Välj ett av alternativen i listan.",
        "multichoice_invalid": "Välj bara bland alternativen i listan.",
        "toggle_invalid": "Värdet kunde inte läsas. Ladda om formuläret och försök igen.",
        "form_invalid": "Formuläret kunde inte läsas. Ladda om det och försök igen.",
        "unknown_keys": "Formuläret innehöll okända fält: {keys}.",
        "unknown_key_unnamed": "(fält utan giltigt namn)",
        "unknown_keys_more": "{shown} och {hidden} till",
    }
)

# At most this many unknown keys are named in the form-level error.
_MAX_UNKNOWN_KEYS_SHOWN: Final = 5
_SAFE_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,39}")

_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME: Final = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

_TOGGLE_VALUES: Final[Mapping[str, bool]] = {"true": True, "false": False}

# Whitespace control characters a textarea may keep (a single-line text keeps none).
_TEXTAREA_WHITESPACE: Final[frozenset[str]] = frozenset("\n\t")
_NO_WHITESPACE: Final[frozenset[str]] = frozenset()

# Unicode categories that are never accepted in text: control (Cc, except the whitespace
# above in a textarea), format (Cf: bidi controls, zero-width characters, soft hyphen, tag
# characters …), surrogates (Cs) and the line/paragraph separators (Zl, Zp).
_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a ``choice`` or ``multichoice`` field: the submitted value and its label."""

    value: str
    title: str


@dataclass(frozen=True, slots=True)
class Field:
    """Declaration of one form input; the card templates and the validators both read it.

    ``max_length`` and ``min_length`` apply to the text kinds, ``choices`` to the choice kinds,
    ``allow_future`` and ``min_date`` to dates (``min_date`` defaults to 2000-01-01).
    An inconsistent declaration is a programming error and raises :class:`ValueError`.
    """

    id: str
    label: str
    kind: FieldKind
    required: bool = False
    max_length: int = 500
    min_length: int = 0
    choices: tuple[Choice, ...] = ()
    placeholder: str = ""
    help: str = ""
    allow_future: bool = False
    min_date: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in get_args(FieldKind):
            raise ValueError(f"field {self.id!r}: unknown kind {self.kind!r}")
        if not self.id or self.id == FORM_ERROR_KEY:
            raise ValueError(f"invalid field id {self.id!r}")
        if not 0 <= self.min_length <= self.max_length <= MAX_VALUE_LENGTH:
            raise ValueError(f"field {self.id!r}: need 0 <= min_length <= max_length <= {MAX_VALUE_LENGTH}")
        if (self.kind in CHOICE_KINDS) != bool(self.choices):
            raise ValueError(f"field {self.id!r}: choices are required for, and only for, choice kinds")
        values = [choice.value for choice in self.choices]
        if len(set(values)) != len(values) or any(not v or v != v.strip() for v in values):
            raise ValueError(f"field {self.id!r}: choice values must be unique, non-empty and stripped")
        if self.kind == "multichoice" and any("," in value for value in values):
            raise ValueError(f"field {self.id!r}: multichoice values cannot contain a comma")

    @property
    def earliest_date(self) -> date:
        """The earliest date a ``date`` field accepts."""
        return self.min_date if self.min_date is not None else DEFAULT_MIN_DATE


@dataclass(frozen=True, slots=True)
class FieldResult:
    """Outcome of validating one value.

    ``value`` is the cleaned value (meaningful only when ``error`` is ``None``). ``raw`` is the
    submitted string, safe to put back into the card: invisible characters are dropped and
    control characters become spaces, and it is ``""`` if the value was not a string, was
    oversized or held an identity number (``pii_blocked``).
    """

    value: object
    error: str | None
    raw: str
    pii_blocked: bool = False

    @property
    def ok(self) -> bool:
        """True if the value is valid."""
        return self.error is None


@dataclass
class FormResult:
    """Outcome of validating a form submission.

    ``values`` holds the cleaned value of every valid field. ``errors`` maps field ids (and
    ``"_form"`` for problems with the submission as a whole) to Swedish messages. ``raw`` holds
    the safe submitted string of every field, for re-rendering the card after an error.
    ``pii_blocked`` lists the ids of fields rejected by the personnummer guard.
    """

    values: dict[str, object]
    errors: dict[str, str]
    raw: dict[str, str] = dataclass_field(default_factory=dict[str, str])
    pii_blocked: list[str] = dataclass_field(default_factory=list[str])

    @property
    def ok(self) -> bool:
        """True if the submission is valid as a whole."""
        return not self.errors


def validate_form(
    fields: Sequence[Field],
    data: Mapping[str, object],
    *,
    today: date,
    control_keys: Collection[str] = ("verb", "form_id", "step"),
) -> FormResult:
    """Validate a card submission against its field declarations.

    ``data`` is the submit payload (``Turn.value``). Keys in ``control_keys`` belong to the
    router and are not validated here. Any other key that is not a field id makes the whole
    submission invalid. A field missing from ``data`` counts as empty. ``today`` is the
    current date in the user's time zone, used for date limits.
    """
    field_ids = [f.id for f in fields]
    if len(set(field_ids)) != len(field_ids):
        raise ValueError("duplicate field ids")
    if not set(field_ids).isdisjoint(control_keys):
        raise ValueError("a field id collides with a control key")

    result = FormResult(values={}, errors={})
    if not isinstance(data, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        # The payload comes from the client; the annotation is a hope, not a guarantee.
        result.errors[FORM_ERROR_KEY] = MESSAGES["form_invalid"]
        return result

    known = set(field_ids) | set(control_keys)
    unknown = [key for key in data if key not in known]
    if unknown:
        result.errors[FORM_ERROR_KEY] = MESSAGES["unknown_keys"].format(keys=_describe_keys(unknown))

    for f in fields:
        outcome = validate_field(f, data.get(f.id), today=today)
        result.raw[f.id] = outcome.raw
        if outcome.pii_blocked:
            result.pii_blocked.append(f.id)
        if outcome.error is None:
            result.values[f.id] = outcome.value
        else:
            result.errors[f.id] = outcome.error
    return result


def validate_field(field: Field, value: object, *, today: date) -> FieldResult:
    """Validate one submitted value (``None`` if absent) for ``field``.

    Usable on its own for a text prompt: pass the user's message as ``value``.
    """
    if value is None:
        value = ""
    if isinstance(value, bool):
        if field.kind != "toggle":
            return _invalid(MESSAGES["wrong_type"])
        return _toggle(field, value)
    if not isinstance(value, str):
        return _invalid(MESSAGES["wrong_type"])
    if len(value) > MAX_VALUE_LENGTH:
        message = MESSAGES["oversized"] if field.kind in TEXT_KINDS else MESSAGES["oversized_value"]
        return _invalid(message.format(max_length=field.max_length))

    # Check both the text without invisible characters (so they cannot hide a number) and
    # the text that would be echoed back as raw.
    raw = _safe_raw(value, field.kind)
    visible = _without_forbidden(value, keep=_TEXTAREA_WHITESPACE)
    if contains_identity_number(visible) or contains_identity_number(raw):
        masked = mask_identity_numbers(raw) if field.kind in TEXT_KINDS else ""
        # Echo the masked text only if no number can be read from it in any form (spaces and
        # control characters removed too); otherwise nothing is echoed.
        if masked and not any(
            contains_identity_number(form)
            for form in (masked, _without_forbidden(masked, keep=_TEXTAREA_WHITESPACE), re.sub(r"\s+", "", masked))
        ):
            return FieldResult(value=None, error=MESSAGES["pii_masked"], raw=masked, pii_blocked=True)
        return FieldResult(value=None, error=MESSAGES["pii"], raw="", pii_blocked=True)
    if field.kind in TEXT_KINDS and MASK in value:
        return FieldResult(value=None, error=MESSAGES["pii_mask_left"], raw=raw)

    outcome = _VALIDATORS[field.kind](field, value, today)
    # A toggle reports its normalised state ("true"/"false") as raw; others echo the input.
    return replace(outcome, raw=outcome.raw or raw)


MASK: Final = "▇"


def mask_identity_numbers(text: str) -> str:
    """Every digit of each personnummer/samordningsnummer in `text` replaced by ▇ (separators kept):
    "Klienten 19121212-1212 fick …" → "Klienten ▇▇▇▇▇▇▇▇-▇▇▇▇ fick …"."""
    out = list(text)
    for match in find_identity_numbers(text):
        for i in range(match.start, match.end):
            if out[i].isdigit():
                out[i] = MASK
    return "".join(out)


def _text(field: Field, value: str, _today: date) -> FieldResult:
    """Validate ``text`` and ``textarea``."""
    allowed = _TEXTAREA_WHITESPACE if field.kind == "textarea" else _NO_WHITESPACE
    if field.kind == "textarea":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", value).strip()
    if any(_is_forbidden(char, allowed) for char in text):
        return _invalid(MESSAGES["invisible"])
    if not text:
        return _empty(field, "")
    if len(text) < field.min_length:
        return _invalid(MESSAGES["too_short"].format(min_length=field.min_length))
    if len(text) > field.max_length:
        return _invalid(MESSAGES["too_long"].format(max_length=field.max_length, length=len(text)))
    return _valid(text)


def _date(field: Field, value: str, today: date) -> FieldResult:
    """Validate ``date``: ``YYYY-MM-DD`` within the field's limits."""
    text = value.strip()
    if not text:
        return _empty(field, None)
    match = _DATE.fullmatch(text)
    if match is None:
        return _invalid(MESSAGES["date_format"])
    try:
        parsed = date(*(int(part) for part in match.groups()))
    except ValueError:
        return _invalid(MESSAGES["date_format"])
    if parsed > today and not field.allow_future:
        return _invalid(MESSAGES["date_future"])
    if parsed < field.earliest_date:
        return _invalid(MESSAGES["date_too_early"].format(min_date=field.earliest_date.isoformat()))
    return _valid(parsed)


def _time(field: Field, value: str, _today: date) -> FieldResult:
    """Validate ``time``: ``HH:MM`` on a 24-hour clock."""
    text = value.strip()
    if not text:
        return _empty(field, None)
    match = _TIME.fullmatch(text)
    if match is None:
        return _invalid(MESSAGES["time_format"])
    return _valid(time(int(match[1]), int(match[2])))


def _choice(field: Field, value: str, _today: date) -> FieldResult:
    """Validate ``choice``: exactly one of the declared values."""
    text = value.strip()
    if not text:
        return _empty(field, None)
    if text not in {choice.value for choice in field.choices}:
        return _invalid(MESSAGES["choice_invalid"])
    return _valid(text)


def _multichoice(field: Field, value: str, _today: date) -> FieldResult:
    """Validate ``multichoice``: a comma-separated subset of the declared values."""
    selected = {part.strip() for part in value.split(",")} - {""}
    if not selected:
        return _empty(field, [])
    allowed = [choice.value for choice in field.choices]
    if not selected <= set(allowed):
        return _invalid(MESSAGES["multichoice_invalid"])
    return _valid([item for item in allowed if item in selected])


def _toggle_text(field: Field, value: str, _today: date) -> FieldResult:
    """Validate ``toggle`` submitted as ``"true"``/``"false"`` (or empty)."""
    text = value.strip().lower()
    if not text:
        return _toggle(field, False)
    if text not in _TOGGLE_VALUES:
        return _invalid(MESSAGES["toggle_invalid"])
    return _toggle(field, _TOGGLE_VALUES[text])


def _toggle(field: Field, on: bool) -> FieldResult:
    """Check a toggle's state; a required toggle must be on."""
    raw = "true" if on else "false"
    if field.required and not on:
        return FieldResult(value=None, error=MESSAGES["required_toggle"], raw=raw)
    return FieldResult(value=on, error=None, raw=raw)


_VALIDATORS: Final[Mapping[str, Callable[[Field, str, date], FieldResult]]] = {
    "text": _text,
    "textarea": _text,
    "date": _date,
    "time": _time,
    "choice": _choice,
    "multichoice": _multichoice,
    "toggle": _toggle_text,
}


def _valid(value: object) -> FieldResult:
    return FieldResult(value=value, error=None, raw="")


def _invalid(message: str) -> FieldResult:
    return FieldResult(value=None, error=message, raw="")


def _empty(field: Field, empty_value: object) -> FieldResult:
    """Result for an empty value: the kind's empty value, or an error if required."""
    if not field.required:
        return _valid(empty_value)
    if field.kind == "choice":
        return _invalid(MESSAGES["required_choice"])
    if field.kind == "multichoice":
        return _invalid(MESSAGES["required_multichoice"])
    return _invalid(MESSAGES["required"])


def _is_forbidden(char: str, allowed: Collection[str]) -> bool:
    """Tell whether ``char`` is an invisible or control character not in ``allowed``."""
    return char not in allowed and unicodedata.category(char) in _FORBIDDEN_CATEGORIES


def _without_forbidden(value: str, *, keep: Collection[str]) -> str:
    """Drop forbidden characters (so they cannot hide an identity number from the guard)."""
    return "".join(char for char in value if not _is_forbidden(char, keep))


def _safe_raw(value: str, kind: str) -> str:
    """The submitted string made safe to re-render in the card.

    Format characters (bidi controls, zero-width characters …) are dropped and other control
    characters become spaces, except newlines and tabs in a ``textarea``.
    """
    allowed = _TEXTAREA_WHITESPACE if kind == "textarea" else _NO_WHITESPACE
    if kind == "textarea":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_safe_char(char, allowed) for char in value)


def _safe_char(char: str, allowed: Collection[str]) -> str:
    """Replace one character for :func:`_safe_raw`."""
    if not _is_forbidden(char, allowed):
        return char
    return "" if unicodedata.category(char) in {"Cf", "Cs"} else " "


def _describe_keys(keys: Sequence[object]) -> str:
    """Name unknown keys for the form-level error without echoing arbitrary client data.

    Only short identifier-like keys are named; any others are summed up as one label.
    """
    labels = sorted({key for key in keys if isinstance(key, str) and _SAFE_KEY.fullmatch(key)})
    if len(labels) < len(keys):
        labels.append(MESSAGES["unknown_key_unnamed"])
    shown = ", ".join(labels[:_MAX_UNKNOWN_KEYS_SHOWN])
    hidden = len(labels) - _MAX_UNKNOWN_KEYS_SHOWN
    return MESSAGES["unknown_keys_more"].format(shown=shown, hidden=hidden) if hidden > 0 else shown
