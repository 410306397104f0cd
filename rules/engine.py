"""The screening rules: clean answers in, a Screening out. No I/O.

Each rule reads the answers directly. A skipped answer satisfies no criterion, so every
test below is written as `answer == value`, which is false for a skipped question.

Each rule carries its description in plain words beside it (the tables RED_FLAGS, CAUTIONS,
NOTES and BOOKING_STEPS, and the docstrings of the redirect and indication functions).
`python -m rules doc` prints them into docs/clinical-rules.md, the document a clinician
checks against the behaviour, so what is described is what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from .answers import Answers, missing, shown_answers
from .bank import (
    AXIAL_LIG,
    LIG_SITES,
    OA_SITES,
    QUESTIONS,
    SIX_WEEKS_OR_MORE,
    SPINE_PELVIS,
    TENDON_SITES,
    THREE_MONTHS_OR_MORE,
)
from .screening import (
    INDICATIONS,
    TIERS,
    Booking,
    Caution,
    Indication,
    Level,
    RedFlag,
    Screening,
    Tier,
)

RULES_VERSION = "1.2"

# Where the clinical specification the rules implement could be read more than one way, the
# rules take the safer reading: more red flags, less booking. docs/clinical-rules.md lists
# these under "Readings of the specification"; each is also tested.
READINGS: tuple[str, ...] = (
    "An unanswered question never hides another. A show-if condition that reads a question "
    "with no answer yet counts as holding, so the dependent question is asked rather than "
    "hidden: with `sex` or `age` unanswered, `pregnancy` is asked (and, being required, is "
    "then missing until answered).",
    "A skipped answer satisfies no criterion, negated ones included: with `site` unanswered, "
    '"`site` not in TENDON_SITES" is false, and with `duration` unanswered, the `cancer` '
    'flag\'s "`duration` under 3 months" is false (`duration` is required, so the result is '
    "then incomplete at best). The one indication criterion that names a skipped answer: "
    "osteoarthritis is possible at 45 or over when `morning_stiffness` is not answered.",
    "The exception, on the safe side: where a red flag pairs a yes with a not, the not "
    "includes not answered, so a skipped answer never silences a fever or hot-joint flag. "
    "`hot_joint` fires when `joint_state` "
    "is `hot` and `rf_fever` is anything but yes; `infection` fires when `rf_fever` is yes "
    "and `joint_state` is anything but `hot`, including when it was not answered or not "
    "asked (it is not asked for spine, skin or widespread pain).",
    'A "no" must be answered to count as no. The osteoarthritis route without loading pain '
    "needs `load_pain` answered no; a skipped `load_pain` does not open it.",
    "An answer to a question that is not shown is dropped before anything is scored, so it "
    "can neither raise nor prevent a red flag, a caution or an indication: a hot joint "
    "reported with back pain raises nothing, because `joint_state` is not asked there.",
    "For a multiple-choice question an empty list is an answer: none of these. It counts as "
    "answered, and as zero items chosen.",
    "`cancer_history` (a note) is raised when `rf_cancer` is yes and neither `cancer` nor "
    "`cancer_spine` fired. Only those two flags are the cancer's own: another red flag, such "
    "as `dvt`, does not remove the note.",
    "The `nerve_root` note is added whenever `radiating` is yes, whatever the neuropathic "
    "level and even when the widespread-pain redirect applies: the clinician should know the "
    "pain may come from a nerve root.",
    "The ligament features are counted as written: two or more sprains make both L1 (an "
    "injury or a sprain) and L3 (two or more sprains) true, so repeated sprains alone make a "
    "ligament problem possible.",
)


@dataclass(frozen=True)
class RuleText:
    """A rule's id, its tier or level, and when it applies, in plain words."""

    id: str
    level: str
    when: str


UNDER_THREE_MONTHS = frozenset({"lt_2w", "2w_6w", "6w_3m"})
UNDER_SIX_WEEKS = frozenset({"lt_2w", "2w_6w"})
WIDESPREAD_REASON = "widespread pain is better assessed as a whole"


