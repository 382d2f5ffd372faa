"""Import layering: which package may import which, and no import cycles.

The layers, outermost first:  bot (the Teams edge, composition root) → dialogs (guided flows)
→ lotsen (domain core) → cards (templates and renderer). A layer imports only layers below
it, and only `bot/` imports a bot SDK. Every import counts, including imports inside
functions: a lazy import that dodges a cycle is still a cycle. Imports under
`if TYPE_CHECKING:` are ignored (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("app", "bot", "dialogs", "lotsen", "cards", "scripts")
SDKS = {"botbuilder", "botframework", "msrest", "microsoft_agents"}
# package → first-party packages it must never import
FORBIDDEN = {
    "lotsen": {"dialogs", "bot", "scripts", "app"},
    "cards": {"lotsen", "dialogs", "bot", "scripts", "app"},
    "dialogs": {"bot", "scripts", "app"},
}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, known: set[str]) -> dict[str, int]:
    """Modules `path` imports → first line. `from a import b` counts as `a.b` when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _type_checking_lines(tree)
    me = module_name(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names = [arg.value]
        for name in names:
            found.setdefault(name, node.lineno)
    return found


def project_files(root: Path = ROOT) -> list[Path]:
    files: list[Path] = []
    for top in FIRST_PARTY:
        path = root / top
        if path.is_dir():
            files.extend(p for p in path.rglob("*.py") if "node_modules" not in p.parts)
        elif path.with_suffix(".py").is_file():
            files.append(path.with_suffix(".py"))
    return files


def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    files = project_files(root)
    known = {module_name(p, root) for p in files}
    graph: dict[str, dict[str, int]] = {}
    for path in files:
        targets = imports_of(path, root, known)
        graph[module_name(path, root)] = {t: line for t, line in targets.items() if t in known}
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, {}):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def all_imports(root: Path = ROOT) -> list[tuple[str, str, int]]:
    files = project_files(root)
    known = {module_name(p, root) for p in files}
    return [(module_name(p, root), target, line) for p in files for target, line in imports_of(p, root, known).items()]


# --- the rules --------------------------------------------------------------------------------


def test_layers_import_only_downwards():
    offenders = []
    for module, target, line in all_imports():
        banned = FORBIDDEN.get(module.split(".")[0], set())
        if target.split(".")[0] in banned:
            offenders.append(f"{module} (line {line}) imports {target}")
    assert offenders == []


def test_only_the_edge_imports_a_bot_sdk():
    offenders = [
        f"{module} (line {line}) imports {target}"
        for module, target, line in all_imports()
        if target.split(".")[0] in SDKS and module.split(".")[0] != "bot"
    ]
    assert offenders == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


# --- the checker itself can fail ------------------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_finds_a_lazy_import_cycle(tmp_path):
    root = _package(
        tmp_path,
        {
            "dialogs/__init__.py": "",
            "dialogs/a.py": "from dialogs import b\n",
            "dialogs/b.py": "def f():\n    from dialogs.a import x\n",
            "dialogs/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dialogs import a\n",
        },
    )
    assert cycles(import_graph(root)) == [["dialogs.a", "dialogs.b"]]


def test_the_checker_sees_a_core_module_importing_a_flow(tmp_path):
    root = _package(
        tmp_path,
        {
            "lotsen/__init__.py": "",
            "lotsen/features.py": "import importlib\nimportlib.import_module('dialogs')\n",
            "dialogs/__init__.py": "",
        },
    )
    edges = [(m, t) for m, t, _ in all_imports(root)]
    assert ("lotsen.features", "dialogs") in edges
