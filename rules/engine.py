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
from .reasons import REASONS, Reason, reason
from .screening import (
    INDICATIONS,
    TIERS,
    Booking,
    Caution,
    CautionLevel,
    Indication,
    Level,
    RedFlag,
    Screening,
    Tier,
)

RULES_VERSION = "1.3"

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
WIDESPREAD_REASON = reason("widespread")

_TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}

# The reasons that name no answer, built once (a look-up costs less than a NamedTuple), and
# the ones that name the site, once per site.
_R = {rid: reason(rid) for rid, words in REASONS.items() if "{" not in words.english}
_PAIN_SITE = {code: reason("pain_site", site=code) for code in QUESTIONS["site"].codes}
_SAID_SITE = {code: reason("said_site", site=code) for code in QUESTIONS["site"].codes}


# Typed reads of the answers the rules compare as more than equal or not.
def _code(a: Answers, qid: str) -> str | None:
    return cast("str | None", a.get(qid))


def _codes(a: Answers, qid: str) -> list[str]:
    return cast("list[str]", a.get(qid) or [])


def _age(a: Answers) -> int | None:
    return cast("int | None", a.get("age"))


def _site_reasons(site: str | None, not_here: str) -> tuple[Reason, ...]:
    """Why an indication is unlikely at this site: the site said, and that it is not usual
    there; or that no site was given."""
    if site is None:
        return (_R["site_not_answered"],)
    return (_SAID_SITE[site], _R[not_here])


def _load_reason(load: str | None) -> Reason:
    return _R[{"yes": "load_yes", "no": "load_no"}.get(load or "", "load_not_answered")]


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


# A flag's reasons are fixed ones, the site and the back-pain signs chosen, so the same
# flags recur (a few hundred at most): each is built once and shared, since building a
# frozen dataclass costs many times a look-up. The tier is part of the key, read from
# _TIER_OF as the flag fires.
_shared_flag = lru_cache(maxsize=None)(RedFlag)


