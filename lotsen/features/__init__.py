"""Features register their verbs and commands with the Assistant."""

from __future__ import annotations

import importlib

# Order matters for typed commands: earlier modules' commands are tried first.
FEATURES = (
    "lotsen.features.help",
    "lotsen.features.upkeep",  # coordinators' anchored commands ("testa: …") before any free-text intent
    "dialogs",
    "lotsen.features.vagvisare",  # described situations before contact questions and question answering
    "lotsen.features.contacts",
    "lotsen.features.qa",
)


def register_all(assistant) -> None:
    for name in FEATURES:
        importlib.import_module(name).register(assistant)
