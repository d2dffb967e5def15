"""Helpers shared by the integration tests (tests/integration) and the benchmarks (bench/).

Tests and benchmarks both import from here and never from each other. Nothing here is a
test (no ``test_*`` names) and nothing here is shipped: plugins/ never imports it.
"""

from pathlib import Path

# Playbooks that run one role or one module with the caller's extra vars.
PLAYBOOKS = Path(__file__).parent / "playbooks"
