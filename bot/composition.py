"""The composition root: which features the bot offers, in which order, over which services.

This is the one module that joins the domain core (lotsen) and the guided flows (dialogs);
create_app builds the assistant here. No SDK imports: tests build the same assistant."""

from __future__ import annotations

from typing import Sequence

import dialogs
from dialogs.engine import Flow
from lotsen.assistant import Assistant
from lotsen.casekinds import CaseKinds
from lotsen.context import Services
from lotsen.kb.model import KnowledgeBase
from lotsen.features import Feature, contacts, delivery, help, qa, teach, upkeep, vagvisare


def build_flows() -> tuple[Flow, ...]:
    """The guided flows (deviation report, Arena and SIP requests), one per case kind."""
    return dialogs.build_flows()


def case_kinds(flows: Sequence[Flow], kb: KnowledgeBase) -> CaseKinds:
    """The case kind registry handed to every handler (Services.kinds), built from the form files
    of the knowledge base the application starts with."""
    return dialogs.case_kinds(flows, kb)


def features(flows: Sequence[Flow]) -> tuple[Feature, ...]:
    """The features, in order: earlier features' typed commands are tried first."""
    return (
        help.register,
        upkeep.register,  # coordinators' anchored commands ("testa: …") before any free-text intent
        delivery.register,  # "leveranser": what the outbox could not deliver
        teach.register,  # coordinators teach the bot from the chat (buttons in upkeep's lists)
        dialogs.feature(flows),  # deviation reports, Arena/SIP requests, case handling and reports
        vagvisare.register,  # Vägvisaren: described situations before contact questions and question answering
        contacts.register,
        qa.register,  # the fallback: question answering
    )


def build_assistant(services: Services, flows: Sequence[Flow]) -> Assistant:
    """The router with every feature registered; `services.kinds` must be `case_kinds(flows)`."""
    assistant = Assistant(services)
    for register in features(flows):
        register(assistant)
    return assistant
