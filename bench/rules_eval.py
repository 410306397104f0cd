"""How long `rules.evaluate` takes per answer set (target: 20 µs or less).

Run: .venv/bin/python -m bench.rules_eval
"""

from __future__ import annotations

import json
import random
import timeit
from pathlib import Path
from typing import Any

from rules import QUESTIONS, evaluate

STORIES = Path(__file__).resolve().parent.parent / "tests" / "stories" / "stories.json"


def sample_sets(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Random valid answer sets (most questions answered), plus the worked stories."""
    rng = random.Random(seed)
    sets = [s["answers"] for s in json.loads(STORIES.read_text())]
    while len(sets) < n:
        a: dict[str, Any] = {}
        for q in QUESTIONS.values():
            if rng.random() < 0.85:
                if q.kind == "int":
                    a[q.id] = rng.randint(0, 120)
                elif q.kind == "multi":
                    a[q.id] = rng.sample(sorted(q.codes), rng.randint(0, 3))
                else:
                    a[q.id] = rng.choice(sorted(q.codes))
        sets.append(a)
    return sets


def run() -> list[tuple[str, str]]:
    sets = sample_sets(1000)
    loops = 20
    best = min(timeit.repeat(lambda: [evaluate(a) for a in sets], number=loops, repeat=5))
    per = best / (loops * len(sets)) * 1e6
    return [("rules evaluate, per answer set", f"{per:.1f} µs (target ≤ 20 µs)")]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")
