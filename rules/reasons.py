"""The reasons a result gives, as data, and their words: one catalog keyed by reason id.

The rules (engine.py) decide; each reason they give is a `Reason`: an id and the answers it
names (the pain site, the options chosen), never a sentence. What a reason says lives here
once, in English, in REASONS: the patient's result page, the red-flag advice, the staff pages,
the FHIR API and docs/clinical-rules.md all turn a reason into words with `words()`. Another
language gives its own words for the same id through a `translate` function (the app's gettext
catalog, keyed by the same ids: questionnaire/core/i18n.py), so an English edit here can never
silently detach a translation from its reason: the catalog entry is found by id, and a test
fails until the changed English is translated again.

Each reason says what the patient told us, in plain words (a reading age of about 11), never a
score. Red-flag reasons are short phrases that follow "You told us about:"; indication reasons
are whole sentences, shown one a line under "Why:".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .bank import QUESTIONS


class Reason(NamedTuple):
    """One reason: its id in REASONS, and the answers its words name."""

    id: str
    site: str | None = None  # a `site` code, for the words' {site}
    chosen: tuple[str, ...] = ()  # option codes of REASONS[id].question, for {chosen}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.site is not None:
            out["site"] = self.site
        if self.chosen:
            out["chosen"] = list(self.chosen)
        return out


class Words(NamedTuple):
    """A reason's English words. `{site}` is filled with the site's phrase (SITE_PHRASES),
    `{chosen}` with the labels of the chosen options of `question`: lower-case in a list, or
    in quotation marks as the patient read them when `quoted` (first-person labels such as
    "I have psoriasis")."""

    english: str
    question: str | None = None
    quoted: bool = False


# The pain site as a reason names it. "pain in the " + the option's words reads right for
# most sites; these four begin with words of their own.
_SITE_PHRASES_OWN = {
    "knee_tendon": "pain just below the kneecap",
    "heel_arch": "pain under the heel or arch",
    "skin_patch": "pain in a patch of skin, a scar or along a line",
    "widespread": "pain in many places or all over",
}
SITE_PHRASES: dict[str, str] = {
    o.code: _SITE_PHRASES_OWN.get(o.code, "pain in the " + o.label.lower())
    for o in QUESTIONS["site"].options
}

_TENDON_SIGNS = (
    "a spot you can point to, pain that eases as you warm up, or pain that started after more "
    "activity"
)

REASONS: dict[str, Words] = {
    # --- red flags: phrases after "You told us about:" ----------------------------------
    "bladder_bowel": Words("new trouble with bladder or bowel control"),
    "saddle": Words("numbness or changed feeling around the back passage or genitals"),
    "both_legs": Words("new pain, numbness or tingling in both legs with back pain"),
    "weakness": Words("an arm or leg getting weaker, or walking getting worse"),
    "hot_joint": Words("a hot, red and swollen joint"),
    "fever": Words("fever, shivers or night sweats, or feeling very unwell"),
    "recent_injury": Words(
        "an injury in the last 2 weeks with trouble taking weight or a very tender bony spot"
    ),
    "fracture_risk": Words(
        "sudden severe back pain after a fall or a small strain with a risk of broken bones"
    ),
    "calf": Words("a swollen, warm, red or tender calf or leg"),
    "past_cancer": Words("cancer in the past"),
    "pain_site": Words("{site}"),
    "night_constant": Words("constant severe pain at night"),
    "weight_loss": Words("weight loss without trying"),
    "recent_start": Words("pain that began less than 3 months ago"),
    "joints_swollen": Words("soft swelling in two or more joints, knuckles or toes"),
    "long_stiffness": Words("morning stiffness lasting more than an hour"),
    "spa_signs": Words(
        "signs of back pain caused by inflammation ({chosen})", "spa_features", quoted=True
    ),
    # --- indications: whole sentences ---------------------------------------------------
    "site_not_answered": Words("You did not tell us where the pain is."),
    "said_site": Words("You said you have {site}."),
    "load_yes": Words("You said it hurts when you use it or put weight on it."),
    "load_no": Words("You said using it or putting weight on it does not bring the pain on."),
    "load_not_answered": Words("You did not say if using it brings the pain on."),
    "age_45_plus": Words("You are 45 or over."),
    "age_40_44": Words("You are 40 to 44."),
    "age_under_40": Words("You are under 40."),
    "age_not_answered": Words("You did not tell us your age."),
    "had_6w_plus": Words("You have had it for 6 weeks or more."),
    "had_under_6w": Words("You have had it for less than 6 weeks."),
    "had_3m_plus": Words("You have had it for 3 months or more."),
    "had_under_3m": Words("You have had it for less than 3 months."),
    "duration_not_answered": Words("You did not tell us how long you have had it."),
    "oa_not_here": Words("Wear in a joint (osteoarthritis) is not usual where your pain is."),
    "stiff_none": Words("You said it is not stiff in the morning."),
    "stiff_le_30": Words("You said it is stiff for 30 minutes or less in the morning."),
    "stiff_31_60": Words("You said it is stiff for 31 to 60 minutes in the morning."),
    "stiff_gt_60": Words("You said it is stiff for more than an hour in the morning."),
    "stiff_not_answered": Words("You did not say how long it is stiff in the morning."),
    "grinding": Words("You said the joint grinds, creaks or crunches."),
    "bony_swelling": Words("You said there is hard, bony swelling on the joint."),
    "check_swelling_first": Words(
        "You told us about a hot joint or soft swelling in your joints. A doctor needs to "
        "check that first."
    ),
    "tendon_not_here": Words("Tendon problems are not usual where your pain is."),
    "point_spot": Words("You said you can point to the most painful spot with one finger."),
    "warm_up": Words("You said it eases as you warm up, then comes back worse afterwards."),
    "overuse": Words("You said it started after more or different activity."),
    "tendon_one_sign": Words(
        f"A tendon problem usually has at least two of these signs: {_TENDON_SIGNS}."
    ),
    "tendon_no_signs": Words(
        f"You did not tell us about the usual signs of a tendon problem: {_TENDON_SIGNS}."
    ),
    "tendon_signs_elsewhere": Words(
        "Tendon problems are not usual where your pain is, but you told us about all of "
        "their usual signs."
    ),
    "ligament_not_here": Words("Ligament problems are not usual where your pain is."),
    "began_with_injury": Words("You said it began with a sprain, twist or fall."),
    "sprained_before": Words("You said you have sprained or dislocated it before."),
    "sprained_twice": Words("You said you have sprained or dislocated it twice or more."),
    "gives_way_sometimes": Words(
        "You said it sometimes gives way or feels loose (less than once a month)."
    ),
    "gives_way_often": Words("You said it often gives way or feels loose (once a month or more)."),
    "posture_pain": Words(
        "You said it is worse after staying in one position and better when you move."
    ),
    "clicking": Words("You said you get clicking, clunking or a shifting feeling."),
    "flexible_joints": Words("You told us about signs that your joints are very flexible."),
    "ligament_few_signs": Words(
        "A ligament problem usually has at least two signs, such as an old sprain, a joint "
        "that gives way, or clicking."
    ),
    "ligament_no_signs": Words(
        "You did not tell us about signs of a ligament problem, such as an old sprain, a "
        "joint that gives way, or clicking."
    ),
    "nerve_feelings": Words("You said the pain comes with: {chosen}.", "nerve_sensations"),
    "no_nerve_feelings": Words(
        "You did not tell us about feelings like burning, tingling or numbness."
    ),
    "nerve_one_feeling": Words(
        "Nerve pain near the skin usually comes with more than one of these feelings."
    ),
    "touch_pain": Words("You said light touch makes it hurt."),
    "skin_pattern": Words("You said the pain is in a patch of skin, along a scar or along a line."),
    # --- the widespread-pain redirect ----------------------------------------------------
    "widespread": Words(
        "You told us about pain in many parts of your body for 3 months or more. Pain like "
        "this is best checked as a whole."
    ),
}


def _check(table: Mapping[str, Words]) -> None:
    """Refuse, at import, a reason whose {chosen} has no question to fill it, or the reverse."""
    for rid, entry in table.items():
        if ("{chosen}" in entry.english) != (entry.question is not None):
            raise ValueError(
                f"reason {rid}: {{chosen}} goes with the question whose options fill it"
            )


_check(REASONS)


def reason(reason_id: str, site: str | None = None, chosen: tuple[str, ...] = ()) -> Reason:
    """A Reason, refused at once if its id has no words: the engine builds its reasons with
    this when the module loads, so a misspelt id stops the import, not a patient's page."""
    if reason_id not in REASONS:
        raise KeyError(f"no words for reason {reason_id!r}")
    return Reason(reason_id, site, chosen)


