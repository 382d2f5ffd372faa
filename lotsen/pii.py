"""Detect Swedish personal identity numbers in free text.

Reports and requests are free-text case documents that must stay de-identified, so every
free-text input is scanned for *personnummer* and *samordningsnummer* before it is accepted
(see ``docs/ARCHITECTURE.md`` and the reliability anchors §9). This module is pure Python and
has no dependencies outside the standard library.

Recognised forms (``Y`` year, ``M`` month, ``D`` day, ``N`` serial, ``C`` check digit)::

    YYYYMMDD-NNNC   YYYYMMDD NNNC   YYYYMMDDNNNC      12 digits, century written out
    YYMMDD-NNNC     YYMMDD+NNNC     YYMMDD NNNC       10 digits
    YYMMDDNNNC

A candidate counts as an identity number only if

* it is not part of a longer run of digits,
* its date exists (a samordningsnummer adds 60 to the day: born on the 1st gives ``61``);
  with two year digits the centuries 18, 19 and 20 are tried, with four digits the century
  must be one of those, and
* its last digit is the Luhn check digit over the ten-digit form ``YYMMDDNNN``.

Phone numbers, dates, organisation numbers (month 20 or more) and reference numbers such as
``AVV-2026-0007`` therefore pass. A phone number written as ten bare digits can still match
by chance (about one in ten of those whose first six digits form a date); the guard errs on
the side of privacy.

The separator may be a hyphen (including the Unicode hyphen, non-breaking hyphen, figure
dash, en dash and minus sign that word processors substitute), a plus sign or a slash, with at
most one space (or no-break space) on either side, or just one or two spaces. The date itself may
be split into year, month and day by one hyphen, slash or space each (``12-12-12-1212``,
``1212 12-1212``); then the separator before the last four digits must be a hyphen, plus sign or
slash, so a date followed by a time (``2024-11-23 1430``) is not taken for an identity number. Any Unicode decimal
digits count, so full-width digits cannot be used to slip past the guard.

The functions never log, store or return the number itself: a :class:`Match` only carries
its position and kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

__all__ = [
    "DEFAULT_REPLACEMENT",
    "IdentityKind",
    "Match",
    "contains_identity_number",
    "find_identity_numbers",
    "redact",
]

IdentityKind = Literal["personnummer", "samordningsnummer"]

DEFAULT_REPLACEMENT: Final = "[personnummer borttaget]"

# Characters a user (or a word processor) may put between the date and the last four digits.
_DASHES: Final = "\\-\u2010\u2011\u2012\u2013\u2212"
_SPACES: Final = " \u00a0"
# Between year, month and day (``12-12-12-1212``, ``1212 12-1212``): at most one of these.
_DATE_SEPARATORS: Final = _DASHES + _SPACES + "/"

_CANDIDATE: Final = re.compile(
    rf"""
    (?<!\d)                         # not preceded by a digit
    (?P<century>\d{{2}})?
    (?P<yy>\d{{2}})(?P<sep1>[{_DATE_SEPARATORS}]?)
    (?P<mm>\d{{2}})(?P<sep2>[{_DATE_SEPARATORS}]?)
    (?P<dd>\d{{2}})
    (?P<sep>[{_SPACES}]?[{_DASHES}+/]?[{_SPACES}]?)
    (?P<serial>\d{{3}})(?P<check>\d)
    (?!\d)                          # not followed by a digit
    """,
    re.VERBOSE,
)

# Centuries a person alive today (or recently deceased) can be born in.
_CENTURIES: Final = (18, 19, 20)

# A samordningsnummer adds this to the day of birth.
_COORDINATION_OFFSET: Final = 60


@dataclass(frozen=True, slots=True)
class Match:
    """Where an identity number was found: ``text[start:end]``, and which kind it is."""

    start: int
    end: int
    kind: IdentityKind


def find_identity_numbers(text: str) -> list[Match]:
    """Return every personnummer and samordningsnummer in ``text``, in order of appearance."""
    matches: list[Match] = []
    for candidate in _CANDIDATE.finditer(text):
        kind = _classify(candidate)
        if kind is not None:
            matches.append(Match(candidate.start(), candidate.end(), kind))
    return matches


def contains_identity_number(text: str) -> bool:
    """Tell whether ``text`` contains at least one personnummer or samordningsnummer."""
    return any(_classify(candidate) is not None for candidate in _CANDIDATE.finditer(text))


def redact(text: str, replacement: str = DEFAULT_REPLACEMENT) -> str:
    """Return ``text`` with every identity number replaced by ``replacement``."""
    parts: list[str] = []
    position = 0
    for match in find_identity_numbers(text):
        parts.append(text[position : match.start])
        parts.append(replacement)
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def _classify(candidate: re.Match[str]) -> IdentityKind | None:
    """Return the kind of a regex candidate, or ``None`` if its date or check digit is wrong."""
    yy, mm, dd = (int(candidate[name]) for name in ("yy", "mm", "dd"))
    serial, check = candidate["serial"], int(candidate["check"])

    if (candidate["sep1"] or candidate["sep2"]) and not candidate["sep"].strip(_SPACES):
        return None  # a split date needs a hyphen, plus or slash before the serial

    kind: IdentityKind = "personnummer"
    if dd > _COORDINATION_OFFSET:
        kind = "samordningsnummer"
        dd -= _COORDINATION_OFFSET

    if candidate["century"] is not None:
        century = int(candidate["century"])
        if century not in _CENTURIES or not _is_date(century * 100 + yy, mm, dd):
            return None
    elif not any(_is_date(c * 100 + yy, mm, dd) for c in _CENTURIES):
        return None

    digits = candidate["yy"] + candidate["mm"] + candidate["dd"] + serial
    if _luhn_check_digit(digits) != check:
        return None
    return kind


def _is_date(year: int, month: int, day: int) -> bool:
    """Tell whether ``year-month-day`` is a real calendar date."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _luhn_check_digit(digits: str) -> int:
    """Return the Luhn check digit for nine digits (weights 2, 1, 2, … from the left)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10
