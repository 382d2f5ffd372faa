"""LIX (läsbarhetsindex, Björnsson 1968) for Swedish text.

LIX = words / sentences + 100 × long words / words, where a long word has more than six
letters. Under 30 very easy, 30–40 easy, 40–50 medium, 50–60 difficult, over 60 very difficult.
List items and lines count as sentences (a bullet is read as one unit).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n+")


def lix(text: str) -> float:
    """The LIX of `text`; 0.0 for text without words."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    long_words = sum(1 for w in words if len(w.replace("-", "")) > 6)
    return len(words) / max(1, len(sentences)) + 100 * long_words / len(words)
