"""The question bank, defined once and checked at import.

The web flow renders from it and the rules read the same `required` and `show_if`
definitions, so what is asked and what is scored cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .conditions import AllOf, Between, Condition, OneOf

BANK_VERSION = "1.0"

Kind = Literal["int", "single", "yesno", "multi"]

OA_SITES = frozenset({"knee", "hip_groin", "hand", "wrist", "ankle", "foot", "shoulder"})
TENDON_SITES = frozenset(
    {"knee_tendon", "hip_side", "elbow_outer", "elbow_inner", "shoulder", "achilles", "heel_arch"}
)
LIG_SITES = frozenset(
    {
        "knee", "ankle", "wrist", "hand", "shoulder", "elbow_outer", "elbow_inner",
        "low_back", "pelvis_back", "neck", "upper_back",
    }
)  # fmt: skip
SPINE_PELVIS = frozenset({"low_back", "pelvis_back", "neck", "upper_back"})
AXIAL_LIG = frozenset({"low_back", "pelvis_back", "neck"})

DURATIONS = ("lt_2w", "2w_6w", "6w_3m", "3m_12m", "gt_1y")
SIX_WEEKS_OR_MORE = frozenset(DURATIONS[2:])
THREE_MONTHS_OR_MORE = frozenset(DURATIONS[3:])

AGE_MIN, AGE_MAX = 0, 120


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text: str
    kind: Kind
    options: tuple[Option, ...] = ()
    required: bool = False
    show_if: Condition | None = None
    hint: str | None = None
    codes: frozenset[str] = field(init=False)
    labels: dict[str, str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", frozenset(o.code for o in self.options))
        object.__setattr__(self, "labels", {o.code: o.label for o in self.options})

    def is_shown(self, answers: Mapping[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)

    def label_for(self, code: str) -> str:
        return self.labels[code]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text, "type": self.kind}
        if self.kind == "int":
            out["min"], out["max"] = AGE_MIN, AGE_MAX
        else:
            out["options"] = [{"code": o.code, "label": o.label} for o in self.options]
        out["required"] = self.required
        out["shown_if"] = self.show_if.to_dict() if self.show_if else None
        if self.hint:
            out["hint"] = self.hint
        return out


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "questions": [q.to_dict() for q in self.questions],
        }


def _opts(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(code, label) for code, label in pairs)


YES_NO = _opts(("yes", "Yes"), ("no", "No"))

_SITE_IN_LIG = OneOf("site", LIG_SITES)
_SITE_IN_OA = OneOf("site", OA_SITES)


def _q(
    qid: str,
    text: str,
    kind: Kind,
    options: tuple[Option, ...] = (),
    *,
    required: bool = False,
    show_if: Condition | None = None,
    hint: str | None = None,
) -> dict[str, Any]:
    return {
        "id": qid, "text": text, "kind": kind, "options": YES_NO if kind == "yesno" else options,
        "required": required, "show_if": show_if, "hint": hint,
    }  # fmt: skip


_SECTIONS: tuple[tuple[str, str, tuple[dict[str, Any], ...]], ...] = (
    ("about", "About you", (
        _q("age", "How old are you?", "int", required=True, hint="Your age in whole years."),
        _q("sex", "What sex were you registered at birth?", "single", _opts(
            ("female", "Female"), ("male", "Male"), ("not_said", "I'd rather not say"))),
    )),
    ("pain", "Your pain", (
        _q("site", "Where is the pain you want help with? Choose the main one.", "single", _opts(
            ("knee", "Knee joint"),
            ("knee_tendon", "Just below the kneecap"),
            ("hip_groin", "Hip or groin"),
            ("hip_side", "Outer side of the hip"),
            ("hand", "Hand, fingers or base of the thumb"),
            ("wrist", "Wrist"),
            ("elbow_outer", "Outer side of the elbow"),
            ("elbow_inner", "Inner side of the elbow"),
            ("shoulder", "Shoulder"),
            ("ankle", "Ankle"),
            ("achilles", "Back of the heel, above the bone"),
            ("heel_arch", "Under the heel or arch"),
            ("foot", "Foot or big toe"),
            ("low_back", "Lower back"),
            ("pelvis_back", "Buttock or back of the pelvis"),
            ("neck", "Neck"),
            ("upper_back", "Upper back or ribs"),
            ("skin_patch", "A patch of skin, a scar or along a line"),
            ("widespread", "Many places or all over"),
        ), required=True),
        _q("duration", "How long have you had it?", "single", _opts(
            ("lt_2w", "Less than 2 weeks"),
            ("2w_6w", "2 to 6 weeks"),
            ("6w_3m", "6 weeks to 3 months"),
            ("3m_12m", "3 to 12 months"),
            ("gt_1y", "More than a year"),
        ), required=True),
        _q("onset", "How did it start?", "single", _opts(
            ("injury", "An injury: a sprain, twist or fall"),
            ("overuse", "Gradually, after more or different activity"),
            ("gradual", "Gradually, for no clear reason"),
            ("surgery", "After an operation or a wound there"),
            ("shingles", "After shingles"),
            ("unknown", "I don't know"),
        )),
        _q("areas", "In the past week, how many separate parts of your body hurt?", "single",
           _opts(("1", "Just 1"), ("2_3", "2 or 3"), ("4_6", "4 to 6"), ("7_plus", "7 or more"))),
        _q("fatigue", "Most days, how much do tiredness, waking unrefreshed or poor "
           "concentration trouble you?", "single",
           _opts(("mild", "A little"), ("moderate", "A fair amount"), ("severe", "A lot"))),
    )),
    ("pattern", "What the pain is like", (
        _q("load_pain", "Is it brought on or made worse by using or loading that part "
           "(walking, stairs, gripping, lifting, running)?", "yesno"),
        _q("morning_stiffness", "In the morning, how long does stiffness there last?", "single",
           _opts(("none", "No stiffness"), ("le_30", "Up to 30 minutes"),
                 ("31_60", "31 to 60 minutes"), ("gt_60", "More than an hour")),
           show_if=OneOf("site", frozenset({"skin_patch"}), negate=True)),
        _q("warm_up", "Does it ease as you warm up, then come back worse afterwards or the "
           "next morning?", "yesno"),
        _q("point_spot", "Can you point to the most painful spot with one finger?", "yesno"),
        _q("posture_pain", "Is it worse after staying in one position (long sitting or "
           "standing) and better when you move?", "yesno", show_if=_SITE_IN_LIG),
        _q("night_pain", "What is the pain like at night?", "single", _opts(
            ("none", "No pain at night"),
            ("position", "Only when I lie on it or turn over"),
            ("constant", "Constant and severe: no position eases it"),
        )),
        _q("grinding", "Does the joint grind, creak or crunch when it moves?", "yesno",
           show_if=_SITE_IN_OA),
        _q("bony_swelling", "Have you noticed hard, bony, knobbly swelling on the joint?",
           "yesno", show_if=_SITE_IN_OA),
        _q("joint_state", "How does the painful area look and feel right now?", "single", _opts(
            ("normal", "Normal"),
            ("puffy", "Puffy, but not hot"),
            ("hot", "Hot, red and swollen"),
        ), show_if=OneOf("site", SPINE_PELVIS | {"skin_patch", "widespread"}, negate=True)),
        _q("giving_way", "Does it give way, roll over, or feel loose or unstable?", "single",
           _opts(("never", "Never"), ("occasional", "Sometimes, less than once a month"),
                 ("often", "Often, once a month or more")), show_if=_SITE_IN_LIG),
        _q("sprains", "How many times have you sprained or dislocated it?", "single",
           _opts(("0", "Never"), ("1", "Once"), ("2_plus", "Twice or more")),
           show_if=_SITE_IN_LIG),
        _q("clicking", "Do you get clicking, clunking or a shifting feeling with the pain?",
           "yesno", show_if=_SITE_IN_LIG),
        _q("hypermobility", "Which of these are true for you?", "multi", _opts(
            ("palms_floor", "I can (or could) put my palms flat on the floor with straight knees"),
            ("thumb_forearm", "I can (or could) bend a thumb back to touch my forearm"),
            ("splits", "As a child I did the splits or contortion tricks"),
            ("dislocations", "As a child or teenager my kneecap or shoulder popped out "
             "more than once"),
            ("double_jointed", "I think of myself as double-jointed"),
        ), show_if=_SITE_IN_LIG, hint="Choose all that apply."),
        _q("nerve_sensations", "In the painful area, does the pain feel like, or come with, "
           "any of these?", "multi", _opts(
            ("burning", "Burning"),
            ("painful_cold", "Painful cold"),
            ("electric_shocks", "Electric shocks"),
            ("tingling", "Tingling"),
            ("pins_needles", "Pins and needles"),
            ("numbness", "Numbness"),
            ("itching", "Itching"),
        ), hint="Choose all that apply."),
        _q("touch_pain", "Does light touch (clothes, bedsheets) make it hurt?", "yesno"),
        _q("skin_pattern", "Is the pain in a patch of skin, along a scar, or along a line?",
           "yesno"),
        _q("radiating", "Does the pain travel down a leg below the knee, or down an arm into "
           "the hand?", "yesno"),
    )),
    ("safety", "Important health questions", (
        _q("rf_bladder_bowel", "Since the pain started, any new trouble passing urine, "
           "leaking, or losing control of your bowels?", "yesno", required=True),
        _q("rf_saddle", "Any numbness or changed feeling around your back passage, genitals "
           "or inner buttocks?", "yesno", required=True),
        _q("rf_weakness", "Is an arm, hand, leg or foot getting weaker, or is your walking "
           "getting worse?", "yesno", required=True),
        _q("rf_both_legs", "New pain, numbness or tingling in both legs together with back "
           "pain?", "yesno", required=True),
        _q("rf_fever", "Do you have a fever, shivers or night sweats, or feel generally very "
           "unwell?", "yesno", required=True),
        _q("rf_recent_injury", "In the last 2 weeks, an injury after which you could not "
           "take 4 steps on it (then or now), or with a very tender bony spot?", "yesno",
           required=True),
        _q("rf_calf", "Is one calf or leg swollen, warm, red or tender?", "yesno",
           required=True),
        _q("rf_cancer", "Have you ever had cancer?", "yesno", required=True),
        _q("rf_weight_loss", "Have you lost weight without trying (about 5 kg or more) in "
           "the last 3 to 6 months?", "yesno", required=True),
        _q("rf_fracture_risk", "Sudden severe back pain after a fall or accident, or after a "
           "small strain if you have osteoporosis or take steroid tablets long-term?",
           "yesno", required=True),
        _q("rf_joints_swollen", "Soft swelling in two or more joints, or in your knuckles or "
           "toes?", "yesno", required=True),
        _q("spa_features", "Which of these apply to your back pain?", "multi", _opts(
            ("onset_before_35", "It started before I was 35"),
            ("wakes_late_night", "It wakes me in the second half of the night"),
            ("buttock_pain", "I have pain in my buttocks"),
            ("better_moving", "It gets better when I move"),
            ("nsaid_relief", "It is much better within 2 days of taking anti-inflammatories"),
            ("family_spa", "A close relative has spondylitis"),
            ("psoriasis", "I have psoriasis"),
            ("past_arthritis", "I have had arthritis before"),
            ("past_enthesitis", "I have had an inflamed heel or tendon attachment"),
        ), show_if=AllOf((
            OneOf("site", frozenset({"low_back", "pelvis_back"})),
            OneOf("duration", THREE_MONTHS_OR_MORE),
            Between("age", AGE_MIN, 44),
        )), hint="Choose all that apply."),
    )),
    ("health", "Your health and medicines", (
        _q("pregnancy", "Are you pregnant, could you be, or are you breastfeeding?", "single",
           _opts(("no", "No"), ("yes", "Yes"), ("unsure", "I'm not sure")), required=True,
           show_if=AllOf((OneOf("sex", frozenset({"male"}), negate=True), Between("age", 12, 55)))),
        _q("blood_thinner", "Do you take a blood thinner (warfarin, apixaban, rivaroxaban, "
           "edoxaban, dabigatran, clopidogrel, ticagrelor...)?", "single", _opts(
            ("none", "No"),
            ("aspirin_only", "Low-dose aspirin only"),
            ("other", "Yes, another blood thinner"),
        ), required=True),
        _q("bleeding_disorder", "Do you have a bleeding disorder, or bruise or bleed very "
           "easily?", "yesno"),
        _q("anaesthetic_allergy", "Have you had an allergic reaction to a local anaesthetic "
           "(such as a dental numbing injection)?", "yesno", required=True),
        _q("corn_allergy", "Are you allergic to corn (maize) or to dextrose or glucose drips?",
           "yesno", required=True),
        _q("infection_site", "Is there an infection, rash, broken skin or boil at or near the "
           "painful area, or are you on antibiotics for an infection now?", "yesno",
           required=True),
        _q("flare_now", "Is the area in the middle of a gout attack or another flare right "
           "now?", "yesno"),
        _q("immunosuppressed", "Do you take medicines that lower immunity (chemotherapy, "
           "biologics, methotrexate) or steroid tablets long-term?", "yesno"),
        _q("nsaids", "Do you take anti-inflammatory painkillers regularly (ibuprofen, "
           "naproxen, diclofenac)?", "yesno"),
        _q("diabetes", "Do you have diabetes?", "single", _opts(
            ("no", "No"),
            ("controlled", "Yes, well controlled"),
            ("uncontrolled", "Yes, not well controlled or I'm not sure"),
        )),
        _q("needle_fear", "Have you fainted with needles, or do you have a strong fear of "
           "them?", "yesno"),
        _q("implant_site", "Do you have a joint replacement or metalwork in the painful "
           "area?", "yesno"),
        _q("recent_steroid", "Have you had a steroid injection in this area in the last 3 "
           "months?", "yesno"),
        _q("lump_site", "Has a doctor told you there is a lump or tumour in the painful area, "
           "or is there a lump nobody has explained?", "yesno"),
    )),
)  # fmt: skip


def _build() -> tuple[Section, ...]:
    sections = tuple(
        Section(sid, title, tuple(Question(section=sid, **fields) for fields in rows))
        for sid, title, rows in _SECTIONS
    )
    _check(sections)
    return sections


def _check(sections: tuple[Section, ...]) -> None:
    """Fail at import, not at a patient's request, if the bank contradicts itself."""
    seen: dict[str, Question] = {}
    for section in sections:
        for q in section.questions:
            if q.id in seen:
                raise ValueError(f"question id {q.id!r} defined twice")
            if (q.kind == "int") == bool(q.options):
                raise ValueError(f"{q.id}: int questions take no options, others need some")
            if len(q.codes) != len(q.options):
                raise ValueError(f"{q.id}: option codes repeat")
            if q.show_if is not None:
                for ref in q.show_if.reads():
                    # Conditions read only earlier, always-shown questions, so one pass in
                    # bank order settles what is shown.
                    if ref not in seen or seen[ref].show_if is not None:
                        raise ValueError(
                            f"{q.id}: show-if reads {ref!r}, not an earlier always-shown question"
                        )
            seen[q.id] = q


SECTIONS: tuple[Section, ...] = _build()
QUESTIONS: dict[str, Question] = {q.id: q for s in SECTIONS for q in s.questions}
SECTION_BY_ID: dict[str, Section] = {s.id: s for s in SECTIONS}


def bank_dict() -> dict[str, Any]:
    return {"bank_version": BANK_VERSION, "sections": [s.to_dict() for s in SECTIONS]}
