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
    # The Bot Framework SDK is botbuilder-* and botframework-* (connector, auth).
    users = {
        p.relative_to(ROOT).parts[0]
        for p in ROOT.rglob("*.py")
        if ".venv" not in p.parts
        and "node_modules" not in p.parts
        and any(m.startswith(("botbuilder", "botframework")) for m in imported_modules(p))
    }
    assert users <= {"bot", "tests", "scripts"}, users
    assert "bot" in users


def test_the_checker_would_notice_a_botbuilder_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text(
        "from botbuilder.core import TurnContext\nimport importlib\nimportlib.import_module('botframework.connector')\n"
    )
    assert {"botbuilder.core", "botframework.connector"} <= imported_modules(sample)


# --- storage: SQL and connections only under lotsen/storage/ --------------------------------------

import re  # noqa: E402

PRODUCT = ["lotsen", "dialogs", "cards", "scripts", "bot", "app.py"]
STORAGE = ROOT / "lotsen" / "storage"
SQL_HOMES = [STORAGE / "sqlite", STORAGE / "postgres", STORAGE / "portable"]
DRIVERS = {"sqlite3", "aiosqlite", "psycopg", "psycopg_pool", "psycopg2", "asyncpg"}
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(UNIQUE\s+)?"
    r"(TABLE|INDEX)|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE|pg_advisory)",
    re.S,
)
CONNECTION_USE = {"execute", "executemany", "executescript", "cursor", "fetchone", "fetchall", "db"}


def product_files() -> list[Path]:
    files: list[Path] = []
    for name in PRODUCT:
        path = ROOT / name
        files.extend([path] if path.is_file() else path.rglob("*.py"))
    return files


def storage_violations(path: Path) -> list[str]:
    """SQL text, database drivers and connection calls in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = [f"imports {m}" for m in imported_modules(path) if m.split(".")[0] in DRIVERS]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in CONNECTION_USE:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def test_no_sql_or_connection_outside_the_storage_package():
    offenders = []
    for path in product_files():
        if STORAGE in path.parents:
            continue
        offenders += [f"{path.relative_to(ROOT)} {v}" for v in storage_violations(path)]
    assert offenders == []


def test_inside_storage_sql_lives_only_in_the_backends():
    offenders = []
    for path in STORAGE.rglob("*.py"):
        if any(home in path.parents for home in SQL_HOMES):
            continue
        offenders += [f"{path.relative_to(ROOT)} {v}" for v in storage_violations(path) if "SQL" in v or "imports" in v]
    assert offenders == []
    assert [p for p in STORAGE.rglob("*.sql") if not any(h in p.parents for h in SQL_HOMES)] == []


def test_the_storage_checker_would_notice(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text(
        "import sqlite3\nrows = store.db.execute('SELECT reference FROM cases').fetchall()\n"
        "q = '''UPDATE cases\n SET status = ?'''\n"
    )
    found = storage_violations(sample)
    assert "imports sqlite3" in found
    assert any("SQL 'SELECT reference" in v for v in found) and any("SQL 'UPDATE cases" in v for v in found)
    assert {"line 2: .db", "line 2: .execute", "line 2: .fetchall"} <= set(found)


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
