"""One module per feature; each has `register(assistant)`. The composition root
(bot/composition.py) lists them in order; the core never loads a feature by name."""

from __future__ import annotations

from typing import Callable

from lotsen.assistant import Assistant

Feature = Callable[[Assistant], None]  # registers a feature's verbs, commands and hooks
