"""The composition root: which features the bot offers, in which order, over which services.

This is the one module that joins the domain core (lotsen) and the guided flows (dialogs);
create_app builds the assistant here. No SDK imports: tests build the same assistant."""

from __future__ import annotations

from typing import Sequence

import dialogs
from lotsen.assistant import Assistant
from lotsen.context import Services
from lotsen.features import Feature, contacts, help, qa, teach, upkeep

# Order matters for typed commands: earlier features' commands are tried first.
FEATURES: tuple[Feature, ...] = (
    help.register,
    upkeep.register,  # coordinators' anchored commands ("testa: …") before any free-text intent
    teach.register,  # coordinators teach the bot from the chat (buttons in upkeep's lists)
    dialogs.register,  # deviation reports, Arena/SIP requests, case handling and reports
    contacts.register,
    qa.register,  # the fallback: question answering
)


def build_assistant(services: Services, features: Sequence[Feature] = FEATURES) -> Assistant:
    assistant = Assistant(services)
    for register in features:
        register(assistant)
    return assistant
