"""The second factor: codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

Domain functions never commit; the view or command does.

Secrets at rest. An authenticator's secret is stored encrypted with Fernet (AES-CBC with an
HMAC-SHA256 tag: tampering is detected, and every encryption has its own random IV), under a
key made with HKDF-SHA256 from MFA_ENCRYPTION_KEY (production requires it), or from SECRET_KEY
on a developer's machine. A copy of the database alone gives no secret away. A key of its own
lets SECRET_KEY be changed without touching the secrets. The key itself is changed by naming
the old one MFA_ENCRYPTION_KEY_PREVIOUS: secrets are read under either, new ones encrypted
under the new, and `flask rotate-mfa-key` encrypts the stored ones again, after which the old
key can go. A key lost or mistyped makes stored secrets unreadable: `rotate-mfa-key` (run at
every start) says so in one line, it is logged at the first code tried, and `flask reset-mfa
EMAIL` lets a person set up again.

Codes. A code is accepted for the current 30-second step or the one either side (a phone's
clock drifts; a code may change as it is typed), and only once: the step of the last code
accepted is stored, and a code for that step or an earlier one is refused, by a single
UPDATE ... WHERE mfa_last_step < :step, so two requests carrying one code cannot both pass.

Recovery codes. Ten, shown once, each 16 characters from a 32-letter alphabet: 80 random
bits. They are stored as plain SHA-256, not argon2: nobody can search 2^80 candidates
however fast the hash, so a slow one would only cost 64 MiB and tens of milliseconds for each
of ten codes at every try; and an exact digest lets one indexed DELETE find a code and use it
up, which also keeps it single-use when two requests carry it at once.

Set-up codes. Setting up an app (for a new account, or after an admin's reset) takes a
one-time code the admin hands over, made and stored like a recovery code and expiring after
SETUP_CODE_HOURS: whoever learns a temporary password alone cannot enrol their own phone.
Guesses count toward the account's lock, as codes do.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import pyotp
from flask import current_app
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from questionnaire.core import codes
from questionnaire.core.db import rows_changed
from questionnaire.core.models import RecoveryCode, StaffSession, User, utcnow

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

KEY_LABEL = b"prolotherapy: staff authenticator secrets at rest, v1"
VALID_WINDOW = 1  # steps either side of the current one
RECOVERY_CODES = 10
RECOVERY_LENGTH = 16


class SecretUnreadable(Exception):
    """A stored secret that the current key cannot decrypt: the key has changed."""


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def _fernet(material: str) -> Fernet:
    from cryptography.fernet import Fernet  # see _either
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> list[Fernet]:
    """The key in use first, then the one it replaces during a rotation: MultiFernet
    encrypts with the first and decrypts with whichever fits. Without MFA_ENCRYPTION_KEY
    (development only) the key comes from SECRET_KEY, and so the one it replaces from
    SECRET_KEY's fallbacks."""
    config = current_app.config
    if config["MFA_ENCRYPTION_KEY"]:
        materials = [config["MFA_ENCRYPTION_KEY"], config["MFA_ENCRYPTION_KEY_PREVIOUS"]]
    else:
        materials = [config["SECRET_KEY"], *(config["SECRET_KEY_FALLBACKS"] or [])]
    return [_fernet(m) for m in materials if m]


def _either() -> MultiFernet:
    # Imported here, not at the top: cryptography adds about 6 MiB to every process, and
    # only a sign-in needs it, not a patient's page or an export.
    from cryptography.fernet import MultiFernet

    return MultiFernet(_keys())


def seal(secret: str) -> str:
    return _either().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _either().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable from None