# "pain in the " + the option's words reads right for most sites; these four begin with
# words of their own ("just below", "under", "a patch", "many places").
_SITE_PHRASES_OWN = {
    "knee_tendon": "pain just below the kneecap",
    "heel_arch": "pain under the heel or arch",
    "skin_patch": "pain in a patch of skin, a scar or along a line",
    "widespread": "pain in many places or all over",
}
_SITE_PHRASES = {
    o.code: _SITE_PHRASES_OWN.get(o.code, "pain in the " + o.label.lower())
    for o in QUESTIONS["site"].options
}
_TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}


def _site_phrase(a: Answers) -> str:
    return _SITE_PHRASES[a["site"]]


# Each option's words as a reason quotes them, by question and code.
_LOWER_LABELS = {
    q.id: {o.code: o.label.lower() for o in q.options} for q in QUESTIONS.values() if q.options
}


def _labels(qid: str, codes: list[str]) -> str:
    return ", ".join(map(_LOWER_LABELS[qid].__getitem__, codes))


# --- red flags ---------------------------------------------------------------------------

# Every red flag, in the order _red_flags checks them and lists them. A flag takes its tier
# from here when it fires, so the tier printed in the document is the one the patient gets.
RED_FLAGS: tuple[RuleText, ...] = (
    RuleText(
        "cauda_equina", "emergency", "`rf_bladder_bowel`, `rf_saddle` or `rf_both_legs` is yes"
    ),
    RuleText("neuro_deficit", "emergency", "`rf_weakness` is yes"),
    RuleText("septic_joint", "emergency", "`joint_state` is `hot` and `rf_fever` is yes"),
    RuleText(
        "hot_joint",
        "urgent",
        "`joint_state` is `hot` and `rf_fever` is not yes (no, or not answered)",
    ),
    RuleText(
        "infection",
        "urgent",
        "`rf_fever` is yes and `joint_state` is not `hot` (normal, puffy, not answered, or "
        "not asked for this site)",
    ),
    RuleText("fracture", "urgent", "`rf_recent_injury` or `rf_fracture_risk` is yes"),
    RuleText("dvt", "urgent", "`rf_calf` is yes"),
    RuleText(
        "cancer_spine",
        "urgent",
        "`rf_cancer` is yes, `site` is in SPINE_PELVIS, and `night_pain` is `constant` or "
        "`rf_weight_loss` is yes",
    ),
    RuleText(
        "cancer",
        "gp_soon",
        "`rf_cancer` is yes, `cancer_spine` did not fire, and any of: `site` is in "
        "SPINE_PELVIS or is `hip_groin`; `night_pain` is `constant`; `rf_weight_loss` is yes; "
        "`duration` is in UNDER_THREE_MONTHS (not when `duration` is unanswered)",
    ),
    RuleText("weight_loss", "gp_soon", "`rf_weight_loss` is yes (with or without a cancer flag)"),
    RuleText("night_pain", "gp_soon", "`night_pain` is `constant` (with or without a cancer flag)"),
    RuleText(
        "inflammatory", "gp_soon", "`rf_joints_swollen` is yes, or `morning_stiffness` is `gt_60`"
    ),
    RuleText("axial_spa", "gp_soon", "4 or more `spa_features` are chosen"),
)
_TIER_OF: dict[str, Tier] = {r.id: cast(Tier, r.level) for r in RED_FLAGS}
if set(_TIER_OF.values()) - set(TIERS) or len(_TIER_OF) != len(RED_FLAGS):
    raise ValueError("each red flag needs one id and a known tier")


# A flag's reasons are fixed phrases and answer labels, so the same flags recur (a few
# hundred at most): each is built once and shared, since building a frozen dataclass costs
# many times a look-up. The tier is part of the key, read from _TIER_OF as the flag fires.
_shared_flag = lru_cache(maxsize=None)(RedFlag)


