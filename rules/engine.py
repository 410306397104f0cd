"""The screening rules: clean answers in, a Screening out. No I/O.

Each rule reads the answers directly. A skipped answer satisfies no criterion, so every
test below is written as `answer == value`, which is false for a skipped question.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import Answers, clean, missing
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

RULES_VERSION = "1.0"

UNDER_THREE_MONTHS = frozenset({"lt_2w", "2w_6w", "6w_3m"})
UNDER_SIX_WEEKS = frozenset({"lt_2w", "2w_6w"})
WIDESPREAD_REASON = "widespread pain is better assessed as a whole"


def _yes(a: Answers, qid: str) -> bool:
    return a.get(qid) == "yes"


_SITE_PHRASES = {o.code: "pain in the " + o.label.lower() for o in QUESTIONS["site"].options}
_TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}


def _site_phrase(a: Answers) -> str:
    return _SITE_PHRASES[a["site"]]


def _labels(qid: str, codes: list[str]) -> str:
    q = QUESTIONS[qid]
    return ", ".join(q.label_for(c).lower() for c in codes)


# --- 3.1 red flags -----------------------------------------------------------------------


def _red_flags(a: Answers) -> list[RedFlag]:
    flags: list[RedFlag] = []

    def fire(flag_id: str, tier: Tier, *reasons: str) -> None:
        flags.append(RedFlag(flag_id, tier, reasons))

    cauda = [
        reason
        for qid, reason in (
            ("rf_bladder_bowel", "new trouble with bladder or bowel control"),
            ("rf_saddle", "numbness or changed feeling around the back passage or genitals"),
            ("rf_both_legs", "new pain, numbness or tingling in both legs with back pain"),
        )
        if _yes(a, qid)
    ]
    if cauda:
        fire("cauda_equina", "emergency", *cauda)
    if _yes(a, "rf_weakness"):
        fire("neuro_deficit", "emergency", "an arm or leg getting weaker, or walking getting worse")

    hot = a.get("joint_state") == "hot"
    fever = _yes(a, "rf_fever")
    hot_reason = "a hot, red and swollen joint"
    fever_reason = "fever, shivers or night sweats, or feeling very unwell"
    if hot and fever:
        fire("septic_joint", "emergency", hot_reason, fever_reason)
    if hot and not fever:
        fire("hot_joint", "urgent", hot_reason)
    if fever and not hot:
        fire("infection", "urgent", fever_reason)

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
        if _yes(a, qid)
    ]
    if fracture:
        fire("fracture", "urgent", *fracture)
    if _yes(a, "rf_calf"):
        fire("dvt", "urgent", "a swollen, warm, red or tender calf or leg")

    site = a.get("site")
    constant_night = a.get("night_pain") == "constant"
    weight_loss = _yes(a, "rf_weight_loss")
    night_reason = "constant severe pain at night"
    weight_reason = "weight loss without trying"
    if _yes(a, "rf_cancer"):
        cancer_reason = "cancer in the past"
        if site in SPINE_PELVIS and (constant_night or weight_loss):
            extra = [
                r for ok, r in ((constant_night, night_reason), (weight_loss, weight_reason)) if ok
            ]
            fire("cancer_spine", "urgent", cancer_reason, _site_phrase(a), *extra)
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
                fire("cancer", "gp_soon", cancer_reason, *triggers)
    if weight_loss:
        fire("weight_loss", "gp_soon", weight_reason)
    if constant_night:
        fire("night_pain", "gp_soon", night_reason)
    inflammatory = [
        reason
        for ok, reason in (
            (_yes(a, "rf_joints_swollen"), "soft swelling in two or more joints, knuckles or toes"),
            (a.get("morning_stiffness") == "gt_60", "morning stiffness lasting more than an hour"),
        )
        if ok
    ]
    if inflammatory:
        fire("inflammatory", "gp_soon", *inflammatory)
    spa = a.get("spa_features") or []
    if len(spa) >= 4:
        fire(
            "axial_spa",
            "gp_soon",
            f"{len(spa)} signs of inflammatory back pain ({_labels('spa_features', spa)})",
        )
    return flags


# --- 3.3 redirect ------------------------------------------------------------------------


def _redirect(a: Answers) -> str | None:
    areas = a.get("areas")
    wide = (
        areas == "7_plus"
        or a.get("site") == "widespread"
        or (areas == "4_6" and a.get("fatigue") == "severe")
    )
    return "widespread" if wide and a.get("duration") in THREE_MONTHS_OR_MORE else None


# --- 3.4 indications ---------------------------------------------------------------------

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
    site, age, stiffness, load = (
        a.get(k) for k in ("site", "age", "morning_stiffness", "load_pain")
    )
    if site not in OA_SITES:
        return Indication("unlikely", ("the pain is not in a joint where osteoarthritis is usual",))
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
            if _yes(a, qid)
        ]
        if load == "no" and senior and stiff_ok and signs:
            level = "possible"
            why += [_age_phrase(age), _STIFFNESS_PHRASE[stiffness], *signs]
    if level == "likely" and (a.get("joint_state") == "hot" or _yes(a, "rf_joints_swollen")):
        level = "possible"
        why.append("held at possible: hot or soft swollen joints need checking first")
    return Indication(level, tuple(why))


def _tendinopathy(a: Answers) -> Indication:
    features = [
        reason
        for ok, reason in (
            (_yes(a, "point_spot"), "can point to one painful spot"),
            (_yes(a, "warm_up"), "eases with warm-up, then worse afterwards"),
            (a.get("onset") == "overuse", "came on after more or different activity"),
        )
        if ok
    ]
    f = len(features)
    site = a.get("site")
    loaded = _yes(a, "load_pain")
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
    site = a.get("site")
    if site not in LIG_SITES:
        return Indication("unlikely", ("the pain is not at a usual ligament site",))
    sprains = a.get("sprains")
    giving_way = a.get("giving_way")
    hyper = a.get("hypermobility") or []
    l1 = a.get("onset") == "injury" or sprains in ("1", "2_plus")
    l2 = giving_way in ("occasional", "often")
    l3 = sprains == "2_plus"
    l4 = _yes(a, "posture_pain")
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
            (_yes(a, "clicking"), "clicking, clunking or shifting"),
            (l6, f"{len(hyper)} signs of very flexible joints"),
        )
        if ok
    ]
    long_standing = a.get("duration") in THREE_MONTHS_OR_MORE
    instability = l2 and (l1 or l3)
    axial = site in AXIAL_LIG and l4 and (l1 or l6) and _yes(a, "point_spot")
    why = [_site_phrase(a), *features]
    if long_standing and (instability or axial):
        extra = ["can point to one painful spot"] if axial else []
        return Indication("likely", (*why, *extra, "had it 3 months or more"))
    if len(features) >= 2:
        return Indication("possible", (*why, f"{len(features)} of 6 ligament features"))
    return Indication("unlikely", (*why, f"{len(features)} of 6 ligament features"))


def _neuropathic(a: Answers) -> Indication:
    sensations: list[str] = list(a.get("nerve_sensations") or [])
    n = len(sensations)
    if n:
        words = "sensation" if n == 1 else "sensations"
        felt = f"{n} nerve-type {words} ({_labels('nerve_sensations', sensations)})"
    else:
        felt = "no nerve-type sensations"
    if n >= 3:
        return Indication("likely", (felt,))
    if n == 2:
        return Indication("possible", (felt,))
    if n == 1 and _yes(a, "touch_pain") and _yes(a, "skin_pattern"):
        return Indication(
            "possible",
            (felt, "light touch hurts", "pain in a patch of skin, along a scar or a line"),
        )
    return Indication("unlikely", (felt,))


# --- 3.5 cautions ------------------------------------------------------------------------

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


def _cautions(a: Answers, flags: list[RedFlag]) -> list[Caution]:
    out = [c for c, qid, values in _CAUTION_TABLE if a.get(qid) in values]
    age = a.get("age")
    if age is not None and age < 18:
        # Last of the discuss level, after the answer-based discuss cautions.
        out.insert(sum(c.level != "note" for c in out), _UNDER_18)
    if _yes(a, "rf_cancer") and not any(f.id in ("cancer", "cancer_spine") for f in flags):
        out.append(_CANCER_HISTORY)
    return out


# --- 3.6 booking -------------------------------------------------------------------------


def _booking(
    flags: list[RedFlag],
    gaps: list[str],
    redirect: str | None,
    indications: dict[str, Indication],
    cautions: list[Caution],
) -> Booking:
    if flags:
        return "seek_care"
    if gaps:
        return "incomplete"
    if redirect is not None:
        return "not_suitable"
    if all(ind.level == "unlikely" for ind in indications.values()):
        return "not_suitable"
    if any(c.level in ("absolute", "discuss") for c in cautions):
        return "call_back"
    return "book"


def evaluate(answers: Mapping[str, Any]) -> Screening:
    """Screen one answer set. Raises AnswerError if the answers are not valid."""
    a = clean(answers)
    flags = _red_flags(a)
    tier = TIERS[min(_TIER_RANK[f.tier] for f in flags)] if flags else None
    gaps = missing(a)
    redirect = _redirect(a)
    if redirect is not None:
        unlikely = Indication("unlikely", (WIDESPREAD_REASON,))
        indications = dict.fromkeys(INDICATIONS, unlikely)
    else:
        indications = {
            "osteoarthritis": _osteoarthritis(a),
            "tendinopathy": _tendinopathy(a),
            "ligament": _ligament(a),
            "neuropathic": _neuropathic(a),
        }
    cautions = _cautions(a, flags)
    notes = ("nerve_root",) if _yes(a, "radiating") else ()
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
