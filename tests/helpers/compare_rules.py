"""Compare the rules as they are with the rules of an earlier commit, on the same answers.

A rules version that changes only words (rules 1.3: reasons as data) must give the same
outcome as the version before for every answer set: indication levels, red flags and their
tiers, the tier, the redirect, missing answers, cautions, notes, the booking decision, the
cleaned answers, and for bad input the same error. Only the reasons may differ, in form.

    .venv/bin/python -m tests.helpers.compare_rules [--against COMMIT] [--sets N]

The earlier rules/ is read from git (`git show COMMIT:rules/...`) into a temporary package,
so both run side by side in one process. Exit status 1 and the first differences when any
answer set differs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import rules
from rules import QUESTIONS

ROOT = Path(__file__).resolve().parents[2]
STORIES = ROOT / "tests" / "stories" / "stories.json"
RULES_1_2 = "6de9e72"  # the commit of rules 1.2, the last release before reasons as data


def load_rules_at(commit: str, into: Path) -> ModuleType:
    """The rules package as it was at `commit`, imported as `rules_<commit>`."""
    name = f"rules_{commit}"
    package = into / name
    package.mkdir()
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{commit}:rules/"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for filename in listing:
        if filename.endswith(".py"):
            source = subprocess.run(
                ["git", "show", f"{commit}:rules/{filename}"],
                cwd=ROOT, check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            (package / filename).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module(name)


def outcome(module: ModuleType, answers: Any) -> Any:
    """Everything a screening decides, without the reasons' form; or the error."""
    try:
        s = module.evaluate(answers)
        cleaned = module.clean(answers)
    except module.AnswerError as exc:
        return ("error", str(exc))
    return {
        "levels": {name: ind.level for name, ind in s.indications.items()},
        "reasons_per_indication": {name: bool(ind.reasons) for name, ind in s.indications.items()},
        "red_flags": [(f.id, f.tier, bool(f.reasons)) for f in s.red_flags],
        "tier": s.tier,
        "redirect": s.redirect,
        "missing": list(s.missing),
        "cautions": [(c.id, c.level) for c in s.cautions],
        "notes": list(s.notes),
        "booking": s.booking,
        "cleaned": cleaned,
    }


def _random_answer(rng: random.Random, qid: str) -> Any:
    q = QUESTIONS[qid]
    if q.kind == "int":
        return rng.randint(0, 120)
    codes = sorted(q.codes)
    if q.kind == "multi":
        return rng.sample(codes, rng.randint(0, min(len(codes), 5)))
    return rng.choice(codes)


# Calm sets give these the first option (no, none, normal) most of the time: each other
# answer raises a red flag or a caution often enough to hide the booking steps behind it.
_QUIET_SECTIONS = ("safety", "health")
_QUIET_PATTERN = ("night_pain", "joint_state", "morning_stiffness", "spa_features")


def _quiet(q: Any) -> Any:
    if q.kind == "yesno":
        return "no"
    return [] if q.kind == "multi" else q.options[0].code


def random_sets(n: int, seed: int = 13) -> Iterator[dict[str, Any]]:
    """Valid answer sets. Half answer everything at random (nearly all raise a red flag);
    half are calm, with the safety and health questions mostly no, so the indications,
    cautions and booking steps behind the red flags are reached too."""
    rng = random.Random(seed)
    for i in range(n):
        calm = i % 2 == 1
        a: dict[str, Any] = {}
        for qid, q in QUESTIONS.items():
            if rng.random() >= (0.95 if calm else 0.8):
                continue
            if calm and qid == "age":
                a[qid] = rng.randint(12, 90)
            elif calm and q.section in _QUIET_SECTIONS and q.kind != "multi":
                a[qid] = _quiet(q) if rng.random() < 0.95 else _random_answer(rng, qid)
            elif calm and qid in _QUIET_PATTERN:
                a[qid] = _quiet(q) if rng.random() < 0.8 else _random_answer(rng, qid)
            else:
                a[qid] = _random_answer(rng, qid)
        yield a


_ODD_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 121, 45.0, "", "yes ", "YES", "45", [], ["yes"], {}, ["x", "x"],
    [None], "knee", "0", 10**30,
)  # fmt: skip


def broken_sets(n: int, seed: int = 29) -> Iterator[Any]:
    """Invalid or unusual input: a good set with one or two answers made odd (a wrong type,
    an unknown code, a repeated list item, an age out of range, an unknown question), and
    input that is not an answer set at all."""
    rng = random.Random(seed)
    ids = list(QUESTIONS)
    yield from ([], "answers", 7, None, {"": "yes"}, {"age": True})
    for good in random_sets(n, seed):
        for _ in range(rng.randint(1, 2)):
            pick = rng.random()
            if pick < 0.15:
                good[f"not_a_question_{rng.randint(0, 3)}"] = "yes"
            elif pick < 0.3:
                qid = rng.choice(ids)
                value = _random_answer(rng, qid)
                good[qid] = [*value, *value[:1]] if isinstance(value, list) else [value]
            else:
                good[rng.choice(ids)] = rng.choice(_ODD_VALUES)
        yield good


def compare(
    sets: Callable[[], Iterator[Any]], old: ModuleType, new: ModuleType = rules
) -> tuple[int, list[tuple[Any, Any, Any]]]:
    count, differences = 0, []
    for answers in sets():
        count += 1
        before, after = outcome(old, answers), outcome(new, answers)
        if before != after:
            differences.append((answers, before, after))
    return count, differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.helpers.compare_rules")
    parser.add_argument("--against", default=RULES_1_2, help="the earlier commit")
    parser.add_argument("--sets", type=int, default=100_000, help="random valid answer sets")
    parser.add_argument("--broken", type=int, default=20_000, help="invalid answer sets")
    args = parser.parse_args(argv)
    stories = [s["answers"] for s in json.loads(STORIES.read_text(encoding="utf-8"))]
    with tempfile.TemporaryDirectory() as tmp:
        old = load_rules_at(args.against, Path(tmp))
        print(f"rules {old.RULES_VERSION} ({args.against}) against {rules.RULES_VERSION}")
        failed = False
        for label, sets in (
            ("random answer sets", lambda: random_sets(args.sets)),
            ("worked stories", lambda: iter(stories)),
            ("invalid or unusual answer sets", lambda: broken_sets(args.broken)),
        ):
            count, differences = compare(sets, old)
            errors = sum(isinstance(outcome(rules, a), tuple) for a in sets())
            print(f"{label}: {count} compared ({errors} refused), {len(differences)} differ")
            for answers, before, after in differences[:3]:
                print(f"  {answers!r}\n    before {before!r}\n    after  {after!r}")
            failed = failed or bool(differences)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