def _red_flags(a: Answers) -> list[RedFlag]:
    flags: list[RedFlag] = []

    def fire(flag_id: str, *reasons: str) -> None:
        flags.append(_shared_flag(flag_id, _TIER_OF[flag_id], reasons))

    cauda = [
        reason
        for qid, reason in (
            ("rf_bladder_bowel", "new trouble with bladder or bowel control"),
            ("rf_saddle", "numbness or changed feeling around the back passage or genitals"),
            ("rf_both_legs", "new pain, numbness or tingling in both legs with back pain"),
        )
        if a.get(qid) == "yes"
    ]
    if cauda:
        fire("cauda_equina", *cauda)
    if a.get("rf_weakness") == "yes":
        fire("neuro_deficit", "an arm or leg getting weaker, or walking getting worse")

    hot = a.get("joint_state") == "hot"
    fever = a.get("rf_fever") == "yes"
    hot_reason = "a hot, red and swollen joint"
    fever_reason = "fever, shivers or night sweats, or feeling very unwell"
    if hot and fever:
        fire("septic_joint", hot_reason, fever_reason)
    if hot and not fever:
        fire("hot_joint", hot_reason)
    if fever and not hot:
        fire("infection", fever_reason)

    fracture = [
        reason
        for qid, reason in (
            (
                "rf_recent_injury",
                "an injury in the last 2 weeks with trouble taking weight "
                "or a very tender bony spot",
            ),
            (
                "rf_fracture_risk",
                "sudden severe back pain after a fall or a small strain "
                "with a risk of broken bones",
            ),
        )
        if a.get(qid) == "yes"
    ]
    if fracture:
        fire("fracture", *fracture)
    if a.get("rf_calf") == "yes":
        fire("dvt", "a swollen, warm, red or tender calf or leg")

    site = a.get("site")
    constant_night = a.get("night_pain") == "constant"
    weight_loss = a.get("rf_weight_loss") == "yes"
    night_reason = "constant severe pain at night"
    weight_reason = "weight loss without trying"
    if a.get("rf_cancer") == "yes":
        cancer_reason = "cancer in the past"
        if site in SPINE_PELVIS and (constant_night or weight_loss):
            extra = [
                r for ok, r in ((constant_night, night_reason), (weight_loss, weight_reason)) if ok
            ]
            fire("cancer_spine", cancer_reason, _site_phrase(a), *extra)
        else:
            triggers = [
                reason
                for ok, reason in (
                    (site in SPINE_PELVIS or site == "hip_groin", _site_phrase(a) if site else ""),
                    (constant_night, night_reason),
                    (weight_loss, weight_reason),
                    (
                        a.get("duration") in UNDER_THREE_MONTHS,
                        "pain that began less than 3 months ago",
                    ),
                )
                if ok
            ]
            if triggers:
                fire("cancer", cancer_reason, *triggers)
    if weight_loss:
        fire("weight_loss", weight_reason)
    if constant_night:
        fire("night_pain", night_reason)
    inflammatory = [
        reason
        for ok, reason in (
            (
                a.get("rf_joints_swollen") == "yes",
                "soft swelling in two or more joints, knuckles or toes",
            ),
            (a.get("morning_stiffness") == "gt_60", "morning stiffness lasting more than an hour"),
        )
        if ok
    ]
    if inflammatory:
        fire("inflammatory", *inflammatory)
    spa = a.get("spa_features") or []
    if len(spa) >= 4:
        fire(
            "axial_spa",
            f"{len(spa)} signs of inflammatory back pain ({_labels('spa_features', spa)})",
        )
    return flags


# --- widespread pain ---------------------------------------------------------------------


def _redirect(a: Answers) -> str | None:
    """The redirect `widespread` applies when the pain is widespread and long-standing:

    - `areas` is `7_plus`, or `site` is `widespread`, or `areas` is `4_6` and `fatigue` is
      `severe`;
    - and `duration` is in THREE_MONTHS_OR_MORE.

    Then all four indications are `unlikely`, each with the one reason WIDESPREAD_REASON,
    and the booking decision is `not_suitable` unless a red flag or a missing answer comes
    first.
    """
    areas = a.get("areas")
    wide = (
        areas == "7_plus"
        or a.get("site") == "widespread"
        or (areas == "4_6" and a.get("fatigue") == "severe")
    )
    return "widespread" if wide and a.get("duration") in THREE_MONTHS_OR_MORE else None


# --- indications ------------------------------------------------------------------------

_STIFFNESS_PHRASE = {
    "none": "no morning stiffness",
    "le_30": "morning stiffness of 30 minutes or less",
    "31_60": "morning stiffness of 31 to 60 minutes",
    "gt_60": "morning stiffness of more than an hour",
    None: "morning stiffness not answered",
}