def _red_flags(a: Answers) -> list[RedFlag]:
    flags: list[RedFlag] = []

    def fire(flag_id: str, *reasons: Reason) -> None:
        flags.append(_shared_flag(flag_id, _TIER_OF[flag_id], reasons))

    cauda = [
        _R[rid]
        for qid, rid in (
            ("rf_bladder_bowel", "bladder_bowel"),
            ("rf_saddle", "saddle"),
            ("rf_both_legs", "both_legs"),
        )
        if a.get(qid) == "yes"
    ]
    if cauda:
        fire("cauda_equina", *cauda)
    if a.get("rf_weakness") == "yes":
        fire("neuro_deficit", _R["weakness"])

    hot = a.get("joint_state") == "hot"
    fever = a.get("rf_fever") == "yes"
    if hot and fever:
        fire("septic_joint", _R["hot_joint"], _R["fever"])
    if hot and not fever:
        fire("hot_joint", _R["hot_joint"])
    if fever and not hot:
        fire("infection", _R["fever"])

    fracture = [
        _R[rid]
        for qid, rid in (
            ("rf_recent_injury", "recent_injury"),
            ("rf_fracture_risk", "fracture_risk"),
        )
        if a.get(qid) == "yes"
    ]
    if fracture:
        fire("fracture", *fracture)
    if a.get("rf_calf") == "yes":
        fire("dvt", _R["calf"])

    site = _code(a, "site")
    constant_night = a.get("night_pain") == "constant"
    weight_loss = a.get("rf_weight_loss") == "yes"
    night_reason = _R["night_constant"]
    weight_reason = _R["weight_loss"]
    if a.get("rf_cancer") == "yes":
        cancer_reason = _R["past_cancer"]
        if site in SPINE_PELVIS and (constant_night or weight_loss):
            extra = [
                r for ok, r in ((constant_night, night_reason), (weight_loss, weight_reason)) if ok
            ]
            fire("cancer_spine", cancer_reason, _PAIN_SITE[site], *extra)
        else:
            triggers = [
                r
                for ok, r in (
                    (
                        site in SPINE_PELVIS or site == "hip_groin",
                        _PAIN_SITE[site] if site else _R["site_not_answered"],
                    ),
                    (constant_night, night_reason),
                    (weight_loss, weight_reason),
                    (a.get("duration") in UNDER_THREE_MONTHS, _R["recent_start"]),
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
        r
        for ok, r in (
            (a.get("rf_joints_swollen") == "yes", _R["joints_swollen"]),
            (a.get("morning_stiffness") == "gt_60", _R["long_stiffness"]),
        )
        if ok
    ]
    if inflammatory:
        fire("inflammatory", *inflammatory)
    spa = _codes(a, "spa_features")
    if len(spa) >= 4:
        fire("axial_spa", reason("spa_signs", chosen=tuple(spa)))
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

_STIFFNESS_REASON = {
    "none": _R["stiff_none"],
    "le_30": _R["stiff_le_30"],
    "31_60": _R["stiff_31_60"],
    "gt_60": _R["stiff_gt_60"],
    None: _R["stiff_not_answered"],
}


def _age_reason(age: int | None) -> Reason:
    if age is None:
        return _R["age_not_answered"]
    if age >= 45:
        return _R["age_45_plus"]
    return _R["age_40_44"] if age >= 40 else _R["age_under_40"]


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
    site = _code(a, "site")
    if site not in OA_SITES:
        return Indication("unlikely", _site_reasons(site, "oa_not_here"))
    age, stiffness, load = _age(a), _code(a, "morning_stiffness"), _code(a, "load_pain")
    stiff_ok = stiffness in ("none", "le_30")
    senior = age is not None and age >= 45
    why = [_SAID_SITE[site], _load_reason(load)]
    level: Level = "unlikely"
    if load == "yes":
        why += [_age_reason(age), _STIFFNESS_REASON[stiffness]]
        if senior and stiff_ok:
            level = "likely"
        elif (
            (age is not None and 40 <= age <= 44 and stiff_ok)
            or (senior and stiffness == "31_60")
            or (senior and stiffness is None)
        ):
            level = "possible"
    else:
        signs = [_R[qid] for qid in ("grinding", "bony_swelling") if a.get(qid) == "yes"]
        if load == "no" and senior and stiff_ok and signs:
            level = "possible"
            why += [_age_reason(age), _STIFFNESS_REASON[stiffness], *signs]
    if level == "likely" and (a.get("joint_state") == "hot" or a.get("rf_joints_swollen") == "yes"):
        level = "possible"
        why.append(_R["check_swelling_first"])
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
        _R[rid]
        for ok, rid in (
            (a.get("point_spot") == "yes", "point_spot"),
            (a.get("warm_up") == "yes", "warm_up"),
            (a.get("onset") == "overuse", "overuse"),
        )
        if ok
    ]
    f = len(features)
    site = _code(a, "site")
    load = _code(a, "load_pain")
    loaded = load == "yes"
    duration = a.get("duration")
    if site in TENDON_SITES and loaded:
        why = (_SAID_SITE[site], _R["load_yes"], *features)
        if f >= 2 and duration in SIX_WEEKS_OR_MORE:
            return Indication("likely", (*why, _R["had_6w_plus"]))
        if f >= 2 and duration in UNDER_SIX_WEEKS:
            return Indication("possible", (*why, _R["had_under_6w"]))
        if f == 1:
            return Indication("possible", (*why, _R["tendon_one_sign"]))
        gap = "tendon_no_signs" if f == 0 else "duration_not_answered"
        return Indication("unlikely", (*why, _R[gap]))
    if site is not None and site not in TENDON_SITES and loaded and f == 3:
        return Indication(
            "possible",
            (_SAID_SITE[site], _R["tendon_signs_elsewhere"], _R["load_yes"], *features),
        )
    if site in TENDON_SITES:
        # Not loaded: a tendon site, but using it does not bring the pain on.
        return Indication("unlikely", (_SAID_SITE[site], _load_reason(load)))
    why_not = _site_reasons(site, "tendon_not_here")
    return Indication("unlikely", why_not if loaded else (*why_not, _load_reason(load)))


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
    site = _code(a, "site")
    if site not in LIG_SITES:
        return Indication("unlikely", _site_reasons(site, "ligament_not_here"))
    sprains = a.get("sprains")
    giving_way = a.get("giving_way")
    hyper = _codes(a, "hypermobility")
    injury = a.get("onset") == "injury"
    l1 = injury or sprains in ("1", "2_plus")
    l2 = giving_way in ("occasional", "often")
    l3 = sprains == "2_plus"
    l4 = a.get("posture_pain") == "yes"
    l6 = len(hyper) >= 2
    features = [
        _R[rid]
        for ok, rid in (
            (l1, "began_with_injury" if injury else "sprained_before"),
            (l2, "gives_way_often" if giving_way == "often" else "gives_way_sometimes"),
            (l3, "sprained_twice"),
            (l4, "posture_pain"),
            (a.get("clicking") == "yes", "clicking"),
            (l6, "flexible_joints"),
        )
        if ok
    ]
    duration = a.get("duration")
    long_standing = duration in THREE_MONTHS_OR_MORE
    instability = l2 and (l1 or l3)
    axial = site in AXIAL_LIG and l4 and (l1 or l6) and a.get("point_spot") == "yes"
    why = (_SAID_SITE[site], *features)
    if long_standing and (instability or axial):
        extra = (_R["point_spot"],) if axial else ()
        return Indication("likely", (*why, *extra, _R["had_3m_plus"]))
    if len(features) >= 2:
        if long_standing:
            return Indication("possible", why)
        how_long = "duration_not_answered" if duration is None else "had_under_3m"
        return Indication("possible", (*why, _R[how_long]))
    few = "ligament_few_signs" if features else "ligament_no_signs"
    return Indication("unlikely", (*why, _R[few]))


def _neuropathic(a: Answers) -> Indication:
    """Neuropathic pain (nerves near the skin), from the nerve-type sensations felt.

    N counts the `nerve_sensations` chosen.

    - **likely**: N is 3 or more.
    - **possible**: N is 2; or N is 1 and `touch_pain` is yes and `skin_pattern` is yes.
    - otherwise **unlikely**.
    """
    sensations = _codes(a, "nerve_sensations")
    n = len(sensations)
    if not n:
        return Indication("unlikely", (_R["no_nerve_feelings"],))
    felt = reason("nerve_feelings", chosen=tuple(sensations))
    if n >= 3:
        return Indication("likely", (felt,))
    if n == 2:
        return Indication("possible", (felt,))
    if n == 1 and a.get("touch_pain") == "yes" and a.get("skin_pattern") == "yes":
        return Indication("possible", (felt, _R["touch_pain"], _R["skin_pattern"]))
    return Indication("unlikely", (felt, _R["nerve_one_feeling"]))


# --- cautions ---------------------------------------------------------------------------

# (caution, the question it reads, the answers that raise it): the levels run most serious
# first, and within a level the order is fixed so that lists of cautions always read alike.
_CAUTION_TABLE: tuple[tuple[Caution, str, frozenset[str]], ...] = tuple(
    (Caution(cid, cast(CautionLevel, level)), qid, frozenset(values))
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
    age = _age(a)
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
