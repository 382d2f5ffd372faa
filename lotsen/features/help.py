"""Welcome card (once, on install) and the "hjälp" card."""

from __future__ import annotations

from dataclasses import replace

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.texts import say, say_list
from lotsen.turn import Out, Text

EXAMPLES = say_list("help.examples")
# The coordinators' help: sections, each with what to type and buttons that run the command.
COORDINATOR_SECTIONS = (
    {
        "title": say("help.cases_title"),
        "text": say("help.cases_text"),
        "buttons": (
            (say("help.list_deviations"), "lista avvikelser"),
            (say("help.list_requests"), "lista förfrågningar"),
            (say("help.compilation"), "sammanställning"),
        ),
    },
    {
        "title": say("help.kb_title"),
        "text": say("help.kb_text"),
        "buttons": (
            (say("help.unanswered"), "obesvarade frågor"),
            (say("help.feedback"), "feedback"),
            (say("help.reload"), "ladda om kunskapsbasen"),
        ),
    },
    {
        "title": say("help.digest_title"),
        "text": say("help.digest_text"),
        "buttons": ((say("help.send_digest"), "skicka sammanfattning"),),
    },
)
RUNNABLE = frozenset(command for section in COORDINATOR_SECTIONS for _, command in section["buttons"])


async def show_help(ctx: Context) -> list[Out]:
    sections = [
        {
            "title": s["title"],
            "text": s["text"],
            "buttons": [
                {"title": title, "data": {"verb": "help.run", "command": command}} for title, command in s["buttons"]
            ],
        }
        for s in COORDINATOR_SECTIONS
    ]
    return [ctx.card("help", examples=list(EXAMPLES), coordinator=ctx.is_coordinator, sections=sections)]


async def welcome(ctx: Context) -> list[Out]:
    return [ctx.card("welcome", example=EXAMPLES[0])]


def register(assistant: Assistant) -> None:
    async def run(ctx: Context) -> list[Out]:
        """A help button: the command it names, as if typed (same permission checks)."""
        command = ctx.value.get("command")
        if not isinstance(command, str) or command not in RUNNABLE:
            return [Text(say("help.unknown_button"))]
        return await assistant.on_message(replace(ctx.turn, text=command, value=None), ctx.send_typing)

    assistant.verb("help.run", run)
    assistant.command(
        "help", r"^(hjalp|help|\?|meny|menyn|vad kan du( gora)?\??|start|hej|hallå|hallo|tjena)[!.?]*$", show_help
    )
    assistant.verb("help.show", show_help)
    assistant.welcome_handler(welcome)
