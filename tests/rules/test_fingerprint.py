"""Fingerprints: what counts as a change to the bank or the rules, and recording them."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rules.bank
from rules.fingerprint import (
    PACKAGE,
    RecordError,
    bank_fingerprint,
    changelog_has,
    code_tree,
    current,
    record,
    rules_fingerprint,
)

SOURCE = '''
def rule(a):
    """Likely when the answer is yes."""
    return a.get("x") == "yes"
'''


def test_comments_blank_lines_and_layout_do_not_count():
    reformatted = '''
# A comment about the rule.
def rule(a):

    """Likely when the answer is yes."""
    return (
        a.get('x')  # the answer
        == 'yes'
    )
'''
    assert code_tree(reformatted) == code_tree(SOURCE)


@pytest.mark.parametrize(
    "changed",
    [
        SOURCE.replace('"yes"', '"no"'),
        SOURCE.replace("==", "!="),
        SOURCE.replace("Likely when", "Possible when"),  # a docstring is a description
    ],
)
def test_code_constants_and_docstrings_count(changed):
    assert code_tree(changed) != code_tree(SOURCE)


def test_constants_of_different_types_differ():
    assert code_tree("x = 1") != code_tree("x = True")
    assert code_tree("x = 1") != code_tree("x = '1'")


def _copy_package(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_copy_of_the_rules_has_the_same_fingerprint(tmp_path):
    assert rules_fingerprint(_copy_package(tmp_path)) == rules_fingerprint()


def test_rewording_a_question_changes_the_bank_not_the_rules(tmp_path, monkeypatch):
    copy = _copy_package(tmp_path)
    _edit(copy / "bank.py", '"How long have you had it?"', '"How long has it hurt?"')
    assert rules_fingerprint(copy) == rules_fingerprint()

    before = bank_fingerprint()
    sections = list(rules.bank.SECTIONS)
    pain = sections[1]
    duration = dataclasses.replace(pain.questions[1], text="How long has it hurt?")
    sections[1] = dataclasses.replace(pain, questions=(pain.questions[0], duration))
    monkeypatch.setattr(rules.bank, "SECTIONS", tuple(sections))
    assert bank_fingerprint() != before


def test_the_bank_fingerprint_leaves_out_the_version_number(monkeypatch):
    before = bank_fingerprint()
    monkeypatch.setattr(rules.bank, "BANK_VERSION", "9.9")
    assert bank_fingerprint() == before


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        # A site group is read by the rules only, never by a show-if condition.
        ("bank.py", '"knee_tendon", "hip_side",', '"hip_side",'),
        ("engine.py", "if len(spa) >= 4:", "if len(spa) >= 3:"),
        ("answers.py", "if not AGE_MIN <= value <= AGE_MAX:", "if not AGE_MIN < value <= AGE_MAX:"),
        (
            "conditions.py",
            "        if value is None:\n            return True\n        return (",
            "        if value is None:\n            return False\n        return (",
        ),
        (
            "screening.py",
            '("emergency", "urgent", "gp_soon")',
            '("urgent", "emergency", "gp_soon")',
        ),
    ],
)
def test_a_change_to_the_logic_changes_the_rules_fingerprint(tmp_path, module, old, new):
    copy = _copy_package(tmp_path)
    _edit(copy / module, old, new)
    assert rules_fingerprint(copy) != rules_fingerprint()


def test_bumping_a_version_number_does_not_change_the_rules_fingerprint(tmp_path):
    copy = _copy_package(tmp_path)
    _edit(copy / "bank.py", 'BANK_VERSION = "', 'BANK_VERSION = "9.')
    _edit(copy / "engine.py", 'RULES_VERSION = "', 'RULES_VERSION = "9.')
    assert rules_fingerprint(copy) == rules_fingerprint()


def test_the_command_line_and_the_document_writer_do_not_count(tmp_path):
    copy = _copy_package(tmp_path)
    _edit(copy / "__main__.py", "import argparse", "import argparse  # noqa\nimport os")
    _edit(copy / "document.py", '"## Red flags"', '"## Warning signs"')
    assert rules_fingerprint(copy) == rules_fingerprint()


@pytest.mark.parametrize(
    ("text", "kind", "version", "expected"),
    [
        ("## Bank 1.0, rules 1.0: the first version", "rules", "1.0", True),
        ("## Bank 1.0, rules 1.0: the first version", "bank", "1.0", True),
        ("## Rules 1.0.1", "rules", "1.0", False),
        ("## Rules 11.0", "rules", "1.0", False),
        ("Rules 1.0 is mentioned, but not in a heading", "rules", "1.0", False),
    ],
)
def test_a_changelog_entry_is_a_heading_naming_the_version(text, kind, version, expected):
    assert changelog_has(text, kind, version) is expected


def test_record_adds_new_versions_once_there_is_a_changelog_entry(tmp_path):
    versions, log = tmp_path / "versions.json", tmp_path / "changelog.md"
    bank_v, rules_v = current()["bank"][0], current()["rules"][0]
    log.write_text(f"# Log\n\n## Rules {rules_v}\n")
    with pytest.raises(RecordError, match=f"bank {bank_v} has no entry"):
        record(versions, log)
    assert not versions.exists()

    log.write_text(f"# Log\n\n## Bank {bank_v}, rules {rules_v}\n")
    assert [added for *_, added in record(versions, log)] == [True, True]
    assert json.loads(versions.read_text()) == {
        kind: {version: fingerprint} for kind, (version, fingerprint) in current().items()
    }
    assert [added for *_, added in record(versions, log)] == [False, False]


def test_record_never_changes_a_recorded_fingerprint(tmp_path):
    versions, log = tmp_path / "versions.json", tmp_path / "changelog.md"
    rules_v = current()["rules"][0]
    stale = {"bank": {}, "rules": {rules_v: "0" * 64}}
    versions.write_text(json.dumps(stale))
    log.write_text("## Bank 1.0, rules 1.0\n")
    with pytest.raises(RecordError, match="never changes"):
        record(versions, log)
    assert json.loads(versions.read_text()) == stale


def test_the_command_prints_both_fingerprints_as_recorded():
    run = subprocess.run(
        [sys.executable, "-m", "rules", "fingerprint"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["bank", "rules"]
    assert all(line.endswith("  recorded") for line in lines)
    assert lines[1].split()[2] == rules_fingerprint()
