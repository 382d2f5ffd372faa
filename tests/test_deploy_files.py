"""The deployable files (Dockerfile, compose.yaml, .dockerignore), checked statically; built and
started only where a Docker engine answers."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def instruction(name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in dockerfile() if line.split(None, 1)[0].upper() == name]


def test_dockerfile_runs_as_non_root_with_a_healthcheck():
    assert instruction("FROM") == ["python:3.11-slim"]
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")
    health = instruction("HEALTHCHECK")
    assert health and "/healthz" in health[0]
    assert instruction("EXPOSE") == ["3978"]
    assert any("-r requirements.txt" in r and "-c constraints.txt" in r for r in instruction("RUN"))
    assert instruction("CMD") == ['["python", "app.py"]']
    assert any("HOST=0.0.0.0" in e for e in instruction("ENV"))


def test_dockerignore_keeps_secrets_and_data_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".git", ".venv", "data", "*.sqlite3"} <= set(ignored)


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_two_bots_on_one_postgres_database():
    services = compose()["services"]
    bots = {name: s for name, s in services.items() if s.get("build") or "samverkanslotsen" in str(s.get("image"))}
    assert len(bots) == 2
    dbs = [name for name, s in services.items() if str(s.get("image", "")).startswith("postgres:15")]
    assert len(dbs) == 1
    db = services[dbs[0]]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    for bot in bots.values():
        assert bot["env_file"] == ".env"
        assert f"@{dbs[0]}:5432/" in bot["environment"]["DATABASE_URL"]
        assert dbs[0] in bot["depends_on"]
    assert len({tuple(b["ports"]) for b in bots.values()}) == 2  # one host port each


SECRET_NAMES = re.compile(r"(PASSWORD|SECRET|TOKEN|KEY)", re.I)


def test_compose_holds_no_secret_values():
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    for service in compose()["services"].values():
        env = service.get("environment", {})
        for name, value in env.items():
            value = str(value)
            if SECRET_NAMES.search(name):
                assert re.fullmatch(r"\$\{[A-Z_]+(:\?[^}]*)?\}", value), f"{name} must come from a variable"
            # A password inside a URL must be a variable too.
            for password in re.findall(r"://[^:/@]+:([^@]+)@", value):
                assert password.startswith("${"), f"{name} carries a password"
    assert "MicrosoftAppPassword" not in text


def docker_works() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"docker info failed: {error}"
    return None if info.returncode == 0 else "docker info failed: no Docker engine answers"


def test_the_image_builds_and_answers_healthz():
    reason = docker_works()
    if reason:
        pytest.skip(reason)
    tag = f"samverkanslotsen-test:{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=900)
    try:
        user = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        assert user != "0"
        probe = (
            "import subprocess, time, urllib.request, sys\n"
            "p = subprocess.Popen([sys.executable, 'app.py'])\n"
            "for _ in range(100):\n"
            "    try:\n"
            "        print(urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=2).status); break\n"
            "    except Exception: time.sleep(0.3)\n"
            "p.terminate(); sys.exit(p.wait())\n"
        )
        run = subprocess.run(
            ["docker", "run", "--rm", "-e", "HOST=127.0.0.1", tag, "python", "-c", probe],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0 and run.stdout.strip() == "200", run.stderr[-2000:]
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)
