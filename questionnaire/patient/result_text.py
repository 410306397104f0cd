"""What the patient reads about each outcome, in plain words (reading age about 11).

Facts are the clinic's own (what it offers, the evidence it cites: see the About page);
the words are ours. Kept apart from the rules, which decide, and from the templates, which
lay out.
"""

from __future__ import annotations

from typing import TypedDict


class IndicationText(TypedDict):
    title: str
    problem: str
    how: str
    evidence: str  # what the research says in general: for a site with none of its own


INDICATIONS: dict[str, IndicationText] = {
    "osteoarthritis": {
        "title": "Osteoarthritis (wear in a joint)",
        "problem": (
            "In osteoarthritis the smooth lining of a joint gets thinner and the joint can "
            "ache, creak and feel stiff. Loose or strained ligaments around the joint can let "
            "it move off its normal track, which wears it more."
        ),
        "how": (
            "The clinic injects around the joint, and usually into it, to help the ligaments "
            "that hold it steady get stronger. The aim is a steadier joint that hurts less."
        ),
        "evidence": (
            "There is little research on it for osteoarthritis in this joint. Most studies "
            "are of the knee, where some small trials found it helped."
        ),
    },
    "tendinopathy": {
        "title": "Tendinopathy (a painful, overworked tendon)",
        "problem": (
            "A tendon joins a muscle to a bone. When it is overworked it can become painful "
            "and sometimes it does not heal properly on its own."
        ),
        "how": (
            "The injection causes a short, mild reaction where it is given. This calls in the "
            "cells that build new tissue, to help the tendon start healing again."
        ),
        "evidence": (
            "There is little research on it for a tendon in this part of the body, so no one "
            "can yet say how well it works here. The clinician can tell you what is known."
        ),
    },
    "ligament": {
        "title": "Ligament strain or a loose, unstable joint",
        "problem": (
            "Ligaments are strong bands that hold a joint together. If they are strained or "
            "stretched again and again, the joint can feel loose or give way, and the muscles "
            "around it can tighten up to protect it."
        ),
        "how": (
            "The injection aims to help the ligament lay down new, stronger tissue. When the "
            "ligament settles, muscle tightness and stiffness can ease."
        ),
        "evidence": (
            "For loose or unstable joints the evidence is very limited and comes mainly from "
            "reports of single cases."
        ),
    },
    "neuropathic": {
        "title": "Nerve pain near the skin",
        "problem": (
            "Small nerves just under the skin can become irritated or injured, for example "
            "after an operation. They can burn, tingle or make light touch hurt."
        ),
        "how": (
            "The clinic uses very fine, short needles close to the skin, with a sugar "
            "(dextrose) solution around the nerve. The aim is to calm the nerve and the "
            "tissue around it."
        ),
        "evidence": (
            "There is early evidence that it helps some trapped nerves, such as carpal "
            "tunnel. For nerve pain near the skin the evidence is mainly clinical experience "
            "and small studies."
        ),
    },
}

# What the research says for the pain site the patient chose, where the clinic's sources
# speak of that site (see the About page); any other site gets the indication's general words,
# so no patient reads about evidence for a part of the body they did not choose.
SITE_EVIDENCE: dict[str, dict[str, str]] = {
    "osteoarthritis": {
        "knee": (
            "For knee osteoarthritis, some trials found it helped, but the studies were small "
            "and of mixed quality."
        ),
        "hand": "For osteoarthritis in the hand, there is only a little evidence so far.",
    },
    "tendinopathy": {
        "elbow_outer": (
            "For tennis elbow (pain on the outer side of the elbow) there is moderate evidence "
            "that it helps in the short term."
        ),
        "shoulder": "For a painful tendon in the shoulder there is some trial evidence.",
        "achilles": "For the Achilles tendon the evidence is limited and of low quality.",
        "heel_arch": (
            "For pain under the heel or arch the evidence is limited and of low quality."
        ),
    },
    "ligament": {
        "pelvis_back": (
            "For pain at the back of the pelvis (the sacroiliac joint) there is some trial "
            "evidence."
        ),
        "low_back": (
            "For low back pain it has not been shown to work on its own, but it may help as "
            "part of a wider programme."
        ),
    },
}


def evidence(indication: str, site: str | None) -> str:
    """What the research says about this indication at the patient's pain site."""
    return SITE_EVIDENCE.get(indication, {}).get(site or "", INDICATIONS[indication]["evidence"])


TIER_ADVICE = {
    "emergency": {
        "title": "Get help now",
        "advice": "Call {emergency} or go to A&E now. Do not wait for an appointment.",
    },
    "urgent": {
        "title": "Get medical help today",
        "advice": (
            "Please get medical help today: a same-day GP appointment, an urgent treatment "
            "centre, or NHS 111."
        ),
    },
    "gp_soon": {
        "title": "See your GP first",
        "advice": ("Please see your GP in the next few days, before thinking about prolotherapy."),
    },
}

RED_FLAG_WORDS = {
    "cauda_equina": "These can be signs of pressure on the nerves at the bottom of the spine.",
    "neuro_deficit": "Weakness that is getting worse can mean a nerve is being squeezed.",
    "septic_joint": "A hot, swollen joint with a fever can be an infection in the joint.",
    "hot_joint": "A hot, red, swollen joint needs checking by a doctor today.",
    "infection": "A fever or feeling very unwell can be a sign of infection.",
    "fracture": "This could be a broken bone, which needs an X-ray first.",
    "dvt": "A swollen, warm, tender calf can be a blood clot.",
    "cancer_spine": "Back or neck pain after cancer needs checking by a doctor today.",
    "cancer": "After cancer, new or changing pain should be checked by your GP.",
    "weight_loss": "Losing weight without trying should be checked by your GP.",
    "night_pain": "Constant, severe pain at night should be checked by your GP.",
    "inflammatory": "Swollen joints or long morning stiffness can be a kind of arthritis "
    "that needs other treatment.",
    "axial_spa": "Your answers fit a kind of back pain caused by inflammation, which needs "
    "other treatment.",
}

CAUTION_WORDS = {
    "anaesthetic_allergy": "You have had a reaction to a local anaesthetic.",
    "corn_allergy": "You are allergic to corn or to dextrose or glucose.",
    "infection_site": "There is an infection, rash or broken skin near the painful area.",
    "flare_now": "The area is in the middle of a flare.",
    "lump_site": "There is a lump in the painful area.",
    "pregnancy": "You are, or could be, pregnant or breastfeeding.",
    "blood_thinner": "You take a blood thinner.",
    "bleeding_disorder": "You bruise or bleed easily.",
    "immunosuppressed": "You take medicines that lower your immunity.",
    "implant_site": "You have a joint replacement or metalwork in the area.",
    "diabetes_uncontrolled": "Your diabetes may not be well controlled.",
    "under_18": "You are under 18.",
    "aspirin": "You take low-dose aspirin.",
    "nsaids": "You take anti-inflammatory painkillers regularly. These can get in the way "
    "of the healing reaction, so the clinician may ask you to pause them.",
    "needle_fear": "Needles worry you or make you faint. Tell the team so they can help.",
    "recent_steroid": "You had a steroid injection in this area in the last 3 months.",
    "diabetes_controlled": "You have diabetes. The injection contains sugar (dextrose), so "
    "check your blood sugar more often for a day or two.",
    "cancer_history": "You have had cancer in the past.",
}

NOTE_WORDS = {
    "nerve_root": (
        "Your pain travels down an arm or leg. It may come from a nerve near the spine, "
        "which the clinician will check. The clinic's treatment is for nerves near the skin."
    ),
}