def _age_phrase(age: Any) -> str:
    if age is None:
        return "age not answered"
    if age >= 45:
        return "aged 45 or over"
    return "aged 40 to 44" if age >= 40 else "aged under 40"


def _osteoarthritis(a: Answers) -> Indication:
    """Osteoarthritis: a joint that hurts when used or loaded, in middle or later life.

    "Short stiffness" means `morning_stiffness` is `none` or `le_30`.

    - **likely**: `site` is in OA_SITES, `load_pain` is yes, `age` is 45 or over, and short
      stiffness.
    - **possible**, any of:
      - `site` is in OA_SITES, `load_pain` is yes, `age` is 40 to 44, and short stiffness;
      - `site` is in OA_SITES, `load_pain` is yes, `age` is 45 or over, and
        `morning_stiffness` is `31_60` or not answered;
      - `site` is in OA_SITES, `load_pain` is answered no, `age` is 45 or over, short
        stiffness, and `grinding` or `bony_swelling` is yes.
    - **held at possible**: a likely result is lowered to possible when `joint_state` is
      `hot` or `rf_joints_swollen` is yes (hot or soft swollen joints need checking first).
    - otherwise **unlikely**.
    """
    site = a.get("site")
    if site not in OA_SITES:
        return Indication("unlikely", ("the pain is not in a joint where osteoarthritis is usual",))
    age, stiffness, load = a.get("age"), a.get("morning_stiffness"), a.get("load_pain")
    stiff_ok = stiffness in ("none", "le_30")
    senior = age is not None and age >= 45
    why = [_site_phrase(a)]
    level: Level = "unlikely"
    if load == "yes":
        why += ["pain on using or loading it", _age_phrase(age), _STIFFNESS_PHRASE[stiffness]]
        if senior and stiff_ok:
            level = "likely"
        elif (
            (age is not None and 40 <= age <= 44 and stiff_ok)
            or (senior and stiffness == "31_60")
            or (senior and stiffness is None)
        ):
            level = "possible"
    else:
        why.append("pain not brought on by loading" if load == "no" else "loading not answered")
        signs = [
            r
            for qid, r in (
                ("grinding", "grinding or creaking"),
                ("bony_swelling", "hard, bony swelling"),
            )
            if a.get(qid) == "yes"
        ]
        if load == "no" and senior and stiff_ok and signs:
            level = "possible"
            why += [_age_phrase(age), _STIFFNESS_PHRASE[stiffness], *signs]
    if level == "likely" and (a.get("joint_state") == "hot" or a.get("rf_joints_swollen") == "yes"):
        level = "possible"
        why.append("held at possible: hot or soft swollen joints need checking first")
    return Indication(level, tuple(why))


def _tendinopathy(a: Answers) -> Indication:
    """Tendinopathy: pain on loading at a usual tendon site, with the usual tendon features.

    F counts the usual tendon features: `point_spot` is yes; `warm_up` is yes; `onset` is
    `overuse`.

    - **likely**: `site` is in TENDON_SITES, `load_pain` is yes, F is 2 or 3, and
      `duration` is in SIX_WEEKS_OR_MORE.
    - **possible**, any of:
      - `site` is in TENDON_SITES, `load_pain` is yes, F is 2 or 3, and `duration` is in
        UNDER_SIX_WEEKS;
      - `site` is in TENDON_SITES, `load_pain` is yes, and F is 1 (whatever the duration);
      - `site` is answered and not in TENDON_SITES, `load_pain` is yes, and F is 3.
    - otherwise **unlikely** (including F of 2 or 3 with `duration` not answered).
    """
    features = [
        reason
        for ok, reason in (
            (a.get("point_spot") == "yes", "can point to one painful spot"),
            (a.get("warm_up") == "yes", "eases with warm-up, then worse afterwards"),
            (a.get("onset") == "overuse", "came on after more or different activity"),
        )
        if ok
    ]
    f = len(features)
    site = a.get("site")
    loaded = a.get("load_pain") == "yes"
    duration = a.get("duration")
    if site in TENDON_SITES and loaded:
        why = [_site_phrase(a), "pain on using or loading it", *features]
        if f >= 2 and duration in SIX_WEEKS_OR_MORE:
            return Indication("likely", (*why, "had it 6 weeks or more"))
        if f >= 2 and duration in UNDER_SIX_WEEKS:
            return Indication("possible", (*why, "had it less than 6 weeks"))
        if f == 1:
            return Indication("possible", (*why, "1 of 3 usual tendon features"))
        gap = "none of the usual tendon features" if f == 0 else "how long not answered"
        return Indication("unlikely", (*why, gap))
    if site is not None and site not in TENDON_SITES and loaded and f == 3:
        return Indication(
            "possible",
            (
                "all 3 usual tendon features, away from the usual tendon sites",
                "pain on using or loading it",
                *features,
            ),
        )
    why = []
    if site not in TENDON_SITES:
        why.append("the pain is not at a usual tendon site")
    if not loaded:
        why.append("pain not brought on by loading")
    if site not in TENDON_SITES and loaded:
        why.append(f"{f} of 3 usual tendon features")
    return Indication("unlikely", tuple(why))


