#!/usr/bin/env bash
# Try the bot by hand in the Microsoft 365 Agents Playground (a Teams-like chat in the browser).
#
#   make run                   # or: make playground, scripts/playground.sh
#
# Starts the bot (app.py, local mode, port $PORT or 3978; configuration from .env or
# .env.example as for `make run`) and the Playground (port $PLAYGROUND_PORT or 56150),
# prints the address to open, and stops both when you press Ctrl-C (or when one of them stops).
# The Playground writes its log to build/playground/devTools/; the bot logs to this terminal.
# Both listen on 127.0.0.1 only (the Playground through scripts/loopback.cjs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BOT_PORT=${PORT:-3978}
PG_PORT=${PLAYGROUND_PORT:-56150}
RUN_DIR=${PLAYGROUND_DIR:-$ROOT/build/playground}
PYTHON=$ROOT/.venv/bin/python
PLAYGROUND=$ROOT/node_modules/.bin/agentsplayground

[ -x "$PYTHON" ] || { echo "playground: .venv is missing; run: make setup" >&2; exit 1; }
[ -x "$PLAYGROUND" ] || { echo "playground: $PLAYGROUND is missing; run: make setup (npm ci)" >&2; exit 1; }

port_in_use() {
    "$PYTHON" - "$1" <<'EOF'
import socket, sys
with socket.socket() as s:
    s.settimeout(0.5)
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
}
wait_for() {  # wait_for URL PID SECONDS: until the URL answers 200, the process dies, or time runs out
    "$PYTHON" - "$@" <<'EOF'
import os, sys, time, urllib.request
url, pid, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(2)
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
}

for port in "$BOT_PORT" "$PG_PORT"; do
    if port_in_use "$port"; then
        echo "playground: port $port is already in use (is another bot or Playground running?)." >&2
        echo "            Choose others with PORT=… and PLAYGROUND_PORT=…" >&2
        exit 1
    fi
done
mkdir -p "$RUN_DIR"

BOT_PID=""
PG_PID=""
stop() {
    trap - INT TERM EXIT
    echo
    echo "playground: stopping the Playground and the bot …"
    # Each runs in its own process group (setsid): stop the whole group, then make sure.
    for pid in $PG_PID $BOT_PID; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
        alive=""
        for pid in $PG_PID $BOT_PID; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for pid in $PG_PID $BOT_PID; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "playground: stopped."
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo "playground: starting the bot on http://127.0.0.1:$BOT_PORT/api/messages …"
PORT=$BOT_PORT setsid "$PYTHON" app.py &
BOT_PID=$!
if ! wait_for "http://127.0.0.1:$BOT_PORT/healthz" "$BOT_PID" 60; then
    echo "playground: the bot did not start (see the messages above)." >&2
    exit 1
fi

echo "playground: starting the Agents Playground on port $PG_PORT …"
(cd "$RUN_DIR" && TEAMSAPPTESTER_BROWSER=none NODE_OPTIONS="--require $ROOT/scripts/loopback.cjs" \
    exec setsid "$PLAYGROUND" \
    -e "http://127.0.0.1:$BOT_PORT/api/messages" -c msteams --disable-telemetry -p "$PG_PORT" \
    >"$RUN_DIR/playground.log" 2>&1) &
PG_PID=$!
if ! wait_for "http://127.0.0.1:$PG_PORT/" "$PG_PID" 30 || ! grep -q "Listening on $PG_PORT" "$RUN_DIR/playground.log"; then
    echo "playground: the Playground did not start on port $PG_PORT:" >&2
    cat "$RUN_DIR/playground.log" >&2
    exit 1
fi

cat <<EOF

  Samverkanslotsen in the Microsoft 365 Agents Playground:

      http://127.0.0.1:$PG_PORT

  Open it in a browser. Try "Vem kallar till SIP?", "rapportera avvikelse", "begär sip" or "hjälp".
  Press Ctrl-C to stop the Playground and the bot. The bot alone: make bot

EOF

# Run until Ctrl-C, or until one of the two stops by itself.
while kill -0 "$BOT_PID" 2>/dev/null && kill -0 "$PG_PID" 2>/dev/null; do
    sleep 1
done
echo "playground: the $(kill -0 "$BOT_PID" 2>/dev/null && echo Playground || echo bot) stopped by itself." >&2
exit 1