# Where a translation of each entry is found: the reason's id, or the site's code.
def reason_key(reason_id: str) -> str:
    return "reason:" + reason_id


def site_key(code: str) -> str:
    return "site:" + code


def _same(_key: str, english: str) -> str:
    return english


def _label_same(label: str) -> str:
    return label


Translate = Callable[[str, str], str]


def from_stored(item: Reason | Mapping[str, Any] | str) -> Reason | str:
    """A reason as a screening stores it (its to_dict()), back as a Reason. Results stored by
    rules 1.2 and before hold English sentences: those come back as they are."""
    if isinstance(item, Reason | str):
        return item
    site = item.get("site")
    return Reason(
        str(item["id"]),
        str(site) if site is not None else None,
        tuple(str(code) for code in item.get("chosen", ())),
    )


def _fill(
    r: Reason, entry: Words, translate: Translate, label: Callable[[str], str]
) -> dict[str, str]:
    out = {"site": "", "chosen": ""}
    if r.site is not None:
        english_site = SITE_PHRASES.get(r.site, r.site)
        out["site"] = translate(site_key(r.site), english_site) or english_site
    if entry.question is not None:
        labels = [label(QUESTIONS[entry.question].labels.get(c, c)) for c in r.chosen]
        out["chosen"] = ", ".join(f"“{t}”" if entry.quoted else t.lower() for t in labels)
    return out


def words(
    item: Reason | Mapping[str, Any] | str,
    translate: Translate = _same,
    label: Callable[[str], str] = _label_same,
) -> str:
    """A reason in words. `translate(key, english)` gives an entry's words in the page's
    language (English by default), `label` an option label's. A translation that is missing,
    empty or has lost a placeholder gives the English, never a blank or an error; an id with
    no words at all (a retired reason in an old result) shows as its id."""
    r = from_stored(item)
    if isinstance(r, str):
        return r
    entry = REASONS.get(r.id)
    if entry is None:
        return r.id
    english = entry.english.format(**_fill(r, entry, _same, _label_same))
    if translate is _same:
        return english
    said = translate(reason_key(r.id), entry.english)
    try:
        return said.format(**_fill(r, entry, translate, label)) if said else english
    except (KeyError, IndexError, ValueError):
        return english
