"""Fingerprints of the question bank and of the rules, so a version number names one thing.

BANK_VERSION and RULES_VERSION are stored with every submission. Each released version has
its SHA-256 fingerprint recorded in docs/clinical-versions.json, and a test fails when the
code's fingerprint differs from the one recorded for its version: a change to the questions
or the rules cannot ship under an old version number.

The bank's fingerprint hashes the canonical JSON of the bank: every section, question id,
wording, hint, option code and label, answer type and range, required flag and show-if
condition. The version number itself is left out, so the hash says what the version holds.

The rules' fingerprint hashes the parsed code of the modules that decide a result, not
their text. `ast.parse` drops comments, blank lines, line breaks and quoting style, so a
reformat or a new comment does not call for a new rules version (if it did, people would
learn to bump versions without reading what changed). Everything else counts, docstrings
included: some of them are the rule descriptions in docs/clinical-rules.md, which a
clinician signs. We hash the code rather than the behaviour because no finite set of
answers proves two versions of the rules agree; a code change that turns out to change
nothing costs a version number, nothing worse.

The modules: conditions.py (show-if logic), answers.py (validation, stale answers,
completeness), engine.py (the rules), screening.py (tiers, their order, the result's form),
and bank.py without its question table (the site and duration groups the rules read, the
age range and how a question decides whether it is shown, while the table itself is the
bank's). The version numbers are left out too. Not counted: the command line, the
document writer and this module, which decide nothing about a patient.

`ast.dump` differs between Python versions (3.13 leaves out empty fields, 3.12 added
fields), so we serialise the tree ourselves and skip fields that are empty or None: the
fingerprint depends on the code, not on the interpreter that reads it (checked: the same on
Python 3.11, 3.12 and 3.13, where `ast.dump` gives three different texts).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .bank import BANK_VERSION, bank_dict
from .engine import RULES_VERSION

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
VERSIONS_FILE = REPO / "docs" / "clinical-versions.json"
CHANGELOG = REPO / "docs" / "clinical-changelog.md"
# Each module that decides a result, with the top-level names whose assignments do not
# count: the version numbers (a fingerprint says what a version holds, not what it is
# called, so bumping BANK_VERSION does not change the rules') and bank.py's question table,
# which the bank fingerprint covers.
RULE_MODULES: dict[str, frozenset[str]] = {
    "conditions.py": frozenset(),
    "answers.py": frozenset(),
    "engine.py": frozenset({"RULES_VERSION"}),
    "screening.py": frozenset(),
    "bank.py": frozenset({"_SECTIONS", "BANK_VERSION"}),
}

RELEASE_STEPS = (
    "bump BANK_VERSION (rules/bank.py) or RULES_VERSION (rules/engine.py), add an entry for "
    "the new version to docs/clinical-changelog.md, record the new fingerprint with "
    "`.venv/bin/python -m rules fingerprint --record`, and regenerate docs/clinical-rules.md "
    "with `.venv/bin/python -m rules doc`"
)


def _sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bank_fingerprint() -> str:
    bank = bank_dict()
    del bank["bank_version"]
    return _sha256(bank)


def _tree(node: Any) -> Any:
    if isinstance(node, ast.AST):
        fields = {
            name: _tree(value)
            for name, value in ast.iter_fields(node)
            if value is not None and value != []
        }
        return [type(node).__name__, fields]
    if isinstance(node, list):
        return [_tree(item) for item in node]
    # A constant: its type and repr, so 1, True, 1.0 and "1" all differ.
    return [type(node).__name__, repr(node)]


def _assigned_name(stmt: ast.stmt) -> str | None:
    target: ast.expr | None = stmt.target if isinstance(stmt, ast.AnnAssign) else None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    return target.id if isinstance(target, ast.Name) else None


def code_tree(source: str, leave_out: frozenset[str] = frozenset()) -> Any:
    """The parsed code as plain data, without the top-level assignments to `leave_out`."""
    module = ast.parse(source)
    kept = [stmt for stmt in module.body if _assigned_name(stmt) not in leave_out]
    if len(module.body) - len(kept) != len(leave_out):
        raise ValueError(f"expected one top-level assignment to each of {sorted(leave_out)}")
    return _tree(ast.Module(body=kept, type_ignores=[]))


def rules_fingerprint(package: Path = PACKAGE) -> str:
    trees = {
        name: code_tree((package / name).read_text(encoding="utf-8"), leave_out)
        for name, leave_out in RULE_MODULES.items()
    }
    return _sha256(trees)


def current() -> dict[str, tuple[str, str]]:
    """{"bank": (version, fingerprint), "rules": (version, fingerprint)} of the code."""
    return {
        "bank": (BANK_VERSION, bank_fingerprint()),
        "rules": (RULES_VERSION, rules_fingerprint()),
    }


def recorded(path: Path = VERSIONS_FILE) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {"bank": {}, "rules": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"bank": dict(data.get("bank", {})), "rules": dict(data.get("rules", {}))}


def changelog_has(text: str, kind: str, version: str) -> bool:
    """Whether a `## ` heading of the changelog names this version, e.g. "Bank 1.0"."""
    pattern = re.compile(rf"\b{kind}\s+{re.escape(version)}(?![\w.])", re.IGNORECASE)
    return any(pattern.search(line) for line in text.splitlines() if line.startswith("## "))


class RecordError(Exception):
    pass


def record(
    path: Path = VERSIONS_FILE, changelog: Path = CHANGELOG
) -> list[tuple[str, str, str, bool]]:
    """Add the current versions' fingerprints to the versions file.

    Returns (kind, version, fingerprint, newly added) for each. Writes nothing, and raises
    RecordError, if a recorded fingerprint would change (a released version's fingerprint
    never changes) or if a new version has no changelog entry.
    """
    data = recorded(path)
    log = changelog.read_text(encoding="utf-8") if changelog.exists() else ""
    out = []
    for kind, (version, fingerprint) in current().items():
        known = data[kind].get(version)
        if known is not None and known != fingerprint:
            raise RecordError(
                f"{kind} {version} is recorded with another fingerprint ({known[:12]}...); "
                f"a recorded version never changes: {RELEASE_STEPS}. (If {kind} {version} "
                f"was never released, delete its line from {path.name} by hand first.)"
            )
        if known is None and not changelog_has(log, kind, version):
            raise RecordError(
                f"{kind} {version} has no entry in {changelog.name}: add a `## ` heading "
                f"naming it ('{kind.capitalize()} {version}') that says what changed, first"
            )
        data[kind][version] = fingerprint
        out.append((kind, version, fingerprint, known is None))
    if any(added for *_, added in out):
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return out
