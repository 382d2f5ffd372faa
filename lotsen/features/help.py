"""Welcome card (once, on install) and the "hjälp" card."""

from __future__ import annotations

from dataclasses import replace

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.turn import Out, Text

EXAMPLES = (
    "Vem kallar till SIP?",
    "Vad gör Försäkringskassan för personer utan SGI?",
    "Vilka kommuner ingår i Arena?",
    "Vad är en allvarlig avvikelse i samverkan?",
)
# The coordinators' help: sections, each with what to type and buttons that run the command.
COORDINATOR_SECTIONS = (
    {"title": "Avvikelser och förfrågningar",
     "text": "Koppla en Teams-kanal som tar emot ärendena: skriv **@Samverkanslotsen koppla kanal avvikelser "
             "Vetlanda** (eller arena, sip; **alla** för alla kommuner) i kanalen. Status ändrar du på ärendets kort. "
             "**status AVV-2026-0001** visar ett ärende, **exportera avvikelser** ger en fil till Excel.",
     "buttons": (("Lista avvikelser", "lista avvikelser"), ("Lista förfrågningar", "lista förfrågningar"),
                 ("Sammanställning i år", "sammanställning"))},
    {"title": "Kunskapsbasen",
     "text": "**testa: vem kallar till sip** visar hur en fråga matchas och varför, **testa vägvisare: <beskrivning>** hur Vägvisaren läser en situation. I listorna nedan kan du koppla "
             "en fråga till rätt svar eller markera den som utanför. Ändringar i YAML-filerna publicerar du med "
             "**ladda om kunskapsbasen**.",
     "buttons": (("Obesvarade frågor", "obesvarade frågor"), ("Feedback (👎)", "feedback"),
                 ("Ladda om kunskapsbasen", "ladda om kunskapsbasen"))},
    {"title": "Veckosammanfattning",
     "text": "Skriv **@Samverkanslotsen koppla kanal sammanfattning** i den kanal som ska få den varje vecka.",
     "buttons": (("Skicka sammanfattning nu", "skicka sammanfattning"),)},
)
RUNNABLE = frozenset(command for section in COORDINATOR_SECTIONS for _, command in section["buttons"])


async def show_help(ctx: Context) -> list[Out]:
    sections = [{"title": s["title"], "text": s["text"],
                 "buttons": [{"title": title, "data": {"verb": "help.run", "command": command}}
                             for title, command in s["buttons"]]} for s in COORDINATOR_SECTIONS]
    return [ctx.card("help", examples=list(EXAMPLES), coordinator=ctx.is_coordinator, sections=sections)]


async def welcome(ctx: Context) -> list[Out]:
    return [ctx.card("welcome", example=EXAMPLES[0])]


def register(assistant: Assistant) -> None:
    async def run(ctx: Context) -> list[Out]:
        """A help button: the command it names, as if typed (same permission checks)."""
        command = ctx.value.get("command")
        if not isinstance(command, str) or command not in RUNNABLE:
            return [Text("Jag känner inte igen den knappen. Skriv **hjälp** för att se vad jag kan.")]
        return await assistant.on_message(replace(ctx.turn, text=command, value=None), ctx.send_typing)

    assistant.verb("help.run", run)
    assistant.command("help", r"^(hjalp|help|\?|meny|menyn|vad kan du( gora)?\??|start|hej|hallå|hallo|tjena)[!.?]*$", show_help)
    assistant.verb("help.show", show_help)
    assistant.welcome_handler(welcome)
