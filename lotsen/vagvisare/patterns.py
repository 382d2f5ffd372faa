"""The vocabulary's pattern language and its matcher.

A pattern is written as words separated by spaces (see knowledge/SCHEMA.md):

    ord      the word (diacritics folded, so "ångest" also matches "angest"); a typo is
             tolerated in words of at least six letters (not in the first letter). A word
             typed without the pattern's diacritics that is another Swedish word does not
             match: "varken" is not "värk*", "smartast" not "smärta*" (`_other_word`)
    ord*     any word starting with "ord" ("depression*" matches "depressionen")
    {tal}    a number, in digits or words ("3", "tre"); its value is captured
    …        up to three other words ("saknar … sgi" matches "saknar helt sgi")

Text is matched as a list of folded word tokens; every match knows which tokens it covers,
so the words a fact came from can be shown to the user.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rapidfuzz import fuzz

from lotsen.frequency import FLOOR_ZIPF, typed_zipf
from lotsen.text import fold
from lotsen.texts import say
from lotsen.vagvisare.model import Element, Pattern

GAP_WORDS = 3
TYPO_MIN_LEN = 6
TYPO_SCORE = 85
# A word typed without a pattern's diacritics is another word when it is this much more common as
# spelt (Zipf) than with them: "varken" (4.9) is not "värken" (3.0), "smartast" not "smärta*"; "lag"
# (5.3) may still be "låg" (5.2) typed plainly, "provade" "prövade" (the vocabulary spells out a
# plain form it means: "provat allt").
OTHER_WORD_MARGIN = 0.5
_TOKEN = re.compile(r"[0-9a-zåäöéüæø]+", re.IGNORECASE)
_GAP = ("…", "...")
NUMBER_PLACEHOLDER = "{tal}"

NUMBER_WORDS = {
    "en": 1,
    "ett": 1,
    "två": 2,
    "tva": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "atta": 8,
    "nio": 9,
    "tio": 10,
    "elva": 11,
    "tolv": 12,
    "tretton": 13,
    "fjorton": 14,
    "femton": 15,
    "sexton": 16,
    "sjutton": 17,
    "arton": 18,
    "nitton": 19,
    "tjugo": 20,
    "trettio": 30,
    "fyrtio": 40,
    "femtio": 50,
}
_FOLDED_NUMBER_WORDS = {fold(k): v for k, v in NUMBER_WORDS.items()}


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    text: str  # folded
    start: int  # character offsets in the original text
    end: int
    typed: str = ""  # lower case, as typed


def tokenize(text: str) -> list[Token]:
    normal = unicodedata.normalize("NFC", text)
    return [Token(fold(m.group(0)), m.start(), m.end(), m.group(0).lower()) for m in _TOKEN.finditer(normal)]


def number_value(token: str) -> int | None:
    if token.isdigit() and len(token) <= 4:
        return int(token)
    return _FOLDED_NUMBER_WORDS.get(token)


def compile_pattern(text: str) -> Pattern:
    """ "saknar … sgi" → its elements; PatternError for an empty or malformed pattern."""
    elements: list[Element] = []
    for piece in text.strip().split():
        if piece in _GAP:
            if not elements or elements[-1].kind == "gap":
                raise PatternError(say("vagvisare_check.pattern_gap", pattern=repr(text)))
            elements.append(Element("gap"))
            continue
        if piece == NUMBER_PLACEHOLDER:
            elements.append(Element("number"))
            continue
        if "{" in piece or "}" in piece:
            raise PatternError(
                say(
                    "vagvisare_check.pattern_placeholder", pattern=repr(text), piece=repr(piece), tal=NUMBER_PLACEHOLDER
                )
            )
        prefix = piece.endswith("*")
        typed_words = _TOKEN.findall(unicodedata.normalize("NFC", piece.rstrip("*").lower()))
        if not typed_words:
            raise PatternError(say("vagvisare_check.pattern_no_word", pattern=repr(text), piece=repr(piece)))
        for i, typed in enumerate(typed_words):
            word = fold(typed)
            last = i == len(typed_words) - 1
            elements.append(Element("prefix" if prefix and last else "word", word, typed if typed != word else ""))
    if not elements or elements[-1].kind == "gap":
        raise PatternError(say("vagvisare_check.pattern_empty", pattern=repr(text)))
    return Pattern(text=text.strip(), elements=tuple(elements))


@lru_cache(maxsize=200_000)
def word_matches(token: str, element_kind: str, word: str) -> bool:
    if element_kind == "word":
        if token == word:
            return True
        return (
            len(word) >= TYPO_MIN_LEN
            and token[:1] == word[:1]
            and abs(len(token) - len(word)) <= 2
            and fuzz.ratio(token, word) >= TYPO_SCORE
        )
    # prefix
    if token.startswith(word):
        return True
    if len(word) >= TYPO_MIN_LEN and token[:1] == word[:1] and len(token) >= len(word) - 1:
        head = token[: len(word) + 1]
        return max(fuzz.ratio(token[: len(word)], word), fuzz.ratio(head, word)) >= TYPO_SCORE
    return False


@lru_cache(maxsize=50_000)
def _other_word(typed_token: str, element_kind: str, word: str, typed_word: str) -> bool:
    """Whether a word that matched a pattern's word folded is another Swedish word. Only a word
    typed without the pattern's diacritics can be: matched as it folds, when it is more common as
    spelt than the pattern's word with the rest of the token, by OTHER_WORD_MARGIN ("varken" 4.9
    against "värken" 3.0; "smartast" against "smärtast", no word); matched as a typo, when it is
    a listed word at all ("smartast" is no typo of "smärta"). "angest" and "smarta" (as common
    as "smärta") still match."""
    if not typed_word or all(c in typed_token for c in typed_word if fold(c) != c):
        return False  # typed with the pattern's diacritics (or the pattern has none)
    as_typed = typed_zipf(typed_token)
    if as_typed <= FLOOR_ZIPF:
        return False
    token = fold(typed_token)
    if token == word or (element_kind == "prefix" and token.startswith(word)):
        restored = typed_word + typed_token[len(typed_word) :]
        return as_typed >= typed_zipf(restored) + OTHER_WORD_MARGIN
    return True  # a typo match of a word Swedish already has


@dataclass(frozen=True)
class Match:
    pattern: Pattern
    start: int  # token index
    end: int  # exclusive
    numbers: tuple[int, ...] = ()


def _match_at(elements: tuple[Element, ...], tokens: list[Token], i: int) -> tuple[int, tuple[int, ...]] | None:
    """Longest match of `elements` starting at token i: (end, captured numbers)."""
    if not elements:
        return i, ()
    head, rest = elements[0], elements[1:]
    if head.kind == "gap":
        best = None
        for skip in range(0, GAP_WORDS + 1):
            if i + skip > len(tokens):
                break
            found = _match_at(rest, tokens, i + skip)
            if found and (best is None or found[0] > best[0]):
                best = found
        return best
    if i >= len(tokens):
        return None
    tok = tokens[i].text
    if head.kind == "number":
        value = number_value(tok)
        if value is None:
            return None
        found = _match_at(rest, tokens, i + 1)
        return (found[0], (value, *found[1])) if found else None
    if not word_matches(tok, head.kind, head.text):
        return None
    if head.typed and tokens[i].typed and _other_word(tokens[i].typed, head.kind, head.text, head.typed):
        return None
    return _match_at(rest, tokens, i + 1)


def find_all(pattern: Pattern, tokens: list[Token]) -> list[Match]:
    out = []
    for i in range(len(tokens)):
        found = _match_at(pattern.elements, tokens, i)
        if found:
            out.append(Match(pattern, i, found[0], found[1]))
    return out


class PatternSet:
    """Many patterns matched against one text in one pass, with the same results as `find_all`
    on each of them.

    `find_all` tries every pattern at every word: with the vocabulary's ~700 patterns that is
    most of a turn. Here the patterns are indexed by their first element, so a word only starts
    the patterns it can start: exact words and prefixes by dictionary lookup, typo-tolerant heads
    (six letters or more) by their first letter, which `word_matches` requires anyway. What each
    distinct word can start is remembered (the vocabulary of a chat repeats)."""

    MEMO_LIMIT = 50_000

    def __init__(self, patterns: Iterable[Pattern]):
        self.patterns: dict[int, Pattern] = {}
        self._exact: dict[str, list[Pattern]] = {}
        self._prefix: dict[str, list[Pattern]] = {}
        self._typo: dict[tuple[str, str, str], list[Pattern]] = {}  # (first letter, kind, word)
        self._numbers: list[Pattern] = []
        self._anywhere: list[Pattern] = []  # a head no index covers: tried at every word
        for pattern in patterns:
            if id(pattern) in self.patterns:
                continue
            self.patterns[id(pattern)] = pattern
            head = pattern.elements[0] if pattern.elements else None
            if (
                head is None
                or head.kind not in ("word", "prefix", "number")
                or (head.kind != "number" and not head.text)
            ):
                self._anywhere.append(pattern)
            elif head.kind == "number":
                self._numbers.append(pattern)
            else:
                (self._exact if head.kind == "word" else self._prefix).setdefault(head.text, []).append(pattern)
                if len(head.text) >= TYPO_MIN_LEN:
                    self._typo.setdefault((head.text[0], head.kind, head.text), []).append(pattern)
        self._typo_by_letter: dict[str, list[tuple[str, str, list[Pattern]]]] = {}
        for (letter, kind, word), group in self._typo.items():
            self._typo_by_letter.setdefault(letter, []).append((kind, word, group))
        self._memo: dict[str, tuple[Pattern, ...]] = {}

    def _starts(self, token: str) -> tuple[Pattern, ...]:
        """The patterns whose first element matches this (folded) word."""
        found = self._memo.get(token)
        if found is not None:
            return found
        out: dict[int, Pattern] = {}
        for pattern in self._exact.get(token, ()):
            out[id(pattern)] = pattern
        for end in range(1, len(token) + 1):
            for pattern in self._prefix.get(token[:end], ()):
                out[id(pattern)] = pattern
        for kind, word, group in self._typo_by_letter.get(token[:1], ()):
            if word_matches(token, kind, word):
                for pattern in group:
                    out[id(pattern)] = pattern
        if number_value(token) is not None:
            for pattern in self._numbers:
                out[id(pattern)] = pattern
        for pattern in self._anywhere:
            out[id(pattern)] = pattern
        found = tuple(out.values())
        if len(self._memo) >= self.MEMO_LIMIT:
            self._memo.clear()
        self._memo[token] = found
        return found

    def scan(self, tokens: list[Token]) -> Scan:
        matches: dict[int, list[Match]] = {}
        for i, token in enumerate(tokens):
            for pattern in self._starts(token.text):
                found = _match_at(pattern.elements, tokens, i)
                if found:
                    matches.setdefault(id(pattern), []).append(Match(pattern, i, found[0], found[1]))
        return Scan(self, tokens, matches)


class Scan:
    """The matches of a PatternSet's patterns in one text; `find_all(pattern)` as the function."""

    def __init__(self, patterns: PatternSet, tokens: list[Token], matches: dict[int, list[Match]]):
        self._patterns, self._tokens, self._matches = patterns, tokens, matches

    def find_all(self, pattern: Pattern) -> list[Match]:
        found = self._matches.get(id(pattern))
        if found is not None:
            return found
        return [] if id(pattern) in self._patterns.patterns else find_all(pattern, self._tokens)
