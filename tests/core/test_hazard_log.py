"""The hazard log (docs/safety/hazards.toml) stays true: every test it names exists, every
hazard has a control, and every red flag and booking decision is covered by one."""

from __future__ import annotations

import ast
import tomllib
from functools import cache
from pathlib import Path

import pytest

from rules import BOOKINGS, safety
from rules.__main__ import main as rules_cli
from rules.engine import RED_FLAGS

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "safety" / "hazards.toml"
FIELDS = ("id", "title", "cause", "effect", "severity", "likelihood", "control")
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very low", "low", "medium", "high", "very high")


@cache
def hazards() -> list[dict]:
    return tomllib.loads(LOG.read_text(encoding="utf-8"))["hazard"]


@cache
def defined_tests(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


def test_every_hazard_is_complete_and_has_a_control():
    ids = [h["id"] for h in hazards()]
    assert len(ids) == len(set(ids)), "hazard ids must be unique"
    for hazard in hazards():
        missing = [f for f in FIELDS if not hazard.get(f)]
        assert not missing, f"{hazard['id']} lacks {missing}"
        assert hazard["severity"] in SEVERITIES and hazard["likelihood"] in LIKELIHOODS
        for control in hazard["control"]:
            assert control["what"] and control["tests"], f"{hazard['id']}: a control needs tests"


@pytest.mark.parametrize(
    "node", sorted({t for h in hazards() for c in h["control"] for t in c["tests"]})
)
def test_every_named_test_exists(node):
    path, _, name = node.partition("::")
    assert (ROOT / path).is_file(), f"{node}: no such file"
    assert name in defined_tests(path), f"{node}: no such test"


def test_every_red_flag_and_booking_decision_is_covered():
    covered = {item for h in hazards() for c in h["control"] for item in c["covers"]}
    needed = {f"red_flag:{r.id}" for r in RED_FLAGS} | {f"booking:{b}" for b in BOOKINGS}
    assert needed <= covered, f"not covered by any hazard's control: {sorted(needed - covered)}"
    assert covered <= needed, f"covers something that does not exist: {sorted(covered - needed)}"


def test_the_checked_in_safety_case_is_what_the_log_writes():
    written = safety.report(safety.load())
    assert safety.SAFETY_CASE.read_text(encoding="utf-8") == written, (
        "docs/safety/safety-case.md differs from the hazard log: regenerate it with "
        "`.venv/bin/python -m rules safety-report` and commit it with the change"
    )


def test_the_safety_report_command_prints_the_case(capsys):
    assert rules_cli(["safety-report", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Safety case summary") and "## Limits" in out
    assert all(f"## {h['id']}: {h['title']}" in out for h in hazards())