def _ligament(a: Answers) -> Indication:
    """Ligament strain, laxity or instability, from injury, giving way and loose joints.

    The six ligament features:

    - L1: `onset` is `injury`, or `sprains` is `1` or `2_plus`;
    - L2: `giving_way` is `occasional` or `often`;
    - L3: `sprains` is `2_plus`;
    - L4: `posture_pain` is yes;
    - L5: `clicking` is yes;
    - L6: 2 or more `hypermobility` items are chosen.

    Then:

    - **likely**: `site` is in LIG_SITES, `duration` is in THREE_MONTHS_OR_MORE, and either
      - L2 and (L1 or L3): it gives way after an injury or sprains; or
      - `site` is in AXIAL_LIG, L4, (L1 or L6), and `point_spot` is yes.
    - **possible**: not likely, `site` is in LIG_SITES, and 2 or more of L1 to L6.
    - otherwise **unlikely** (always when `site` is not in LIG_SITES).
    """
    site = a.get("site")
    if site not in LIG_SITES:
        return Indication("unlikely", ("the pain is not at a usual ligament site",))
    sprains = a.get("sprains")
    giving_way = a.get("giving_way")
    hyper = a.get("hypermobility") or []
    l1 = a.get("onset") == "injury" or sprains in ("1", "2_plus")
    l2 = giving_way in ("occasional", "often")
    l3 = sprains == "2_plus"
    l4 = a.get("posture_pain") == "yes"
    l6 = len(hyper) >= 2
    features = [
        reason
        for ok, reason in (
            (
                l1,
                "it began with a sprain, twist or fall"
                if a.get("onset") == "injury"
                else "sprained or dislocated it before",
            ),
            (l2, f"it gives way or feels unstable ({giving_way})"),
            (l3, "sprained or dislocated it twice or more"),
            (l4, "worse after staying in one position, better moving"),
            (a.get("clicking") == "yes", "clicking, clunking or shifting"),
            (l6, f"{len(hyper)} signs of very flexible joints"),
        )
        if ok
    ]
    long_standing = a.get("duration") in THREE_MONTHS_OR_MORE
    instability = l2 and (l1 or l3)
    axial = site in AXIAL_LIG and l4 and (l1 or l6) and a.get("point_spot") == "yes"
    why = [_site_phrase(a), *features]
    if long_standing and (instability or axial):
        extra = ["can point to one painful spot"] if axial else []
        return Indication("likely", (*why, *extra, "had it 3 months or more"))
    if len(features) >= 2:
        return Indication("possible", (*why, f"{len(features)} of 6 ligament features"))
    return Indication("unlikely", (*why, f"{len(features)} of 6 ligament features"))


