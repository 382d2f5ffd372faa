"""The domain must not depend on botbuilder, so the edge can move to another SDK."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["lotsen", "dialogs", "cards", "knowledge", "manifest", "scripts"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def domain_files() -> list[Path]:
    files = [p for d in DOMAIN for p in (ROOT / d).rglob("*.py")]
    assert len(files) > 15, "the domain packages were not found"
    return files


def test_domain_never_imports_the_bot_sdk():
    offenders = []
    for path in domain_files():
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in {"botbuilder", "botframework", "msrest", "bot"}:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_edge_is_the_only_place_that_uses_botbuilder():
    users = {p.relative_to(ROOT).parts[0] for p in ROOT.rglob("*.py")
             if ".venv" not in p.parts and "node_modules" not in p.parts
             and any(m.startswith("botbuilder") for m in imported_modules(p))}
    assert users <= {"bot", "tests", "scripts"}, users
    assert "bot" in users


def test_the_checker_would_notice_a_botbuilder_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from botbuilder.core import TurnContext\nimport importlib\nimportlib.import_module('botframework.connector')\n")
    assert {"botbuilder.core", "botframework.connector"} <= imported_modules(sample)


def test_each_sdk_is_imported_only_by_its_own_edge():
    """bot/botbuilder/ and bot/agents/ are the only places in bot/ that import an SDK."""
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        rel = path.relative_to(ROOT)
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in {"botbuilder", "botframework", "msrest"} and rel.parts[1] != "botbuilder":
                offenders.append(f"{rel} imports {module}")
            if top == "microsoft_agents" and rel.parts[1] != "agents":
                offenders.append(f"{rel} imports {module}")
    assert offenders == []