def resealed(sealed: str) -> str | None:
    """`sealed` encrypted again under the key in use, or None when it already is; raises
    SecretUnreadable when no key in use or replaced can read it."""
    from cryptography.fernet import InvalidToken, MultiFernet

    keys = _keys()
    try:
        keys[0].decrypt(sealed.encode())
        return None
    except InvalidToken:
        pass
    try:
        return MultiFernet(keys).rotate(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable from None


def rotate_key(db: Session) -> tuple[int, int]:
    """Encrypt every stored secret again under the key in use: (how many were, how many
    accounts' secrets neither key can read). A set-up in progress that cannot be read is
    not counted: its page offers a new secret anyway (pending_secret). Each row is changed
    only if it still holds what was read, so two hosts running this at once, or a person
    finishing a set-up meanwhile, lose nothing."""
    moved = unreadable = 0
    for model, column in ((User, User.mfa_secret), (StaffSession, StaffSession.pending_mfa_secret)):
        rows = db.execute(select(model.id, column).where(column.is_not(None))).all()
        for row_id, sealed in rows:
            try:
                fresh = resealed(str(sealed))
            except SecretUnreadable:
                unreadable += model is User
                continue
            if fresh is not None:
                moved += rows_changed(
                    db.execute(
                        update(model)
                        .where(model.id == row_id, column == sealed)
                        .values({column.key: fresh})
                        .execution_options(synchronize_session=False)
                    )
                )
    return moved, unreadable


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


ENROLMENT_COLUMNS = (
    "mfa_secret",
    "mfa_enrolled_at",
    "mfa_last_step",
    "mfa_enrolled_code_by",
    "setup_code_required",
    "setup_code_hash",
    "setup_code_until",
    "setup_code_by",
)


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
            .values(
                mfa_secret=row.pending_mfa_secret,
                mfa_enrolled_at=utcnow(),
                mfa_last_step=step,
                # The set-up code is used up; any later set-up needs a new one.
                mfa_enrolled_code_by=case((User.setup_code_required, User.setup_code_by)),
                setup_code_required=True,
                setup_code_hash=None,
                setup_code_until=None,
                setup_code_by=None,
            )
            .execution_options(synchronize_session=False)
        )
    )
    db.expire(user, [*ENROLMENT_COLUMNS])
    if done != 1:
        return "already"
    row.pending_mfa_secret = None
    db.flush()  # before the caller ends this session row with a DELETE
    return "ok"


def issue_setup_code(user: User, by: str, lifetime: timedelta) -> str:
    """A one-time code, in place of any earlier one, without which the account cannot set up
    an authenticator app: the admin who made or reset the account (`by`) hands it over
    along with, or apart from, the password. Only its digest is kept."""
    code = _new_code()
    user.setup_code_required = True
    user.setup_code_hash = recovery_digest(code)
    user.setup_code_until = utcnow() + lifetime
    user.setup_code_by = by
    return code


def check_setup_code(user: User, typed: str) -> str:
    """ "ok", "bad_setup_code" or "setup_code_expired". The code is used up only when the
    set-up it allows is finished (finish_setup)."""
    if user.setup_code_hash is None or not secrets.compare_digest(
        user.setup_code_hash, recovery_digest(typed)
    ):
        return "bad_setup_code"
    if user.setup_code_until is None or user.setup_code_until <= utcnow():
        return "setup_code_expired"
    return "ok"


def forget(db: Session, user: User) -> None:
    """Remove the account's authenticator and recovery codes: it is set up again at the
    next sign-in. The caller ends the account's sessions."""
    user.mfa_secret = user.mfa_enrolled_at = user.mfa_last_step = user.mfa_enrolled_code_by = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- recovery codes ----------------------------------------------------------------------


def normalise_recovery_code(typed: str) -> str:
    """Lower case, without spaces or dashes; i and l read as 1, o as 0 (Crockford)."""
    return codes.normalise(typed).lower()


def _new_code() -> str:
    """80 random bits, as a person reads them, in lower case: abcd-efgh-jkmn-pqrs."""
    return codes.new_code(RECOVERY_LENGTH).lower()


def recovery_digest(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Ten new codes in place of any the account had, as shown to the person (abcd-efgh-
    jkmn-pqrs); only their digests are kept."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
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