def _neuropathic(a: Answers) -> Indication:
    """Neuropathic pain (nerves near the skin), from the nerve-type sensations felt.

    N counts the `nerve_sensations` chosen.

    - **likely**: N is 3 or more.
    - **possible**: N is 2; or N is 1 and `touch_pain` is yes and `skin_pattern` is yes.
    - otherwise **unlikely**.
    """
    sensations: list[str] = a.get("nerve_sensations") or []
    n = len(sensations)
    if not n:
        return Indication("unlikely", ("no nerve-type sensations",))
    words = "sensation" if n == 1 else "sensations"
    felt = f"{n} nerve-type {words} ({_labels('nerve_sensations', sensations)})"
    if n >= 3:
        return Indication("likely", (felt,))
    if n == 2:
        return Indication("possible", (felt,))
    if n == 1 and a.get("touch_pain") == "yes" and a.get("skin_pattern") == "yes":
        return Indication(
            "possible",
            (felt, "light touch hurts", "pain in a patch of skin, along a scar or a line"),
        )
    return Indication("unlikely", (felt,))


# --- cautions ---------------------------------------------------------------------------

# (caution, the question it reads, the answers that raise it): the levels run most serious
# first, and within a level the order is fixed so that lists of cautions always read alike.
_CAUTION_TABLE: tuple[tuple[Caution, str, frozenset[str]], ...] = tuple(
    (Caution(cid, level), qid, frozenset(values))
    for cid, level, qid, values in (
        ("anaesthetic_allergy", "absolute", "anaesthetic_allergy", ("yes",)),
        ("corn_allergy", "absolute", "corn_allergy", ("yes",)),
        ("infection_site", "absolute", "infection_site", ("yes",)),
        ("flare_now", "absolute", "flare_now", ("yes",)),
        ("lump_site", "absolute", "lump_site", ("yes",)),
        ("pregnancy", "discuss", "pregnancy", ("yes", "unsure")),
        ("blood_thinner", "discuss", "blood_thinner", ("other",)),
        ("bleeding_disorder", "discuss", "bleeding_disorder", ("yes",)),
        ("immunosuppressed", "discuss", "immunosuppressed", ("yes",)),
        ("implant_site", "discuss", "implant_site", ("yes",)),
        ("diabetes_uncontrolled", "discuss", "diabetes", ("uncontrolled",)),
        ("aspirin", "note", "blood_thinner", ("aspirin_only",)),
        ("nsaids", "note", "nsaids", ("yes",)),
        ("needle_fear", "note", "needle_fear", ("yes",)),
        ("recent_steroid", "note", "recent_steroid", ("yes",)),
        ("diabetes_controlled", "note", "diabetes", ("controlled",)),
    )
)
_UNDER_18 = Caution("under_18", "discuss")
_CANCER_HISTORY = Caution("cancer_history", "note")


def _answer_words(qid: str, values: frozenset[str]) -> str:
    q = QUESTIONS[qid]
    if q.kind == "yesno":
        return f"`{qid}` is " + " or ".join(sorted(values))
    chosen = [f"`{o.code}` ({o.label})" for o in q.options if o.code in values]
    return f"`{qid}` is " + " or ".join(chosen)


# Every caution, in the order a result lists them: the table's answer-based cautions, with
# the two that _cautions works out itself in their places.
CAUTIONS: tuple[RuleText, ...] = (
    *(
        RuleText(c.id, c.level, _answer_words(q, v))
        for c, q, v in _CAUTION_TABLE
        if c.level != "note"
    ),
    RuleText(_UNDER_18.id, _UNDER_18.level, "`age` is under 18 (not when `age` is not answered)"),
    *(
        RuleText(c.id, c.level, _answer_words(q, v))
        for c, q, v in _CAUTION_TABLE
        if c.level == "note"
    ),
    RuleText(
        _CANCER_HISTORY.id,
        _CANCER_HISTORY.level,
        "`rf_cancer` is yes and neither `cancer` nor `cancer_spine` fired (another red flag "
        "does not matter)",
    ),
)


def _cautions(a: Answers, flags: list[RedFlag]) -> list[Caution]:
    out = [c for c, qid, values in _CAUTION_TABLE if a.get(qid) in values]
    age = a.get("age")
    if age is not None and age < 18:
        # Last of the discuss level, after the answer-based discuss cautions.
        out.insert(sum(c.level != "note" for c in out), _UNDER_18)
    if a.get("rf_cancer") == "yes" and not any(f.id in ("cancer", "cancer_spine") for f in flags):
        out.append(_CANCER_HISTORY)
    return out


# --- notes ------------------------------------------------------------------------------

