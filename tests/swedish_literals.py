"""Finds user-facing Swedish sentences written as string literals in Python (issue 16: texts are
data). Used by tests/test_texts_as_data.py; run it directly for a count per package:

    .venv/bin/python -m tests.swedish_literals            # counts per package
    .venv/bin/python -m tests.swedish_literals -v         # every literal with file:line

A literal counts when it reads like a Swedish sentence: at least two words, and a Swedish letter
(å, ä, ö) or a Swedish function word. f-strings count (their `{…}` parts read as placeholders).
Not counted: docstrings, comments, dictionary keys, log calls (English by rule), regular
expressions (arguments of `re.*`, or text with regex syntax) and strings without a space.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the check covers: the packages that hold behaviour, the entry point, and the command-line
# tools coordinators and operators run (scripts/: their help and output are user texts too).
SCANNED = ("lotsen", "dialogs", "bot", "cards", "app.py", "scripts")

# Short function words that are Swedish and (nearly) never English.
SWEDISH_WORDS = frozenset(
    """
    och att är som för på med inte du det den ett har kan till av om vi jag din ditt dina
    eller här så men skriv finns ingen inget inga vill ska måste kunde var vad vem hur när
    redan igen alla från efter eller sedan nu då ut upp mig dig sig oss er hos utan under
    får fick gör göra skicka svara välj fyll klicka tryck tack hej saknas fel ogiltig
    """.split()
)
SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
REGEX_SYNTAX = re.compile(r"\\[bdswBDSW]|\(\?[:=!<P]|\[\^|\[[a-zåäö]-[a-zåäö]\]|\|\w+\||\)\?|\)\*|\)\+")
LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
RE_FUNCTIONS = frozenset({"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"})


@dataclass(frozen=True)
class Literal:
    file: str  # path relative to the repository, with forward slashes
    line: int
    text: str  # f-strings: the placeholders written as {}


def is_swedish_sentence(text: str) -> bool:
    """True when `text` reads like a Swedish phrase a person would see."""
    if " " not in text.strip() or REGEX_SYNTAX.search(text):
        return False
    words = WORD.findall(text)
    if len(words) < 2:
        return False
    if SWEDISH_LETTERS.search(text):
        return True
    return any(w.lower() in SWEDISH_WORDS for w in words)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _skipped(tree: ast.AST) -> set[int]:
    """Ids of nodes whose strings are not user texts: docstrings, dict keys, log and regex calls."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        subtrees: list[ast.AST] = []
        if isinstance(node, ast.Dict):
            subtrees = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if node.func.attr in LOG_METHODS and isinstance(owner, ast.Name | ast.Attribute):
                name = owner.id if isinstance(owner, ast.Name) else owner.attr
                if "log" in name.lower():
                    subtrees = [*node.args, *(k.value for k in node.keywords)]
            elif node.func.attr in RE_FUNCTIONS and isinstance(owner, ast.Name) and owner.id in {"re", "regex"}:
                subtrees = node.args[:1]
        elif isinstance(node, ast.JoinedStr):  # the f-string is judged as a whole
            skip.update(id(n) for n in ast.walk(node) if n is not node)
        for sub in subtrees:
            skip.update(id(n) for n in ast.walk(sub))
    return skip


def _fstring_text(node: ast.JoinedStr) -> str:
    return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}" for v in node.values)


def literals_in_source(source: str, file: str = "<snippet>") -> list[Literal]:
    """Every Swedish sentence literal in one module's source."""
    tree = ast.parse(source)
    skip = _skipped(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = _fstring_text(node)
        else:
            continue
        if is_swedish_sentence(text):
            found.append(Literal(file, node.lineno, text))
    return sorted(found, key=lambda lit: lit.line)


def python_files() -> Iterator[Path]:
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*.py") if "node_modules" not in p.parts)


def all_literals() -> list[Literal]:
    found = []
    for path in python_files():
        rel = path.relative_to(ROOT).as_posix()
        found.extend(literals_in_source(path.read_text(encoding="utf-8"), rel))
    return found


def package_of(file: str) -> str:
    parts = file.split("/")
    if parts[0] == "lotsen" and len(parts) > 2:
        return "/".join(parts[:2])  # lotsen/features, lotsen/kb … separately
    return parts[0]


def main(argv: list[str]) -> int:
    found = all_literals()
    if "-v" in argv:
        for lit in found:
            print(f"{lit.file}:{lit.line}: {lit.text!r}")
    per_package = Counter(package_of(lit.file) for lit in found)
    per_file = Counter(lit.file for lit in found)
    for package, count in sorted(per_package.items()):
        print(f"{package:20} {count:4}")
    print(f"{'total':20} {len(found):4}")
    if "-f" in argv:
        for file, count in sorted(per_file.items()):
            print(f"  {file:40} {count:4}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
