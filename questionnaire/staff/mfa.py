"""The second factor: codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

Domain functions never commit; the view or command does.

Secrets at rest. An authenticator's secret is stored encrypted with Fernet (AES-CBC with an
HMAC-SHA256 tag: tampering is detected, and every encryption has its own random IV), under a
key made with HKDF-SHA256 from SECRET_KEY, or from MFA_ENCRYPTION_KEY when that is set. A copy
of the database alone gives no secret away. Derived by default so a clinic has one secret to
keep; the separate key lets SECRET_KEY be changed (which signs everyone out) without everyone
setting up their app again. Changing the key in use makes every stored secret unreadable: that
is logged at the first code tried, and `flask reset-mfa EMAIL` lets a person set up again.

Codes. A code is accepted for the current 30-second step or the one either side (a phone's
clock drifts; a code may change as it is typed), and only once: the step of the last code
accepted is stored, and a code for that step or an earlier one is refused, by a single
UPDATE ... WHERE mfa_last_step < :step, so two requests carrying one code cannot both pass.

Recovery codes. Ten, shown once, each 16 characters from a 32-letter alphabet: 80 random
bits. They are stored as plain SHA-256, not argon2: nobody can search 2^80 candidates
however fast the hash, so a slow one would only cost 64 MiB and tens of milliseconds for each
of ten codes at every try; and an exact digest lets one indexed DELETE find a code and use it
up, which also keeps it single-use when two requests carry it at once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import TYPE_CHECKING

import pyotp
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from questionnaire.core.db import rows_changed
from questionnaire.core.models import RecoveryCode, StaffSession, User, utcnow

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KEY_LABEL = b"prolotherapy: staff authenticator secrets at rest, v1"
VALID_WINDOW = 1  # steps either side of the current one
RECOVERY_CODES = 10
RECOVERY_LENGTH = 16
# Crockford's base32 in lower case: no i, l, o or u to misread (see normalise_recovery_code).
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_MISREAD = str.maketrans("ilo", "110", " -")


class SecretUnreadable(Exception):
    """A stored secret that the current key cannot decrypt: the key has changed."""


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def _fernet() -> Fernet:
    # Imported here, not at the top: cryptography adds about 6 MiB to every process, and
    # only a sign-in needs it, not a patient's page or an export.
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    material = current_app.config["MFA_ENCRYPTION_KEY"] or current_app.config["SECRET_KEY"]
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable from None


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_uri(secret: str, email: str, issuer: str) -> str:
    # A colon separates issuer and account in the label: one in the clinic's name would
    # make apps split it in the wrong place.
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer.replace(":", ""))


def qr_code(uri: str) -> str:
    """The QR code of `uri`, an SVG made here (no outside service sees the secret), as a
    data: URI for an <img>, which carries the alt text; the CSP allows data: images."""
    import segno  # only the set-up page needs it

    return segno.make(uri, error="m").svg_data_uri(scale=5, light="#fff")


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is, among the current one and one either side.

    pyotp's verify(valid_window=1) says only yes or no, and its verify_and_get_timecode
    returns the earliest of equal codes; the latest is the one to store, or the same code
    would pass once more a step later. All three codes are always made and compared."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    steps = range(current - VALID_WINDOW, current + VALID_WINDOW + 1)
    matches = [s for s in steps if pyotp.utils.strings_equal(code, totp.generate_otp(s))]
    return max(matches, default=None)


def check_code(db: Session, user: User, code: str) -> str:
    """ "ok" (and the code is used up), "bad_code", "replayed" (a code of a step already
    used) or "secret_unreadable"."""
    if user.mfa_secret is None:
        return "bad_code"
    try:
        secret = unseal(user.mfa_secret)
    except SecretUnreadable:
        current_app.logger.error(
            "The authenticator secret of staff user %s cannot be decrypted: SECRET_KEY or "
            "MFA_ENCRYPTION_KEY has changed since it was set up. `flask --app wsgi reset-mfa "
            "EMAIL` lets them set it up again.",
            user.id,
        )
        return "secret_unreadable"
    step = matching_step(secret, code)
    if step is None:
        return "bad_code"
    claimed = rows_changed(
        db.execute(
            update(User)
            .where(User.id == user.id, or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
            .values(mfa_last_step=step)
            .execution_options(synchronize_session=False)
        )
    )
    db.expire(user, ["mfa_last_step"])
    return "ok" if claimed == 1 else "replayed"


def pending_secret(db: Session, row: StaffSession) -> str:
    """The secret this session offers for set-up: the same one on every visit, so a
    refreshed page still matches what the app scanned."""
    if row.pending_mfa_secret is not None:
        try:
            return unseal(row.pending_mfa_secret)
        except SecretUnreadable:
            pass  # the key changed since: offer a new one
    secret = new_secret()
    row.pending_mfa_secret = seal(secret)
    db.flush()
    return secret


def finish_setup(db: Session, user: User, row: StaffSession, code: str) -> str:
    """Make the session's pending secret the account's if `code` comes from it: "ok",
    "bad_code", or "already" (set up meanwhile in another session; nothing changes)."""
    if row.pending_mfa_secret is None:
        return "bad_code"
    step = matching_step(unseal(row.pending_mfa_secret), code)
    if step is None:
        return "bad_code"
    done = rows_changed(
        db.execute(
            update(User)
            .where(User.id == user.id, User.mfa_enrolled_at.is_(None))
            .values(mfa_secret=row.pending_mfa_secret, mfa_enrolled_at=utcnow(), mfa_last_step=step)
            .execution_options(synchronize_session=False)
        )
    )
    db.expire(user, ["mfa_secret", "mfa_enrolled_at", "mfa_last_step"])
    if done != 1:
        return "already"
    row.pending_mfa_secret = None
    db.flush()  # before the caller ends this session row with a DELETE
    return "ok"


def forget(db: Session, user: User) -> None:
    """Remove the account's authenticator and recovery codes: it is set up again at the
    next sign-in. The caller ends the account's sessions."""
    user.mfa_secret = user.mfa_enrolled_at = user.mfa_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- recovery codes ----------------------------------------------------------------------


def normalise_recovery_code(typed: str) -> str:
    """Lower case, without spaces or dashes; i and l read as 1, o as 0 (Crockford)."""
    return typed.strip().lower().translate(_MISREAD)


def recovery_digest(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Ten new codes in place of any the account had, as shown to the person (abcd-efgh-
    jkmn-pqrs); only their digests are kept."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    db.add_all(RecoveryCode(user_id=user.id, code_hash=recovery_digest(c)) for c in codes)
    db.flush()
    return codes


def use_recovery_code(db: Session, user: User, typed: str) -> str:
    """ "ok" if `typed` is one of the account's unused codes, which is then used up."""
    used = rows_changed(
        db.execute(
            delete(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.code_hash == recovery_digest(typed)
            )
        )
    )
    return "ok" if used == 1 else "bad_code"


def recovery_codes_left(db: Session, user: User) -> int:
    count = select(func.count()).select_from(RecoveryCode)
    return db.scalar(count.where(RecoveryCode.user_id == user.id)) or 0