NOTES: tuple[RuleText, ...] = (
    RuleText(
        "nerve_root",
        "note",
        "`radiating` is yes. The pain may come from a nerve root, which the clinician "
        "assesses; the clinic's technique treats nerves near the skin. No indication level "
        "changes.",
    ),
)


# --- booking -----------------------------------------------------------------------------

_Test = Callable[[list[RedFlag], list[str], str | None, dict[str, Indication], list[Caution]], bool]


@dataclass(frozen=True)
class BookingStep:
    decision: Booking
    when: str
    means: str
    applies: _Test


# The booking decision: the first step that applies wins.
BOOKING_STEPS: tuple[BookingStep, ...] = (
    BookingStep(
        "seek_care",
        "any red flag fired",
        "show the advice for the highest tier first, and no booking prompt",
        lambda flags, gaps, redirect, indications, cautions: bool(flags),
    ),
    BookingStep(
        "incomplete",
        "a required question that is shown is not answered",
        "ask the patient to complete the questions or to phone the clinic",
        lambda flags, gaps, redirect, indications, cautions: bool(gaps),
    ),
    BookingStep(
        "not_suitable",
        "the widespread-pain redirect applies",
        "suggest a GP assessment of widespread pain",
        lambda flags, gaps, redirect, indications, cautions: redirect is not None,
    ),
    BookingStep(
        "not_suitable",
        "no indication is likely or possible",
        "suggest the GP or physiotherapy",
        lambda flags, gaps, redirect, indications, cautions: all(
            ind.level == "unlikely" for ind in indications.values()
        ),
    ),
    BookingStep(
        "call_back",
        "there is an `absolute` or `discuss` caution",
        "a clinician calls the patient before anything is booked",
        lambda flags, gaps, redirect, indications, cautions: any(
            c.level in ("absolute", "discuss") for c in cautions
        ),
    ),
    BookingStep(
        "book",
        "no step above applies",
        "the booking prompt (an assessment appointment when nothing is likely), with the "
        "`note` cautions listed for the patient and the clinician",
        lambda flags, gaps, redirect, indications, cautions: True,
    ),
)


def _booking(
    flags: list[RedFlag],
    gaps: list[str],
    redirect: str | None,
    indications: dict[str, Indication],
    cautions: list[Caution],
) -> Booking:
    for step in BOOKING_STEPS:
        if step.applies(flags, gaps, redirect, indications, cautions):
            return step.decision
    raise AssertionError("the last booking step always applies")


INDICATION_RULES: dict[str, Callable[[Answers], Indication]] = {
    "osteoarthritis": _osteoarthritis,
    "tendinopathy": _tendinopathy,
    "ligament": _ligament,
    "neuropathic": _neuropathic,
}
if tuple(INDICATION_RULES) != INDICATIONS:
    raise ValueError("one rule per indication, in the order of INDICATIONS")


def evaluate(answers: Mapping[str, Any]) -> Screening:
    """Screen one answer set. Raises AnswerError if the answers are not valid.

    In order: answers to questions that are not shown are dropped; the red flags are
    checked, and the tier is the highest tier fired; the required questions that are shown
    and not answered are listed as missing; the widespread-pain redirect is checked; the
    four indications are rated (all unlikely under the redirect); the cautions and notes are
    listed; and the booking decision is taken, first matching step first.
    """
    a = shown_answers(answers)
    flags = _red_flags(a)
    tier = TIERS[min(_TIER_RANK[f.tier] for f in flags)] if flags else None
    gaps = missing(a)
    redirect = _redirect(a)
    if redirect is not None:
        unlikely = Indication("unlikely", (WIDESPREAD_REASON,))
        indications = dict.fromkeys(INDICATIONS, unlikely)
    else:
        indications = {name: rule(a) for name, rule in INDICATION_RULES.items()}
    cautions = _cautions(a, flags)
    notes = ("nerve_root",) if a.get("radiating") == "yes" else ()
    return Screening(
        rules_version=RULES_VERSION,
        indications=indications,
        red_flags=tuple(flags),
        tier=tier,
        redirect=redirect,
        missing=tuple(gaps),
        cautions=tuple(cautions),
        notes=notes,
        booking=_booking(flags, gaps, redirect, indications, cautions),
    )
