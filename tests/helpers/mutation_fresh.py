"""After `mutmut run`: re-run each surviving mutant in a fresh process, then score the run.

mutmut 3 forks every mutant from a process that imported the rules before the mutant was
switched on, so code that runs at import time (the question bank built from its table, the
bank's consistency check, the caution table's wording) runs unmutated there, and its
mutants survive whatever the tests assert. Here each survivor gets a new Python process
with the mutant switched on from the first import, running the same tests (mutmut's own
trampolines in mutants/ read MUTANT_UNDER_TEST), and its verdict is written back where
`mutmut results` reads it.

Then the score: killed / (all mutants - the equivalent mutants listed in docs/mutation.md,
one table row each, the name in backticks first). The run fails if a mutant of engine.py
survives unlisted, or if less than TARGET of rules/ as a whole is killed.

    .venv/bin/python -m tests.helpers.mutation_fresh [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
EQUIVALENTS_DOC = ROOT / "docs" / "mutation.md"
TARGET = 0.95
MUST_KILL_ALL = "rules/engine.py"
TIMEOUT_SECONDS = 300
# mutmut's exit codes: what a finished verdict looks like in its .meta files.
KILLED, SURVIVED, TIMEOUT, NO_TESTS = 1, 0, 36, 33
DETECTED = {1, 3, 36, 24, -24, 152, 255}


def pytest_command() -> list[str]:
    """The tests and options mutmut runs, read from the same [tool.mutmut] table."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return [
        sys.executable,
        *("-m", "pytest", "-x", "-q", "--tb=no", "--rootdir=."),
        *config.get("pytest_add_cli_args", []),
        *config["pytest_add_cli_args_test_selection"],
    ]


def verdict(mutant: str, command: list[str]) -> int:
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant}
    try:
        run = subprocess.run(
            command, cwd=MUTANTS, env=env, capture_output=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return TIMEOUT
    # 1: a test failed; 2: collection stopped, as when a mutated import raises. Either way
    # the mutant was noticed. Anything else (5: no tests ran) means the command is wrong.
    if run.returncode in (0, 1, 2):
        return SURVIVED if run.returncode == 0 else KILLED
    raise SystemExit(f"{mutant}: pytest exited {run.returncode}\n{run.stdout.decode()[-2000:]}")


def equivalents() -> dict[str, str]:
    text = EQUIVALENTS_DOC.read_text("utf-8")
    return dict(re.findall(r"^\| `(rules\.[^`]+)` \| (.+?) \|$", text, re.M))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="fresh processes at once")
    args = parser.parse_args()

    metas = {path: json.loads(path.read_text("utf-8")) for path in MUTANTS.glob("rules/*.meta")}
    if not metas:
        raise SystemExit("no mutmut results in mutants/: run `mutmut run` first")
    listed = equivalents()
    again = [
        (path, name)
        for path, meta in metas.items()
        for name, code in meta["exit_code_by_key"].items()
        if code in (SURVIVED, NO_TESTS) and name not in listed
    ]
    print(f"Re-running {len(again)} surviving mutant(s), each in a fresh process")
    command = pytest_command()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda item: verdict(item[1], command), again))
    for (path, name), code in zip(again, results, strict=True):
        metas[path]["exit_code_by_key"][name] = code
    for path, meta in metas.items():
        path.write_text(json.dumps(meta), "utf-8")
    return report(metas)


def report(metas: dict[Path, dict]) -> int:
    listed = equivalents()
    failed = False
    totals: Counter[str] = Counter()
    print(f"\n{'module':<20} {'mutants':>7} {'killed':>6} {'equiv.':>6} {'left':>5} {'score':>7}")
    for path in sorted(metas):
        module = str(path.relative_to(MUTANTS)).removesuffix(".meta")
        codes = metas[path]["exit_code_by_key"]
        killed = sum(code in DETECTED for code in codes.values())
        left = sorted(n for n, code in codes.items() if code not in DETECTED)
        unlisted = [n for n in left if n not in listed]
        equivalent = len(left) - len(unlisted)
        score = killed / max(len(codes) - equivalent, 1)
        print(
            f"{module:<20} {len(codes):>7} {killed:>6} {equivalent:>6} {len(unlisted):>5} "
            f"{score:>7.1%}"
        )
        totals.update(mutants=len(codes), killed=killed, equivalent=equivalent)
        for name in unlisted:
            print(f"    survived, not listed as equivalent: {name}")
        failed |= module == MUST_KILL_ALL and bool(unlisted)
    score = totals["killed"] / max(totals["mutants"] - totals["equivalent"], 1)
    raw = totals["killed"] / max(totals["mutants"], 1)
    print(
        f"{'rules/':<20} {totals['mutants']:>7} {totals['killed']:>6} "
        f"{totals['equivalent']:>6} {'':>5} {score:>7.1%}  ({raw:.1%} counting equivalents)"
    )
    stale = sorted(set(listed) - {n for meta in metas.values() for n in meta["exit_code_by_key"]})
    for name in stale:
        print(f"listed as equivalent but no such mutant (the code moved?): {name}")
    if failed or score < TARGET or stale:
        print(f"FAILED: every non-equivalent mutant of {MUST_KILL_ALL} killed, >= {TARGET:.0%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
