"""Fixtures for the end-to-end stage (marker e2e): see tests/e2e/harness.py."""

from tests.e2e.harness import stack  # noqa: F401 - the session fixture
