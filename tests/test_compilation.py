"""The yearly compilation (shape of Bilaga 6), the coordinators' list and the CSV export.

Reports are seeded with lotsen.cases.file_case on a store with a settable clock, so the
dates they came in are known; the 2024 set mirrors Bilaga 6 of seed 003 (9 reports, all
serious; Kommun 8, Regionen 5 varav psykiatri 3 …, Arbetsförmedlingen 5, Försäkringskassan 1).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime

import pytest

from bot.app_factory import SERVICES
from dialogs.reports import LIST_CAP, compile_deviations, parse_filters
from lotsen import cases
from lotsen.kb import load_knowledge_base
from lotsen.storage import connect
from scripts import export_cases
from tests.conftest import FIXTURE_KB, make_settings
from tests.support.reports import (
    BILAGA6_2024,
    Clock,
    card_sections,
    file_deviation,
    section_texts,
    seed_case,
    seed_reports,
    start_bot_with_store,
)
from tests.support.teams import COORDINATOR, action, card_strings

KB = load_knowledge_base(FIXTURE_KB)


async def run_export(argv, **streams):
    """scripts.export_cases as an operator runs it: its own event loop (here in a thread)."""
    return await asyncio.to_thread(export_cases.main, argv, **streams)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def store(tmp_path, clock):
    s = await connect(tmp_path / "data" / "samverkanslotsen.sqlite3", clock=clock)
    yield s
    await s.close()


@pytest.fixture
async def coordinator_bot(connector, tmp_path, store, clock):
    """The bot on the fixture KB and on `store`; today is 2026-11-23 for the bot."""
    teams = await start_bot_with_store(connector, make_settings(tmp_path, knowledge_dir=FIXTURE_KB), store)
    teams.app[SERVICES].clock = clock
    yield teams
    await teams.http.close()


async def year(store, y, municipality=None):
    return await cases.list_cases(
        store, kinds=("avvikelse",), date_from=f"{y}-01-01", date_to=f"{y}-12-31", municipality=municipality
    )


# --- counting ----------------------------------------------------------------------------------


async def test_the_2024_compilation_has_the_numbers_of_bilaga_6(store, clock):
    await seed_reports(store, clock)
    result = compile_deviations(KB, await year(store, 2024))
    assert result.total == 9 and result.serious == 9
    assert result.summary == "9 avvikelseärenden, samtliga bedöms vara allvarliga."
    parties = [(r.label, r.value) for r in result.section("parter").rows]
    assert parties == [
        ("Kommun", "8"),
        ("Regionen", "5, varav primärvård/vårdcentral 2, psykiatri 3, annan specialistvård 1"),
        ("Arbetsförmedlingen", "5"),
        ("Försäkringskassan", "1"),
        ("Insats finansierad av samordningsförbundet (t.ex. SE-Höglandet)", "1"),
    ]


async def test_counts_per_cause_consequence_solution_action_severity_and_kommun(store, clock):
    await seed_reports(store, clock)
    result = compile_deviations(KB, await year(store, 2024))

    def rows(field_id):
        return [(r.label, r.count) for r in result.section(field_id).rows]

    assert rows("orsaker") == [
        ("Bristande kommunikation och/eller informationsutbyte", 6),
        ("Otydlig ansvarsfördelning mellan parterna", 4),
        ("Möte eller insats genomfördes inte som planerat (t.ex. en part uteblev från SIP)", 2),
        ("Annat", 1),
    ]
    assert result.section("orsaker").texts == ["Annan orsak: Tolk saknades vid mötet"]
    assert rows("konsekvenser") == [
        ("Individen riskerar bli utan behovsanpassat stöd", 6),
        ("Tiden i arbetslöshet förlängs", 3),
        ("Längre tid i sjukskrivning", 2),
        ("Besvikelse och frustration hos individen", 1),
    ]
    assert rows("losningar") == [
        ("Säkerställa kommunikation och informationsutbyte mellan parterna", 4),
        ("Använda SIP i ett tidigt skede", 3),
        ("Förtydliga processbeskrivning och informera berörda parter", 1),
    ]
    assert result.section("losningar").texts == ["Eget förslag: =Gemensam checklista för remisser"]
    assert rows("atgarder") == [("Dialog mellan berörda parter", 7), ("Ingen åtgärd ännu", 2)]
    assert rows("allvarlighet") == [("Allvarlig – risk för konsekvenser för individen", 9)]
    assert rows("kommun") == [("Vetlanda", 4), ("Aneby", 3), ("Jönköping", 2)]
    assert rows("status") == [("Mottagen", 2), ("Under utredning", 3), ("Åtgärdad", 2), ("Avslutad", 2)]
    assert [s.title for s in result.sections][:6] == [
        "Berörda samverkansparter",
        "Orsaker",
        "Konsekvenser",
        "Förslag på lösning",
        "Redan vidtagna åtgärder",
        "Allvarlighetsgrad",
    ]  # titles from forms.yaml


async def test_the_year_is_the_swedish_calendar_year(store, clock):
    filed = await seed_reports(store, clock)
    by_when = {seed.when: case for seed, case in zip(BILAGA6_2024, filed)}
    # 23:30 UTC on 31 Dec 2024 is 00:30 on 1 Jan 2025 in Sweden
    late = by_when[(2024, 12, 31, 23, 30)]
    assert late.reference == "AVV-2025-0001" and cases.local_date(late.created_at) == "2025-01-01"
    assert late.reference not in [c.reference for c in await year(store, 2024)]
    result = compile_deviations(KB, await year(store, 2025))
    assert result.summary == "1 avvikelseärende, inget bedöms vara allvarligt."
    assert [(r.label, r.count) for r in result.section("allvarlighet").rows] == [
        ("Inte allvarlig – strukturell brist utan direkt risk för individen", 1)
    ]


async def test_one_kommun(store, clock):
    await seed_reports(store, clock)
    result = compile_deviations(KB, await year(store, 2024, "vetlanda"))
    assert result.total == 4
    assert [(r.label, r.value) for r in result.section("parter").rows] == [
        ("Kommun", "3"),
        ("Regionen", "3, varav primärvård/vårdcentral 2, psykiatri 2"),
        ("Arbetsförmedlingen", "2"),
        ("Insats finansierad av samordningsförbundet (t.ex. SE-Höglandet)", "1"),
    ]


async def test_an_option_no_longer_in_the_list_is_still_counted(store, clock):
    await seed_case(store, orsaker=["gammal-orsak"], parter=["kommun"])
    result = compile_deviations(KB, await cases.list_cases(store, kinds=("avvikelse",)))
    assert [(r.label, r.count) for r in result.section("orsaker").rows] == [("gammal-orsak", 1)]


async def test_arena_and_sip_cases_are_not_counted(store, clock):
    await seed_case(store, kind="arena")
    assert await cases.list_cases(store, kinds=("avvikelse",)) == []


# --- the compilation card, over HTTP ------------------------------------------------------------


async def test_the_compilation_card_shows_the_numbers(coordinator_bot, store, clock):
    await seed_reports(store, clock)
    clock.set(2026, 11, 23, 8)
    replies = await coordinator_bot.send("sammanställning 2024", person=COORDINATOR)
    (card,) = replies.cards
    text = card_strings(card)
    assert "Avvikelser i samverkan – sammanställning 2024" in text and "Alla kommuner" in text
    assert "9 avvikelseärenden, samtliga bedöms vara allvarliga." in text
    sections = card_sections(card)
    assert sections["Berörda samverkansparter"] == {
        "Kommun": "8",
        "Regionen": "5, varav primärvård/vårdcentral 2, psykiatri 3, annan specialistvård 1",
        "Arbetsförmedlingen": "5",
        "Försäkringskassan": "1",
        "Insats finansierad av samordningsförbundet (t.ex. SE-Höglandet)": "1",
    }
    assert sections["Orsaker"]["Bristande kommunikation och/eller informationsutbyte"] == "6"
    assert sections["Konsekvenser"]["Individen riskerar bli utan behovsanpassat stöd"] == "6"
    assert sections["Förslag på lösning"]["Använda SIP i ett tidigt skede"] == "3"
    assert sections["Redan vidtagna åtgärder"] == {"Dialog mellan berörda parter": "7", "Ingen åtgärd ännu": "2"}
    assert sections["Allvarlighetsgrad"] == {"Allvarlig – risk för konsekvenser för individen": "9"}
    assert sections["Kommun"] == {"Vetlanda": "4", "Aneby": "3", "Jönköping": "2"}
    assert section_texts(card, "Orsaker") == ["Annan orsak: Tolk saknades vid mötet"]
    assert "Bilaga 6" in text and "003_9e0fac3eaf44f1c1.txt" in text


async def test_the_compilation_defaults_to_this_year_and_takes_a_kommun(coordinator_bot, store, clock):
    await seed_reports(store, clock)
    clock.set(2026, 3, 1, 9)
    await seed_case(store, municipality="vetlanda", parter=["forsakringskassan"], allvarlighet="ej-allvarlig")
    await seed_case(store, municipality="aneby")
    replies = await coordinator_bot.send("Sammanställning", person=COORDINATOR)
    text = card_strings(replies.cards[0])
    assert "sammanställning 2026" in text and "2 avvikelseärenden, varav 1 bedöms vara allvarligt." in text
    replies = await coordinator_bot.send("sammanställning 2026 vetlanda", person=COORDINATOR)
    card = replies.cards[0]
    assert "Vetlanda" in card_strings(card) and "1 avvikelseärende, inget bedöms vara allvarligt." in card_strings(card)
    assert card_sections(card)["Berörda samverkansparter"] == {"Försäkringskassan": "1"}
    replies = await coordinator_bot.send("sammanställning 2019", person=COORDINATOR)
    assert "Inga avvikelser har kommit in under perioden." in replies.all_text()


# --- the list -------------------------------------------------------------------------------------


def listed(replies) -> list[str]:
    (card,) = replies.cards
    return [a["data"]["reference"] for a in _actions(card)]


def _actions(card):
    from tests.support.teams import submit_actions

    return [a for a in submit_actions(card) if a["data"].get("verb") == "case.show"]


async def test_the_list_is_most_recent_first_with_date_kommun_status_and_severity(coordinator_bot, store, clock):
    await seed_reports(store, clock)
    replies = await coordinator_bot.send("lista avvikelser", person=COORDINATOR)
    refs = listed(replies)
    assert refs[:3] == ["AVV-2025-0001", "AVV-2024-0009", "AVV-2024-0008"] and refs[-1] == "AVV-2023-0001"
    text = replies.all_text()
    assert "11 rapporter, senaste först." in text
    assert "**AVV-2024-0009** · 2024-12-31 · Vetlanda" in text  # 22:30 UTC = 23:30 in Sweden
    assert "Status: Under utredning · Allvarlig" in text and "Status: Mottagen · Inte allvarlig" in text


@pytest.mark.parametrize(
    "command, expected",
    [
        (
            "lista avvikelser vetlanda",
            ["AVV-2025-0001", "AVV-2024-0009", "AVV-2024-0005", "AVV-2024-0002", "AVV-2024-0001", "AVV-2023-0001"],
        ),
        ("lista avvikelser 2024-01-01 2024-03-31", ["AVV-2024-0003", "AVV-2024-0002", "AVV-2024-0001"]),
        ("lista avvikelser från 2024-12-01", ["AVV-2025-0001", "AVV-2024-0009"]),
        ("lista avvikelser till 2023-12-31", ["AVV-2023-0001"]),
        ("lista avvikelser 2024-09", ["AVV-2024-0007"]),
        ("lista avvikelser under utredning", ["AVV-2024-0007", "AVV-2024-0006", "AVV-2024-0005"]),
        ("lista avvikelser åtgärdade", ["AVV-2024-0004", "AVV-2024-0003"]),
        ("Visa avvikelserna i Aneby 2024 som är avslutade", []),
        ("lista avvikelser aneby 2024 öppna", ["AVV-2024-0008", "AVV-2024-0006"]),
        ("lista avvikelser vetlnda 2025", ["AVV-2025-0001"]),  # a typo in the kommun is forgiven
    ],
)
async def test_the_list_filters(coordinator_bot, store, clock, command, expected):
    await seed_reports(store, clock)
    replies = await coordinator_bot.send(command, person=COORDINATOR)
    assert listed(replies) == expected
    if not expected:
        assert "Inga avvikelser matchar urvalet." in replies.all_text()


async def test_the_list_describes_its_filter(coordinator_bot, store, clock):
    await seed_reports(store, clock)
    replies = await coordinator_bot.send("lista avvikelser vetlanda 2024 under utredning", person=COORDINATOR)
    assert "Vetlanda · År 2024 · Under utredning" in replies.all_text()


@pytest.mark.parametrize(
    "command, problem",
    [
        ("lista avvikelser atlantis", "Jag förstod inte ”atlantis”."),
        ("lista avvikelser 2024-02-30", "2024-02-30 är inget giltigt datum."),
        ("lista avvikelser 2024-06-30 till 2024-01-01", "Startdatumet ligger efter slutdatumet."),
        ("sammanställning 2024-13", "Månaden ska vara 01–12"),
    ],
)
async def test_filters_it_does_not_understand_are_explained(coordinator_bot, store, clock, command, problem):
    await seed_reports(store, clock)
    replies = await coordinator_bot.send(command, person=COORDINATOR)
    assert replies.cards == []
    (text,) = replies.texts
    assert problem in text and "Skriv till exempel" in text


async def test_a_long_list_is_capped_with_a_note(coordinator_bot, store, clock):
    for day in range(1, 31):
        clock.set(2026, 4, day, 9)
        await seed_case(store)
    replies = await coordinator_bot.send("lista avvikelser", person=COORDINATOR)
    refs = listed(replies)
    assert len(refs) == LIST_CAP == 25
    assert refs[0] == "AVV-2026-0030" and refs[-1] == "AVV-2026-0006"
    assert "Visar de 25 senaste av 30 rapporter. Avgränsa med kommun, period eller status" in replies.all_text()


async def test_show_opens_the_case_card(coordinator_bot, store, clock):
    await seed_reports(store, clock)
    listing = await coordinator_bot.send("lista avvikelser jönköping", person=COORDINATOR)
    shown = await coordinator_bot.click(action(listing.cards[0], "Visa AVV-2024-0007"), person=COORDINATOR)
    text = card_strings(shown.cards[0])
    assert "Avvikelse i samverkan AVV-2024-0007" in text and "Status: Under utredning" in text


@pytest.mark.parametrize(
    "text, municipality, date_from, date_to, statuses",
    [
        ("", None, None, None, ()),
        ("vetlanda", "vetlanda", None, None, ()),
        ("2026", None, "2026-01-01", "2026-12-31", ()),
        ("2025 2026", None, "2025-01-01", "2026-12-31", ()),
        ("2026-02", None, "2026-02-01", "2026-02-28", ()),
        ("från 2026-01-01 till 2026-06-30", None, "2026-01-01", "2026-06-30", ()),
        ("2026-01-01–2026-06-30", None, "2026-01-01", "2026-06-30", ()),
        ("t.o.m. 2026-06-30", None, None, "2026-06-30", ()),
        ("i Jönköping under utredning", "jonkoping", None, None, ("under-utredning",)),
        ("alla kommuner nya", None, None, None, ("mottagen",)),
        ("öppna", None, None, None, ("mottagen", "under-utredning")),
    ],
)
def test_parse_filters(text, municipality, date_from, date_to, statuses):
    f = parse_filters(KB, text)
    assert f.problems == []
    assert (f.municipality, f.date_from, f.date_to, f.statuses) == (municipality, date_from, date_to, statuses)


# --- the CSV export -----------------------------------------------------------------------------------


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark: Excel would guess the encoding"
    text = raw[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


async def test_export_writes_one_row_per_report_for_excel(tmp_path, store, clock):
    await seed_reports(store, clock)
    await cases.change_status(
        store,
        await cases.get_case(store, "AVV-2024-0001"),
        "avslutad",
        COORDINATOR.aad,
        "Tog upp det i Samverk; klart.",
    )
    out = tmp_path / "export" / "avvikelser-2024.csv"
    stdout = io.StringIO()
    code = await run_export(
        [
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--out",
            str(out),
            "--data-dir",
            str(tmp_path / "data"),
            "--knowledge-dir",
            str(FIXTURE_KB),
        ],
        out=stdout,
    )
    assert code == 0 and stdout.getvalue().strip() == f"Skrev 9 ärenden till {out}"
    rows = read_csv(out)
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Referens", "Typ", "Inkom", "Senast ändrad", "Status", "Kommun"]
    for column in (
        "Datum för händelsen",
        "Berörda parter",
        "Orsaker",
        "Konsekvenser",
        "Allvarlighetsgrad",
        "Förslag på lösning",
        "Eget förslag",
        "Redan vidtagna åtgärder",
        "Vill ha återkoppling",
        "Mottagare",
        "Teams-kanal",
        "Senaste kommentar",
    ):
        assert column in header, column
    assert "Rapportör" not in header and header.count("Kommun") == 1
    assert len(body) == 9 and all(len(r) == len(header) for r in body)
    assert [r[0] for r in body] == [f"AVV-2024-000{i}" for i in range(1, 10)]  # oldest first
    first = dict(zip(header, body[0]))
    assert (
        first["Berörda parter"] == "Kommun; Regionen – primärvård/vårdcentral; Regionen – psykiatri; Arbetsförmedlingen"
    )
    assert first["Orsaker"] == (
        "Bristande kommunikation och/eller informationsutbyte; Otydlig ansvarsfördelning mellan parterna"
    )
    assert first["Status"] == "Avslutad" and first["Kommun"] == "Vetlanda" and first["Typ"] == "Avvikelse i samverkan"
    assert first["Inkom"] == "2024-01-15 10:00"  # 09:00 UTC is 10:00 in Swedish winter time
    assert first["Senaste kommentar"] == "Tog upp det i Samverk; klart."
    assert first["Allvarlighetsgrad"] == "Allvarlig – risk för konsekvenser för individen"
    assert first["Förslag på lösning"] == "Säkerställa kommunikation och informationsutbyte mellan parterna"
    assert first["Eget förslag"] == ""
    seventh = dict(zip(header, body[6]))
    assert seventh["Eget förslag"] == "'=Gemensam checklista för remisser"  # not run as an Excel formula
    last = dict(zip(header, body[8]))
    assert last["Inkom"] == "2024-12-31 23:30" and last["Berörda parter"].startswith("Insats finansierad")


async def test_export_options(tmp_path, store, clock):
    await seed_reports(store, clock)
    data = ["--data-dir", str(tmp_path / "data"), "--knowledge-dir", str(FIXTURE_KB)]
    out = tmp_path / "vetlanda.csv"
    assert (
        await run_export(["--kommun", "Vetlanda", "--include-reporter", "--out", str(out), *data], out=io.StringIO())
        == 0
    )
    rows = read_csv(out)
    assert [r[0] for r in rows[1:]] == [
        "AVV-2023-0001",
        "AVV-2024-0001",
        "AVV-2024-0002",
        "AVV-2024-0005",
        "AVV-2024-0009",
        "AVV-2025-0001",
    ]
    assert rows[0][-1] == "Rapportör" and rows[1][-1] == "Kim Handläggare"
    err = io.StringIO()
    assert await run_export(["--kommun", "Atlantis", *data], out=io.StringIO(), err=err) == 1
    assert "Känner inte igen kommunen" in err.getvalue()
    assert await run_export(["--data-dir", str(tmp_path / "nowhere")], out=io.StringIO(), err=err) == 1
    assert "Hittar ingen databas" in err.getvalue() and not (tmp_path / "nowhere").exists()
    with pytest.raises(SystemExit) as exit_:
        await run_export(["--from", "2024-13-01", *data])
    assert exit_.value.code == 2


async def test_export_of_a_report_filed_over_http(connector, tmp_path):
    """What the form stored is what the export shows (the real flow's answers, not seeded data)."""
    from tests.conftest import start_bot

    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=FIXTURE_KB))
    try:
        await file_deviation(teams)
        await teams.send(
            value={
                "verb": "case.status",
                "reference": "AVV-2026-0001",
                "status": "under-utredning",
                "comment": "Dialog bokad",
            },
            person=COORDINATOR,
        )
    finally:
        await teams.http.close()
    out = tmp_path / "all.csv"
    today = datetime.now(cases.local_zone()).date().isoformat()  # the export reads Swedish calendar days
    assert (
        await run_export(
            [
                "--to",
                today,
                "--out",
                str(out),
                "--data-dir",
                str(tmp_path / "data"),
                "--knowledge-dir",
                str(FIXTURE_KB),
            ],
            out=io.StringIO(),
        )
        == 0
    )
    header, row = read_csv(out)
    got = dict(zip(header, row))
    assert got["Referens"] == "AVV-2026-0001" and got["Status"] == "Under utredning"
    assert got["Berörda parter"] == "Kommun; Arbetsförmedlingen"
    assert got["Konsekvenser"] == "Besvikelse och frustration hos individen; Försvårar samordnad planering (SIP)"
    assert got["Har SIP övervägts?"] == "Ja – kallat till SIP men en part uteblev"
    assert got["Vill ha återkoppling"] == "Ja" and got["Mottagare"] == "Samverkanskoordinator i Vetlanda"
    assert got["Senaste kommentar"] == "Dialog bokad"
    assert json.loads(json.dumps(got))  # plain strings only
