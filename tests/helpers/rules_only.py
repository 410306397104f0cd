"""A pytest plugin that runs the rules tests on their own, as mutation testing does.

    .venv/bin/python -m pytest -p tests.helpers.rules_only --noconftest -p no:cacheprovider \
        tests/rules

Only the tests/rules/test_*.py files are collected, but not test_clinical_docs.py (the
generated documents, not the rules' behaviour), and less the two that exercise the rules
from outside the process: the command line's tests (a subprocess per case, which the
mutation tool cannot credit) and the fingerprint's (which hash the source files, and the
mutation tool's copy of them is rewritten). No web fixtures (`--noconftest`: the rules tests
need none, and importing Flask costs every run). Hypothesis is made repeatable: the same
examples every run and no example database, so a mutant's verdict never depends on what an
earlier run happened to find. Mutated code runs slower, so no deadline or health check may
fail a test for speed. The properties try 25 answer sets each rather than 100: they run for
nearly every mutant, and the exact cases in the other rules tests pin each rule down.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

OUTSIDE_THE_PROCESS = {"test_cli.py", "test_fingerprint.py", "test_clinical_docs.py"}
DESELECTED = {"test_the_command_line_and_evaluate_agree"}  # a subprocess per example

settings.register_profile(
    "rules-only",
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
settings.load_profile("rules-only")


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if collection_path.is_dir() or collection_path.suffix != ".py":
        return None
    name = collection_path.name
    in_rules = collection_path.parent.name == "rules"
    return not (in_rules and name.startswith("test_")) or name in OUTSIDE_THE_PROCESS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselected = [item for item in items if item.name in DESELECTED]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item.name not in DESELECTED]
