"""Welcome card (once, on install) and the "hjälp" card."""

from __future__ import annotations

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.turn import Out

EXAMPLES = (
    "Vem kallar till SIP?",
    "Vad gör Försäkringskassan för personer utan SGI?",
    "Vilka kommuner ingår i Arena?",
    "Vad är en allvarlig avvikelse i samverkan?",
)
COORDINATOR_HELP = (
    "I en kanal: @Samverkanslotsen koppla kanal avvikelser|arena|sip <kommun> · lista avvikelser · "
    "sammanställning <år> · exportera avvikelser. "
    "I chatten: testa: <fråga> · ladda om kunskapsbasen · obesvarade frågor [dagar] · feedback [dagar] · "
    "skicka sammanfattning (till kanalen som kopplats med koppla kanal sammanfattning) · "
    "testa vägvisare: <beskrivning>."
)


async def show_help(ctx: Context) -> list[Out]:
    return [ctx.card("help", examples=list(EXAMPLES), coordinator=ctx.is_coordinator, coordinator_help=COORDINATOR_HELP)]


async def welcome(ctx: Context) -> list[Out]:
    return [ctx.card("welcome", example=EXAMPLES[0])]


def register(assistant: Assistant) -> None:
    assistant.command("help", r"^(hjalp|help|\?|meny|menyn|vad kan du( gora)?\??|start|hej|hallå|hallo|tjena)[!.?]*$", show_help)
    assistant.verb("help.show", show_help)
    assistant.welcome_handler(welcome)
