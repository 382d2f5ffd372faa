"""What coordinators and operators read from the command-line tools (scripts.kb, scripts.digest,
scripts.export_cases): their help and messages come from lotsen/data/texts.yaml (cli:) with the
same wording as before they moved there, and every placeholder is filled in."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from lotsen.storage import connect
from scripts import digest as digest_cli
from scripts import export_cases
from scripts import kb as kb_cli
from tests.conftest import FIXTURE_KB


def help_of(main, argv, capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines


def test_the_tools_help_is_swedish(capsys):
    shown = help_of(kb_cli.main, ["--help"], capsys)
    assert "Kontrollera och testa kunskapsbasen." in shown
    assert "visa vilka frågor som matchar en fråga, och varför" in shown
    shown = help_of(kb_cli.main, ["check", "--help"], capsys)
    assert "varna för frågor som inte granskats på så här många dagar (standard: KB_REVIEW_DAYS eller 365)" in shown
    assert "hoppa över kontrollen mot källdokumenten" in shown
    shown = help_of(digest_cli.main, ["--help"], capsys)
    assert "Veckosammanfattningen för hand." in shown and "be den körande boten (process-id) skicka nu" in shown
    shown = help_of(export_cases.main, ["--help"], capsys)
    assert "Exportera rapporter till CSV för Excel." in shown
    assert "filen som skrivs (standard: <typ>-<från>--<till>.csv)" in shown


def test_kb_diff_and_test_say_what_is_wrong(tmp_path, capsys):
    empty = tmp_path / "tom"
    empty.mkdir()
    out = io.StringIO()
    assert kb_cli.diff(FIXTURE_KB, FIXTURE_KB, out=out) == 0
    assert out.getvalue() == "Inga skillnader.\n"
    out = io.StringIO()
    assert kb_cli.diff(empty, FIXTURE_KB, out=out) == 1
    lines = out.getvalue().splitlines()
    assert ": fel: filen saknas" in lines[0] and lines[-1] == f"{empty}: {len(lines) - 1} fel."
    out = io.StringIO()
    assert kb_cli.test(empty, "vem kallar till sip", out=out) == 1
    assert out.getvalue().splitlines()[-1] == (
        f"Kunskapsbasen har {len(lines) - 1} fel; rätta dem först (python -m scripts.kb check)."
    )
    out = io.StringIO()
    assert kb_cli.test_navigator(FIXTURE_KB, "klient 19121212-1212 i Tranås", out=out) == 1
    assert out.getvalue() == (
        "Beskrivningen innehåller något som ser ut som ett personnummer. Ta bort det och försök igen.\n"
    )
    with pytest.raises(SystemExit):
        kb_cli.main(["check", "--review-days", "0"])
    assert "--review-days ska vara minst 1" in capsys.readouterr().err


def test_the_digest_command_tells_the_operator_what_happened(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KB))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    missing = tmp_path / "saknas"
    assert digest_cli.main(["--data-dir", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f"Databasen {missing / 'samverkanslotsen.sqlite3'} finns inte ännu: boten har inte körts med den här DATA_DIR.\n"
    )
    # a process that takes SIGUSR1 the way the bot does, and says when it got it
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys, time\n"
            "signal.signal(signal.SIGUSR1, lambda *_: (print('fick signalen', flush=True), sys.exit(0)))\n"
            "print('redo', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "redo"
        assert digest_cli.main(["--send", str(child.pid)]) == 0
        assert capsys.readouterr().out == (
            f"Bad boten (process {child.pid}) att skicka veckosammanfattningen nu. Se botens logg för resultatet.\n"
        )
        assert child.stdout.readline().strip() == "fick signalen"
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
    gone = child.pid  # reaped: no process has this id until the system reuses it
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(gone, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    assert digest_cli.main(["--send", str(gone)]) == 1
    assert capsys.readouterr().err == f"Ingen process med id {gone}.\n"


def test_the_export_names_its_file_and_counts_the_reports(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data = tmp_path / "data"
    data.mkdir()

    async def create() -> None:
        store = await connect(data / "samverkanslotsen.sqlite3")
        await store.close()

    asyncio.run(create())
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert export_cases.main(["--data-dir", str(data), "--knowledge-dir", str(FIXTURE_KB)], out=out) == 0
    assert out.getvalue() == "Skrev 0 ärenden till avvikelse-start--idag.csv\n"
    assert (tmp_path / "avvikelse-start--idag.csv").exists()
    out = io.StringIO()
    argv = ["--from", "2024-01-01", "--data-dir", str(data), "--knowledge-dir", str(FIXTURE_KB), "--kind", "sip"]
    assert export_cases.main(argv, out=out) == 0
    assert out.getvalue() == "Skrev 0 ärenden till sip-2024-01-01--idag.csv\n"
