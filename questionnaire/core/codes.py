"""Codes people read out or type: a submission's reference, a resume code. Crockford's
base32, with no I, L, O or U to misread or mistype, in groups of four, and typing is
forgiving: any case, spaces and dashes anywhere, I and L read as 1, O as 0."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
_MISREAD = str.maketrans("ILO", "110", " -")


def new_code(length: int) -> str:
    """`length` random characters of ALPHABET (5 bits each), in dash-separated groups."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + GROUP] for i in range(0, length, GROUP))


def normalise(typed: str) -> str:
    """What someone typed, as the code's characters alone (no dashes)."""
    return typed.strip().upper().translate(_MISREAD)


def reference(typed: str) -> str:
    """A submission's reference as typed or read out (any case, spaces, no dash, O for 0)
    in its stored form, AB12-CD34; what is not eight characters comes back as it is."""
    code = normalise(typed)
    return f"{code[:GROUP]}-{code[GROUP:]}" if len(code) == 2 * GROUP else code


def is_reference(code: str) -> bool:
    """Whether `code` (from `reference`) has a reference's shape: two groups of ALPHABET."""
    head, dash, tail = code.partition("-")
    return bool(dash) and len(head) == len(tail) == GROUP and set(head + tail) <= set(ALPHABET)
