#!/usr/bin/env bash
# Install everything the bot and its tests need, into .venv (Python) and node_modules (npm).
# Idempotent: re-running only installs what changed. Usage: scripts/setup.sh [--e2e]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

stamp_newer() {  # true when $1 exists and is newer than every other argument
    local stamp=$1; shift
    [ -e "$stamp" ] || return 1
    for f in "$@"; do [ "$f" -nt "$stamp" ] && return 1; done
    return 0
}

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
if ! stamp_newer .venv/.installed requirements.txt requirements-dev.txt constraints.txt; then
    echo "setup: installing Python packages (pinned)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
    touch .venv/.installed
fi

if ! stamp_newer node_modules/.installed package.json package-lock.json; then
    if command -v npm >/dev/null 2>&1; then
        echo "setup: installing npm tools (pinned by package-lock.json)"
        npm ci --no-audit --no-fund --loglevel=error
        touch node_modules/.installed
    else
        echo "setup: npm not found; the card renderer check, manifest schema check and end-to-end tests need Node.js 20+ and npm" >&2
        exit 1
    fi
fi

# The end-to-end stage (tests/e2e) and the card gallery need a browser; the emoji font makes
# the 👍/👎 buttons visible in their screenshots.
if [ "${1:-}" = "--e2e" ] && { ! command -v chromium >/dev/null 2>&1 || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; }; then
    echo "setup: installing Debian's chromium and fonts for the end-to-end tests"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        chromium fonts-liberation fonts-noto-color-emoji >/dev/null
fi

# `make test` runs the storage contract and multi-instance tests against a real PostgreSQL
# server: Debian's postgresql package, started per run by pg_virtualenv (it works as root).
if [ "${1:-}" = "--e2e" ] && ! command -v pg_virtualenv >/dev/null 2>&1; then
    echo "setup: installing Debian's postgresql for the storage tests"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
