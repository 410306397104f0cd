"""Dependencies locked: every one, transitive ones too, at one version with its hashes; the
pins in requirements*.txt agree with the locks, and the tests run on what is locked."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()  # PEP 503


def pins(path: Path) -> dict[str, str]:
    return {name(n): v for n, v in PIN.findall(path.read_text(encoding="utf-8"))}


def entries(lock: Path) -> list[str]:
    """Each package's block in a pip-compile lock: the pin and its --hash lines."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text(encoding="utf-8"))
    return [b for b in blocks if PIN.match(b)]


@pytest.mark.parametrize(
    ("lock", "sources"),
    [
        ("requirements.lock", ["requirements.txt"]),
        ("requirements-dev.lock", ["requirements.txt", "requirements-dev.txt"]),
    ],
)
def test_each_pin_is_in_its_lock_at_the_same_version_with_hashes(lock, sources):
    locked = pins(REPO / lock)
    for source in sources:
        for package, version in pins(REPO / source).items():
            assert locked.get(package) == version, f"{package}: {source} and {lock} differ"
    blocks = entries(REPO / lock)
    assert len(blocks) == len(locked)
    unhashed = [b.split()[0] for b in blocks if "--hash=sha256:" not in b]
    assert unhashed == []


def test_the_production_lock_is_part_of_the_development_lock():
    runtime, dev = pins(REPO / "requirements.lock"), pins(REPO / "requirements-dev.lock")
    assert {p: dev.get(p) for p in runtime} == runtime


def test_the_tests_run_on_the_locked_versions():
    installed = {name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    locked = pins(REPO / "requirements.lock")
    assert {p: installed.get(p) for p in locked} == locked
