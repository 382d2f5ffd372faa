"""Helpers for the coordinator-side tests: file a deviation over HTTP, connect a channel,
seed stored reports directly, and read cards."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.app_factory import create_app
from tests.support.edges import on_current_sdk
from lotsen import cases
from lotsen.settings import Settings
from lotsen.storage import Store
from tests.support.fake_connector import FakeConnector
from tests.support.teams import BOT, CASEWORKER, COORDINATOR, Person, Replies, TeamsClient, action
from tests.support.kinds import PREFIX

CHANNEL_CONV = "19:avvikelser-vetlanda@thread.tacv2;messageid=1"
TEAM_ID = "19:team-samverk@thread.tacv2"
CHANNEL_ID = "19:avvikelser-vetlanda@thread.tacv2"


def deviation_values(kommun: str = "vetlanda", *, feedback: bool = True, **overrides: Any) -> list[dict[str, Any]]:
    """Inputs for the three steps of the deviation form (as a card would submit them)."""
    steps = [
        {
            "datum": "2026-11-02",
            "kommun": kommun,
            "organisation": "kommun",
            "parter": "kommun,arbetsformedlingen",
            "insats": "sip",
        },
        {
            "beskrivning": "Arbetsförmedlingen uteblev från ett planerat SIP-möte och ingen ny tid erbjöds.",
            "allvarlighet": "allvarlig",
            "orsaker": "kommunikation,mote-ej-genomfort",
            "orsak_annat": "",
            "konsekvenser": "sip-forsvaras,frustration",
            "konsekvens_annat": "",
        },
        {
            "sip": "kallad-part-uteblev",
            "losningar": "informationsutbyte",
            "losning_text": "",
            "atgarder": "dialog",
            "atgard_text": "",
            "aterkoppling": "true" if feedback else "false",
        },
    ]
    for step in steps:
        for key in list(step):
            if key in overrides:
                step[key] = overrides[key]
    return steps


async def file_deviation(
    teams: TeamsClient,
    *,
    person: Person = CASEWORKER,
    conversation: str = "personal-1",
    conversation_type: str = "personal",
    kommun: str = "vetlanda",
    feedback: bool = True,
    **overrides: Any,
) -> Replies:
    """Walk the caseworker's deviation flow (by default in their personal chat); returns the
    replies to "Skicka" (the receipt, and whatever the bot posted elsewhere meanwhile)."""
    where = {"person": person, "conversation": conversation, "conversation_type": conversation_type}
    card = await review_deviation(teams, kommun=kommun, feedback=feedback, **where, **overrides)
    return await teams.click(action(card, "Skicka"), **where)


async def review_deviation(
    teams: TeamsClient,
    *,
    person: Person = CASEWORKER,
    conversation: str = "personal-1",
    conversation_type: str = "personal",
    kommun: str = "vetlanda",
    feedback: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """Walk the deviation flow up to the review card (with its "Skicka" button); returns that card."""
    where = {"person": person, "conversation": conversation, "conversation_type": conversation_type}
    replies = await teams.send("rapportera avvikelse", **where)
    card = replies.cards[-1]
    replies = await teams.click(action(card, "Fyll i rapporten"), **where)
    card = replies.cards[-1]
    for inputs in deviation_values(kommun, feedback=feedback, **overrides):
        act = (
            action(card, "Nästa") if any(a.get("title") == "Nästa" for a in _actions(card)) else action(card, "Granska")
        )
        replies = await teams.click(act, inputs, **where)
        assert replies.cards, f"no card after a step: {replies.texts}"
        card = replies.cards[-1]
    return card


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.support.teams import submit_actions

    return submit_actions(card)


def mention_entities(text: str = "<at>Samverkanslotsen</at>") -> list[dict[str, Any]]:
    return [{"type": "mention", "text": text, "mentioned": {"id": BOT["id"], "name": BOT["name"]}}]


def channel_data(*, team_id: str = TEAM_ID, channel_id: str = CHANNEL_ID) -> dict[str, Any]:
    return {
        "tenant": {"id": "00000000-0000-0000-0000-000000000001"},
        "team": {"id": team_id, "name": "Samverk Vetlanda"},
        "channel": {"id": channel_id, "name": "Avvikelser"},
    }


async def in_channel(
    teams: TeamsClient, command: str, *, person: Person = COORDINATOR, conversation: str = CHANNEL_CONV, **kw: Any
) -> Replies:
    """Post "@Samverkanslotsen <command>" in a Teams channel, with the mention entity Teams sends."""
    return await teams.send(
        f"<at>Samverkanslotsen</at> {command}",
        person=person,
        conversation=conversation,
        conversation_type="channel",
        channel_data=channel_data(),
        entities=mention_entities(),
        **kw,
    )


async def seed_case(
    store: Store,
    *,
    municipality: str | None = "vetlanda",
    parter: list[str] | None = None,
    orsaker: list[str] | None = None,
    konsekvenser: list[str] | None = None,
    allvarlighet: str = "allvarlig",
    losningar: list[str] | None = None,
    atgarder: list[str] | None = None,
    status: str | None = None,
    kind: str = "avvikelse",
    reporter: Person = CASEWORKER,
    wants_feedback: bool = False,
    **values: Any,
) -> cases.Case:
    """Store a report directly (as the form would), optionally moved on to `status`."""
    data_values = {
        "datum": "2026-03-01",
        "kommun": municipality,
        "organisation": "kommun",
        "parter": parter if parter is not None else ["kommun"],
        "insats": "sip",
        "beskrivning": "En avidentifierad beskrivning av vad som hände i samverkan.",
        "allvarlighet": allvarlighet,
        "orsaker": orsaker if orsaker is not None else ["kommunikation"],
        "orsak_annat": "",
        "konsekvenser": konsekvenser if konsekvenser is not None else ["utan-stod"],
        "konsekvens_annat": "",
        "sip": "ej-aktuellt",
        "losningar": losningar or [],
        "losning_text": "",
        "atgarder": atgarder or [],
        "atgard_text": "",
        "aterkoppling": wants_feedback,
    }
    data_values.update(values)
    case, _ = await cases.file_case(
        store,
        kind=kind,
        prefix=PREFIX[kind],
        form_id=uuid.uuid4().hex,
        municipality=municipality,
        reporter_aad=reporter.aad,
        reporter_name=reporter.name,
        reporter_ref=None,
        wants_feedback=wants_feedback,
        data={"values": data_values, "context": {}},
    )
    if status and status != "mottagen":
        case = await cases.change_status(store, case, status, COORDINATOR.aad)
    return case


class Clock:
    """A settable clock for Store(clock=…): reports get the creation time a test chooses."""

    def __init__(self, moment: datetime | None = None):
        self.moment = moment or datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)

    def set(self, *args: int) -> None:
        self.moment = datetime(*args, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.moment


async def start_bot_with_store(connector: FakeConnector, settings: Settings, store: Store) -> TeamsClient:
    """Like tests.conftest.start_bot, on a store the test made (e.g. with a Clock)."""
    app = create_app(on_current_sdk(settings), store=store)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    tc = TeamsClient(client, connector, connector.url)
    tc.app = app
    return tc


# --- a year of reports in the shape of Bilaga 6 (2024: 9 reports, all serious, Kommun 8, Regionen 5, AF 5, FK 1)


@dataclass(frozen=True)
class Seed:
    when: tuple[int, ...]  # UTC
    kommun: str | None
    parter: tuple[str, ...]
    orsaker: tuple[str, ...]
    konsekvenser: tuple[str, ...]
    losningar: tuple[str, ...]
    atgarder: tuple[str, ...]
    status: str = "mottagen"
    allvarlighet: str = "allvarlig"
    extra: tuple[tuple[str, str], ...] = ()


BILAGA6_2024 = (
    # two Region units in one report: Regionen counts the report once
    Seed(
        (2024, 1, 15, 9),
        "vetlanda",
        ("kommun", "region-primarvard", "region-psykiatri", "arbetsformedlingen"),
        ("kommunikation", "ansvar-otydligt"),
        ("utan-stod", "arbetsloshet"),
        ("informationsutbyte",),
        ("dialog",),
        "avslutad",
    ),
    Seed(
        (2024, 2, 3, 10),
        "vetlanda",
        ("kommun", "region-psykiatri"),
        ("kommunikation",),
        ("utan-stod",),
        ("sip-tidigt",),
        ("dialog",),
        "avslutad",
    ),
    Seed(
        (2024, 3, 20, 13),
        "aneby",
        ("kommun", "region-psykiatri", "arbetsformedlingen"),
        ("ansvar-otydligt", "mote-ej-genomfort"),
        ("sjukskrivning",),
        ("sip-tidigt", "informationsutbyte"),
        ("dialog",),
        "atgardad",
    ),
    Seed(
        (2024, 5, 6, 8),
        "jonkoping",
        ("kommun", "region-specialistvard"),
        ("kommunikation",),
        ("utan-stod", "frustration"),
        ("processbeskrivning",),
        ("ingen",),
        "atgardad",
    ),
    Seed(
        (2024, 6, 11, 12),
        "vetlanda",
        ("kommun", "region-primarvard", "arbetsformedlingen"),
        ("kommunikation", "annat"),
        ("arbetsloshet",),
        (),
        ("dialog",),
        "under-utredning",
        extra=(("orsak_annat", "Tolk saknades vid mötet"),),
    ),
    Seed(
        (2024, 8, 19, 9),
        "aneby",
        ("kommun", "arbetsformedlingen"),
        ("ansvar-otydligt",),
        ("utan-stod",),
        ("informationsutbyte",),
        ("dialog",),
        "under-utredning",
    ),
    Seed(
        (2024, 9, 2, 14),
        "jonkoping",
        ("kommun", "arbetsformedlingen", "forsakringskassan"),
        ("kommunikation", "mote-ej-genomfort"),
        ("sjukskrivning", "arbetsloshet"),
        ("sip-tidigt",),
        ("dialog",),
        "under-utredning",
        extra=(("losning_text", "=Gemensam checklista för remisser"),),
    ),
    Seed(
        (2024, 10, 28, 10),
        "aneby",
        ("kommun",),
        ("kommunikation",),
        ("utan-stod",),
        ("informationsutbyte",),
        ("dialog",),
    ),
    # 23:30 UTC on 31 December is 00:30 on 1 January in Sweden: counted in 2025, not 2024
    Seed(
        (2024, 12, 31, 23, 30),
        "vetlanda",
        ("kommun", "region-psykiatri"),
        ("tillit",),
        ("dubbelarbete",),
        (),
        ("ingen",),
        allvarlighet="ej-allvarlig",
    ),
    # 22:30 UTC on 31 December is 23:30 the same day in Sweden: still 2024
    Seed(
        (2024, 12, 31, 22, 30),
        "vetlanda",
        ("finansierad-insats",),
        ("ansvar-otydligt",),
        ("utan-stod",),
        (),
        ("ingen",),
    ),
    Seed(
        (2023, 11, 1, 9), "vetlanda", ("kommun",), ("tillit",), ("dubbelarbete",), (), (), allvarlighet="ej-allvarlig"
    ),  # the year before
)


async def seed_reports(store: Store, clock: Clock, seeds: tuple[Seed, ...] = BILAGA6_2024) -> list[cases.Case]:
    filed = []
    for seed in seeds:
        clock.set(*seed.when)
        filed.append(
            await seed_case(
                store,
                municipality=seed.kommun,
                parter=list(seed.parter),
                orsaker=list(seed.orsaker),
                konsekvenser=list(seed.konsekvenser),
                losningar=list(seed.losningar),
                atgarder=list(seed.atgarder),
                status=seed.status,
                allvarlighet=seed.allvarlighet,
                **dict(seed.extra),
            )
        )
    return filed


def card_sections(card: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A compilation card as {section title: {row label: value}} (bold separated headings + FactSets)."""
    out: dict[str, dict[str, str]] = {}
    current = None
    for element in card["body"]:
        if element.get("type") == "TextBlock" and element.get("weight") == "Bolder" and element.get("separator"):
            current = element["text"]
            out[current] = {}
        elif element.get("type") == "FactSet" and current is not None:
            out[current].update({f["title"]: f["value"] for f in element["facts"]})
    return out


def section_texts(card: dict[str, Any], title: str) -> list[str]:
    """The free-text lines under one section of the compilation card."""
    lines, inside = [], False
    for element in card["body"]:
        if element.get("type") == "TextBlock" and element.get("weight") == "Bolder" and element.get("separator"):
            inside = element["text"] == title
        elif element.get("separator"):
            inside = False
        elif inside and element.get("type") == "TextBlock":
            lines.append(element["text"])
    return lines
