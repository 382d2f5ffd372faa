"""Knowledge-base tools for coordinators and developers.

    python -m scripts.kb check [--dir knowledge] [--review-days 365] [--strict] [--seeds DIR | --no-seeds] [--lix]
        Check the whole knowledge base: schema, unique ids, every reference resolves, every
        entry has a source (errors), and quality (warnings). Prints errors, then warnings,
        each as `file:line: …`. Exit code 1 on errors (with --strict also on warnings), else 0.
        --lix also lists every answer's LIX (readability), hardest first, with median and max.

    python -m scripts.kb test "vem kallar till sip" [--dir knowledge]
        What the bot would answer and why (the same as "testa: …" in chat).

    python -m scripts.kb test --vagvisare "klient i Tranås med fsö i 2 år och depression" [--dir knowledge]
        What Vägvisaren understands from a description (facts and the words they came from) and
        which rules fire or not, and why (the same as "testa vägvisare: …" in chat).

    python -m scripts.kb diff OLD_DIR NEW_DIR
        What changed between two versions of the knowledge base (added, removed, changed).

The bot uses the same checks: it refuses to start on errors, and a reload
("ladda om kunskapsbasen" in chat, or SIGHUP) keeps the old knowledge base on errors.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from lotsen.explain import explain
from lotsen.kb.diff import diff_knowledge
from lotsen.kb.loader import Problem, check_knowledge_base
from lotsen.kb.quality import DEFAULT_SEEDS_DIR, MAX_LIX, STALE_AFTER_DAYS, check_quality
from lotsen.kb.readability import lix
from lotsen.matching import Matcher
from lotsen.settings import ROOT
from lotsen.texts import say


def _default_dir() -> Path:
    return Path(os.environ.get("KNOWLEDGE_DIR", "").strip() or ROOT / "knowledge")


def _default_review_days() -> int:
    raw = os.environ.get("KB_REVIEW_DAYS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else STALE_AFTER_DAYS


def _line(problem: Problem) -> str:
    if problem.level == "warning":
        return say(
            "cli.kb.warning_line",
            file=problem.file,
            line=problem.line,
            message=problem.message,
            code=problem.code,
            subject=problem.subject,
        )
    return say("cli.kb.error_line", file=problem.file, line=problem.line, message=problem.message)


def check(
    directory: Path,
    *,
    review_days: int,
    strict: bool,
    seeds_dir: Path | None,
    today: date | None = None,
    out=None,
    show_lix: bool = False,
) -> int:
    out = out or sys.stdout
    kb, errors = check_knowledge_base(directory)
    warnings = check_quality(kb, today=today, stale_after_days=review_days, seeds_dir=seeds_dir) if kb else []
    if errors:
        print(say("cli.kb.errors_heading", count=len(errors)), file=out)
        for p in errors:
            print(_line(p), file=out)
    if warnings:
        if errors:
            print(file=out)
        print(say("cli.kb.warnings_heading", count=len(warnings)), file=out)
        for p in warnings:
            print(_line(p), file=out)
    if errors or warnings:
        print(file=out)
    if kb is not None and show_lix:
        _print_lix(kb, out)
    if kb is None:
        print(say("cli.kb.invalid", directory=directory, count=len(errors)), file=out)
        return 1
    print(
        say(
            "cli.kb.valid",
            directory=directory,
            entries=len(kb.entries),
            contact_lists=len(kb.contact_lists),
            warnings=len(warnings),
        ),
        file=out,
    )
    if warnings and strict:
        return 1
    return 0


def _print_lix(kb, out) -> None:
    values = sorted(((lix(e.answer), e) for e in kb.entries.values()), key=lambda item: -item[0])
    print(say("cli.kb.lix_heading", limit=MAX_LIX), file=out)
    over_limit = "  " + say("cli.kb.lix_over_limit")
    for value, e in values:
        flag = over_limit if value > MAX_LIX else ""
        print(f"  {value:5.1f}  {e.id}  ({e.where}){flag}", file=out)
    if values:
        numbers = [v for v, _ in values]
        summary = say(
            "cli.kb.lix_summary",
            median=f"{statistics.median(numbers):.1f}",
            max=f"{max(numbers):.1f}",
            over=sum(v > MAX_LIX for v in numbers),
            limit=MAX_LIX,
        )
        print(f"  {summary}", file=out)
    print(file=out)


def _fix_first(count: int) -> str:
    return say("cli.kb.fix_first", count=count)


def _load_or_report(directory: Path, out, closing: Callable[[int], str]):
    """The knowledge base, or None after printing its errors (file:line) and `closing(number of errors)`."""
    kb, errors = check_knowledge_base(directory)
    if kb is None:
        for p in errors:
            print(_line(p), file=out)
        print(closing(len(errors)), file=out)
    return kb


def test(directory: Path, question: str, out=None) -> int:
    out = out or sys.stdout
    kb = _load_or_report(directory, out, _fix_first)
    if kb is None:
        return 1
    for line in explain(Matcher(kb), kb, question).lines():
        print(line, file=out)
    return 0


def test_navigator(directory: Path, description: str, out=None) -> int:
    from lotsen.pii import contains_identity_number
    from lotsen.vagvisare.explain import explain as explain_navigator

    out = out or sys.stdout
    if contains_identity_number(description):
        print(say("cli.kb.identity_number"), file=out)
        return 1
    kb = _load_or_report(directory, out, _fix_first)
    if kb is None:
        return 1
    for line in explain_navigator(kb, description).lines():
        print(line, file=out)
    return 0


def _folder_has_errors(directory: Path, count: int) -> str:
    return say("cli.kb.folder_has_errors", directory=directory, count=count)


def diff(old_dir: Path, new_dir: Path, out=None) -> int:
    out = out or sys.stdout
    loaded = []
    for directory in (old_dir, new_dir):
        kb = _load_or_report(directory, out, partial(_folder_has_errors, directory))
        if kb is None:
            return 1
        loaded.append(kb)
    lines = diff_knowledge(*loaded).lines(max_ids=50)
    for line in lines or [say("cli.kb.no_differences")]:
        print(line, file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.kb", description=say("cli.kb.description"))
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help=say("cli.kb.check_help"))
    p_check.add_argument("--dir", type=Path, default=None, help=say("cli.kb.dir_help"))
    p_check.add_argument(
        "--review-days",
        type=int,
        default=None,
        help=say("cli.kb.review_days_help"),
    )
    p_check.add_argument("--strict", action="store_true", help=say("cli.kb.strict_help"))
    p_check.add_argument(
        "--seeds",
        type=Path,
        default=DEFAULT_SEEDS_DIR,
        help=say("cli.kb.seeds_help"),
    )
    p_check.add_argument("--no-seeds", action="store_true", help=say("cli.kb.no_seeds_help"))
    p_check.add_argument("--lix", action="store_true", help=say("cli.kb.lix_help"))
    p_test = sub.add_parser("test", help=say("cli.kb.test_help"))
    p_test.add_argument("question", nargs="+")
    p_test.add_argument("--dir", type=Path, default=None)
    p_test.add_argument("--vagvisare", action="store_true", help=say("cli.kb.vagvisare_help"))
    p_diff = sub.add_parser("diff", help=say("cli.kb.diff_help"))
    p_diff.add_argument("old", type=Path)
    p_diff.add_argument("new", type=Path)
    args = parser.parse_args(argv)

    if args.command == "check":
        review_days = args.review_days if args.review_days is not None else _default_review_days()
        if review_days < 1:
            parser.error(say("cli.kb.review_days_too_small"))
        return check(
            args.dir or _default_dir(),
            review_days=review_days,
            strict=args.strict,
            seeds_dir=None if args.no_seeds else args.seeds,
            show_lix=args.lix,
        )
    if args.command == "test":
        if args.vagvisare:
            return test_navigator(args.dir or _default_dir(), " ".join(args.question))
        return test(args.dir or _default_dir(), " ".join(args.question))
    return diff(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
