# Samverkanslotsen — the two commands that matter on a fresh machine:
#   make run    install everything, start the bot and the Agents Playground, print the URL to open
#   make bot    install everything and run the bot alone (example configuration)
#   make test   install everything and run the whole test suite (unit, HTTP, end-to-end)
.PHONY: run bot test test-fast e2e setup check-kb bench package playground clean lint fit-risk


setup:
	@scripts/setup.sh

# The bot and the Microsoft 365 Agents Playground on 127.0.0.1 (http://127.0.0.1:56150),
# Ctrl-C stops both. See docs/e2e.md.
run: setup
	@scripts/playground.sh

bot: setup
	.venv/bin/python app.py

test-fast: setup
	.venv/bin/python -m pytest -m "not e2e"

e2e:
	@scripts/setup.sh --e2e
	.venv/bin/python -m pytest -m e2e

# pg_virtualenv (Debian postgresql-common) starts a throw-away PostgreSQL cluster for the run and
# exports PG* variables; the storage tests use it (tests/storage/conftest.py), and fail under
# CI=true without it.
test:
	@scripts/setup.sh --e2e
	@$(MAKE) --no-print-directory lint
	pg_virtualenv .venv/bin/python -m pytest

# Code health, before the tests: lint (ruff.toml), format of the whole tree (ruff format), types (mypy.ini).
lint: setup
	.venv/bin/python -m ruff check .
	.venv/bin/python -m ruff format --check .
	.venv/bin/python -m mypy

check-kb: setup
	.venv/bin/python -m scripts.kb check

# The risk check's trees (lotsen/data/risk_model.json, lotsen/risk.py), fitted again on the tuning
# sets: after knowledge-base or matcher changes that move the scores. Needs scikit-learn, which the
# bot and the tests do not (requirements-fit.txt).
fit-risk: setup
	.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-fit.txt -c constraints.txt
	.venv/bin/python -m scripts.fit_risk --write

bench: setup
	.venv/bin/python -m scripts.benchmark

package: setup
	.venv/bin/python -m manifest.build

playground: run

clean:
	rm -rf .venv node_modules build test-artifacts .pytest_cache
