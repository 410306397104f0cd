"""The safety case summary a clinical safety officer reads, written from the hazard log
(docs/safety/hazards.toml) by `python -m rules safety-report`, so the two cannot differ."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .bank import BANK_VERSION
from .engine import RULES_VERSION

ROOT = Path(__file__).resolve().parent.parent
HAZARD_LOG = ROOT / "docs" / "safety" / "hazards.toml"
SAFETY_CASE = ROOT / "docs" / "safety" / "safety-case.md"

INTENDED_USE = """\
## Intended use

A self-assessment that a prolotherapy clinic puts on its website. An adult (or a young
person with a parent) answers questions about one painful area; the check says, for each of
the four problems the clinic treats with prolotherapy (osteoarthritis, tendinopathy,
ligament strain or instability, superficial nerve pain), whether the treatment looks likely,
possible or unlikely to suit, and why; and it sends anyone with a warning sign of serious
illness (a red flag) to the right care, with no booking prompt. Clinicians review every
submission.

## Limits

- It is not a diagnosis and not for emergencies; it says so on every page.
- It screens for suitability for one treatment at one clinic. It does not replace the
  clinician's assessment before any injection: a booking leads to that assessment.
- It relies on what the patient answers. It cannot examine, image or test.
- It covers one area of pain at a time; widespread pain is pointed to the GP.
- The rules are the clinic's clinical specification, version by version; the document
  docs/clinical-rules.md is written from the code that runs them.
"""


def load(path: Path = HAZARD_LOG) -> list[dict[str, Any]]:
    hazards: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8"))["hazard"]
    return hazards


def report(hazards: list[dict[str, Any]]) -> str:
    lines = [
        "# Safety case summary",
        "",
        "Written by `python -m rules safety-report` from `docs/safety/hazards.toml`; do not",
        "edit by hand. `make test` fails when the two differ.",
        "",
        f"Question bank version {BANK_VERSION}, rules version {RULES_VERSION}.",
        "",
        INTENDED_USE,
        "## Hazards at a glance",
        "",
        "Severity and likelihood are before the controls. Every control is proven by the tests",
        "it names, which run on every change.",
        "",
        "| id | hazard | severity | likelihood | controls | tests |",
        "|---|---|---|---|---|---|",
    ]
    for h in hazards:
        tests = sum(len(c["tests"]) for c in h["control"])
        lines.append(
            f"| {h['id']} | {h['title']} | {h['severity']} | {h['likelihood']} "
            f"| {len(h['control'])} | {tests} |"
        )
    for h in hazards:
        lines += [
            "",
            f"## {h['id']}: {h['title']}",
            "",
            f"- **Cause**: {h['cause']}",
            f"- **Effect on the patient**: {h['effect']}",
            f"- **Severity** {h['severity']}, **likelihood** {h['likelihood']} (before controls)",
        ]
        for number, control in enumerate(h["control"], 1):
            lines += ["", f"**Control {number}.** {control['what']}", ""]
            lines += [f"- `{test}`" for test in control["tests"]]
    return "\n".join(lines) + "\n"
