# Samverkanslotsen — the two commands that matter on a fresh machine:
#   make run    install everything, start the bot and the Agents Playground, print the URL to open
#   make bot    install everything and run the bot alone (example configuration)
#   make test   install everything and run the whole test suite (unit, HTTP, end-to-end)
.PHONY: run bot test test-fast e2e setup check-kb bench package playground clean lint

# Formatted with `ruff format` (checked by `make lint`): files added since issue 16. Add a file
# here once it is formatted; the rest of the tree is formatted gradually to spare merges.
FORMATTED = lotsen/casekinds.py lotsen/tenancy.py lotsen/kb/forms.py bot/composition.py \
            tests/test_layering.py tests/http/test_form_as_data.py scripts/flow_diagrams.py \
            tests/test_code_health.py

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

test:
	@scripts/setup.sh --e2e
	@$(MAKE) --no-print-directory lint
	.venv/bin/python -m pytest

# Code health, before the tests: lint (ruff.toml), format of $(FORMATTED), types (mypy.ini).
lint: setup
	.venv/bin/python -m ruff check .
	.venv/bin/python -m ruff format --check $(FORMATTED)
	.venv/bin/python -m mypy

check-kb: setup
	.venv/bin/python -m scripts.kb check

bench: setup
	.venv/bin/python -m scripts.benchmark

package: setup
	.venv/bin/python -m manifest.build

playground: run

clean:
	rm -rf .venv node_modules build test-artifacts .pytest_cache
