"""The clinical documents in docs/: written from the code, checked in, true to the behaviour,
and standing alone."""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given

from rules import INDICATIONS, QUESTIONS, SECTIONS, evaluate
from rules.document import GROUP_NAMES, render
from rules.engine import BOOKING_STEPS, CAUTIONS, NOTES, READINGS, RED_FLAGS
from rules.fingerprint import CHANGELOG, RELEASE_STEPS, changelog_has, current, recorded
from rules.screening import TIERS
from tests.helpers.answer_sets import bookable, complete
from tests.helpers.strategies import answer_sets

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "clinical-rules.md"
REGENERATE = ".venv/bin/python -m rules doc"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_checked_in_document_is_what_the_code_writes():
    written = render()
    checked_in = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if checked_in != written:
        diff = difflib.unified_diff(
            checked_in.splitlines(keepends=True),
            written.splitlines(keepends=True),
            "docs/clinical-rules.md (checked in)",
            "python -m rules doc (from the code)",
        )
        pytest.fail(
            "docs/clinical-rules.md differs from what the code in rules/ writes. Regenerate it "
            f"with `{REGENERATE}`, read the diff (the document is what a clinician signs) and "
            "commit it with the change.\n" + "".join(islice(diff, 80)),
            pytrace=False,
        )


def test_the_command_writes_the_document_to_a_file_or_standard_output(tmp_path):
    out = tmp_path / "rules.md"
    run = subprocess.run(
        [sys.executable, "-m", "rules", "doc", str(out)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8") == render()
    run = subprocess.run([sys.executable, "-m", "rules", "doc", "-"], capture_output=True)
    assert run.stdout.decode("utf-8") == render()


# --- versions that cannot drift -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["bank", "rules"])
def test_the_code_has_the_fingerprint_recorded_for_its_version(kind):
    version, fingerprint = current()[kind]
    known = recorded()[kind].get(version)
    if known != fingerprint:
        what = "has no fingerprint recorded" if known is None else "has changed since release"
        pytest.fail(
            f"{kind} {version} {what}: the code's fingerprint is {fingerprint}, "
            f"docs/clinical-versions.json records {known}. To release a change: "
            f"{RELEASE_STEPS}.",
            pytrace=False,
        )


def test_every_recorded_version_and_the_current_ones_have_a_changelog_entry():
    log = CHANGELOG.read_text(encoding="utf-8")
    wanted = {(kind, version) for kind, (version, _) in current().items()}
    wanted |= {(kind, v) for kind, versions in recorded().items() for v in versions}
    lacking = sorted(f"{kind} {v}" for kind, v in wanted if not changelog_has(log, kind, v))
    assert not lacking, (
        f"docs/clinical-changelog.md has no entry (a `## ` heading) for {', '.join(lacking)}: "
        "say what the version changed and why."
    )


# --- the document against the behaviour ---------------------------------------------------

# For each red flag, answers that fire it: the calm baseline plus what the row describes.
RED_FLAG_EXAMPLES = {
    "cauda_equina": complete(rf_both_legs="yes"),
    "neuro_deficit": complete(rf_weakness="yes"),
    "septic_joint": complete(joint_state="hot", rf_fever="yes"),
    "hot_joint": complete(joint_state="hot", rf_fever=None),
    "infection": complete(site="neck", rf_fever="yes"),
    "fracture": complete(rf_fracture_risk="yes"),
    "dvt": complete(rf_calf="yes"),
    "cancer_spine": complete(rf_cancer="yes", site="pelvis_back", night_pain="constant"),
    "cancer": complete(rf_cancer="yes", duration="6w_3m"),
    "weight_loss": complete(rf_weight_loss="yes"),
    "night_pain": complete(night_pain="constant"),
    "inflammatory": complete(morning_stiffness="gt_60"),
    "axial_spa": complete(
        site="low_back",
        duration="gt_1y",
        age=30,
        spa_features=["buttock_pain", "better_moving", "psoriasis", "past_arthritis"],
    ),
}

CAUTION_EXAMPLES = {
    "anaesthetic_allergy": complete(anaesthetic_allergy="yes"),
    "corn_allergy": complete(corn_allergy="yes"),
    "infection_site": complete(infection_site="yes"),
    "flare_now": complete(flare_now="yes"),
    "lump_site": complete(lump_site="yes"),
    "pregnancy": complete(sex="female", age=30, pregnancy="unsure"),
    "blood_thinner": complete(blood_thinner="other"),
    "bleeding_disorder": complete(bleeding_disorder="yes"),
    "immunosuppressed": complete(immunosuppressed="yes"),
    "implant_site": complete(implant_site="yes"),
    "diabetes_uncontrolled": complete(diabetes="uncontrolled"),
    "under_18": complete(age=17),
    "aspirin": complete(blood_thinner="aspirin_only"),
    "nsaids": complete(nsaids="yes"),
    "needle_fear": complete(needle_fear="yes"),
    "recent_steroid": complete(recent_steroid="yes"),
    "diabetes_controlled": complete(diabetes="controlled"),
    "cancer_history": complete(rf_cancer="yes"),
}

# One answer set per booking step, in the documented order.
BOOKING_EXAMPLES = [
    bookable(rf_calf="yes"),
    bookable(rf_calf=None),
    bookable(areas="7_plus"),
    complete(),
    bookable(implant_site="yes"),
    bookable(nsaids="yes"),
]

INDICATION_EXAMPLES = {
    ("osteoarthritis", "likely"): bookable(),
    ("osteoarthritis", "possible"): bookable(age=42),
    ("tendinopathy", "likely"): complete(
        site="elbow_outer", load_pain="yes", point_spot="yes", onset="overuse"
    ),
    ("tendinopathy", "possible"): complete(site="elbow_outer", load_pain="yes", warm_up="yes"),
    ("ligament", "likely"): complete(site="ankle", onset="injury", giving_way="often"),
    ("ligament", "possible"): complete(site="ankle", clicking="yes", posture_pain="yes"),
    ("neuropathic", "likely"): complete(nerve_sensations=["burning", "tingling", "itching"]),
    ("neuropathic", "possible"): complete(nerve_sensations=["burning", "numbness"]),
}


def _row(doc: str, first_cell: str, section: str) -> list[str]:
    """The row of a section's table that starts with this id (a reason, in the Reasons
    section, may share its id with a red flag or a question)."""
    part = doc.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    (line,) = [ln for ln in part.splitlines() if ln.startswith(f"| `{first_cell}` |")]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_every_red_flag_caution_and_booking_step_has_an_example_here():
    assert list(RED_FLAG_EXAMPLES) == [r.id for r in RED_FLAGS]
    assert list(CAUTION_EXAMPLES) == [c.id for c in CAUTIONS]
    assert len(BOOKING_EXAMPLES) == len(BOOKING_STEPS)


@pytest.mark.parametrize("rule", RED_FLAGS, ids=lambda r: r.id)
def test_each_documented_red_flag_fires_with_its_documented_tier(rule, doc):
    assert evaluate(complete()).red_flags == ()
    fired = {f.id: f.tier for f in evaluate(RED_FLAG_EXAMPLES[rule.id]).red_flags}
    assert fired.get(rule.id) == rule.level
    assert _row(doc, rule.id, "Red flags")[:2] == [f"`{rule.id}`", f"`{rule.level}`"]


@pytest.mark.parametrize("rule", CAUTIONS, ids=lambda r: r.id)
def test_each_documented_caution_is_raised_at_its_documented_level(rule, doc):
    raised = {c.id: c.level for c in evaluate(CAUTION_EXAMPLES[rule.id]).cautions}
    assert raised == {rule.id: rule.level}
    # Caution ids that are also question ids have a question row too: pick the caution's.
    rows = [ln for ln in doc.split("## Cautions", 1)[1].splitlines() if f"| `{rule.id}` |" in ln]
    assert rows and f"| `{rule.level}` |" in rows[0]


@pytest.mark.parametrize("number", range(len(BOOKING_STEPS)))
def test_each_documented_booking_step_is_the_first_that_applies_to_its_example(number, doc):
    s = evaluate(BOOKING_EXAMPLES[number])
    facts = (list(s.red_flags), list(s.missing), s.redirect, s.indications, list(s.cautions))
    first = next(i for i, step in enumerate(BOOKING_STEPS) if step.applies(*facts))
    assert first == number
    step = BOOKING_STEPS[number]
    assert s.booking == step.decision
    assert f"{number + 1}. `{step.decision}` when {step.when}" in doc


@pytest.mark.parametrize(("indication", "level"), list(INDICATION_EXAMPLES))
def test_each_indication_reaches_the_levels_its_section_describes(indication, level, doc):
    assert evaluate(INDICATION_EXAMPLES[indication, level]).indications[indication].level == (level)
    section = doc.split(f"### `{indication}`", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    assert f"**{level}**" in section


def test_the_nerve_root_note_is_documented_and_added(doc):
    assert [n.id for n in NOTES] == ["nerve_root"]
    assert evaluate(complete(radiating="yes")).notes == ("nerve_root",)
    assert _row(doc, "nerve_root", "Notes")[1].startswith("`radiating` is yes")


def test_every_question_option_and_condition_is_in_the_document(doc):
    for section in SECTIONS:
        assert f"### {section.title} (`{section.id}`)" in doc
    for q in QUESTIONS.values():
        block = doc.split(f"#### `{q.id}`\n", 1)[1].split("\n#### ", 1)[0].split("\n## ", 1)[0]
        assert f"> {q.text}" in block
        assert f"- Required: {'yes' if q.required else 'no'}" in block
        for o in q.options if q.kind != "yesno" else ():
            assert f"| `{o.code}` | {o.label} |" in block
        if q.show_if is not None:
            assert f"- Shown: when {q.show_if.describe(GROUP_NAMES)}" in block
        else:
            assert "- Shown: always" in block


def test_show_if_conditions_read_as_plain_words(doc):
    assert QUESTIONS["pregnancy"].show_if.describe() == (
        "`sex` is not `male`, and `age` is between 12 and 55, both included"
    )
    assert QUESTIONS["joint_state"].show_if.describe(GROUP_NAMES) == (
        "`site` is not in SPINE_PELVIS, and is neither `skin_patch` nor `widespread`"
    )
    assert QUESTIONS["spa_features"].show_if.describe(GROUP_NAMES) == (
        "`site` is `low_back` or `pelvis_back`, and `duration` is in THREE_MONTHS_OR_MORE, "
        "and `age` is between 0 and 44, both included"
    )
    assert QUESTIONS["grinding"].show_if.describe() == (
        "`site` is one of `ankle`, `foot`, `hand`, `hip_groin`, `knee`, `shoulder`, `wrist`"
    )


def test_the_document_lists_every_reading_tier_and_indication(doc):
    for i, reading in enumerate(READINGS, 1):
        assert f"{i}. {reading}" in doc
    for tier in TIERS:
        assert f"| `{tier}` |" in doc
    for name in INDICATIONS:
        assert f"### `{name}`" in doc


@given(answer_sets())
def test_everything_a_result_lists_is_documented_in_the_documented_order(answers):
    s = evaluate(answers)
    for fired, documented in (
        ([f.id for f in s.red_flags], [r.id for r in RED_FLAGS]),
        ([c.id for c in s.cautions], [c.id for c in CAUTIONS]),
        (list(s.notes), [n.id for n in NOTES]),
    ):
        positions = [documented.index(i) for i in fired]
        assert positions == sorted(positions)
    for f in s.red_flags:
        assert f.tier == next(r.level for r in RED_FLAGS if r.id == f.id)
    for c in s.cautions:
        assert c.level == next(r.level for r in CAUTIONS if r.id == c.id)


# --- standing alone -----------------------------------------------------------------------

OURS = [
    *sorted((REPO / "rules").glob("*.py")),
    *sorted((REPO / "tests" / "rules").glob("test_*.py")),  # this file among them
    *sorted((REPO / "docs").glob("clinical-*")),
]
# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile(
    r"\.\./|" + "SP" + r"EC\b|\b(?:PERFORMANCE|STYLE|MUTATION|ARCHITECTURE|SECURITY)\.md"
)


@pytest.mark.parametrize("path", OURS, ids=lambda p: str(p.relative_to(REPO)))
def test_the_clinical_code_and_documents_refer_to_nothing_outside_the_repository(path):
    text = path.read_text(encoding="utf-8")
    assert not OUTSIDE.findall(text)
    for ref in re.findall(r"\bdocs/[\w.-]+\.(?:md|json)", text):
        assert (REPO / ref).exists(), ref
    if path.suffix == ".md":
        for link in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (path.parent / link).exists(), link
