"""Typed SQLAlchemy 2.0 models. Models never commit: the request does."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from questionnaire.core import codes
from rules import TIERS


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


def new_id() -> str:
    return secrets.token_hex(16)  # 128 random bits, never sequential


# A tier's rank is its place in rules.TIERS (the most urgent first), so the list can order
# by it; a submission with no red flag ranks after every tier. Ranks are stored
# (submission.tier_rank): a new tier needs a migration that moves them, and a test pins them.
TIER_RANKS = {tier: rank for rank, tier in enumerate(TIERS)}
NO_FLAG_RANK = len(TIERS)


def new_reference() -> str:
    """A submission's reference, easy to read out on the phone: XXXX-XXXX."""
    return codes.new_code(8)


class Draft(Base):
    """Answers in progress, keyed by a hash of the token in the patient's session cookie."""

    __tablename__ = "draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    completed: Mapped[list[str]] = mapped_column(default=list)
    # Ids of the urgent red flags whose advice the patient read and chose to carry on past
    # (drafts.carry_on). Kept with the draft, not in the cookie, which is signed but readable.
    carried_on: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    consent_version: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime]
    submit_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # SHA-256 of the resume code that lets another device take over this draft (resume.py),
    # None until the patient saves to carry on later and again once the code is used.
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class RateCount(Base):
    """Hits on one key of one rate limit in its current window (questionnaire.core.limits):
    counted here so that every worker and host shares the count. A key is an HMAC of a
    client's network, or a name such as "*" for everyone at once; never an address."""

    __tablename__ = "rate_count"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime]
    count: Mapped[int] = mapped_column(default=0)


# The submission columns the clinicians' list filters on with an equality, beside
# review_status and tier_rank, which have their own indexes.
FILTER_COLUMNS = ("booking", "osteoarthritis", "tendinopathy", "ligament", "neuropathic")


class Submission(Base):
    __tablename__ = "submission"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(9), unique=True, default=new_reference)
    submit_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    bank_version: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]]
    screening: Mapped[dict[str, Any]]
    booking: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(16))
    # The tier as a number (0 emergency, 1 urgent, 2 gp_soon, 3 none), so "red flags first"
    # is read in index order instead of sorting every row on a CASE expression.
    tier_rank: Mapped[int] = mapped_column(SmallInteger, default=NO_FLAG_RANK)
    osteoarthritis: Mapped[str] = mapped_column(String(10))
    tendinopathy: Mapped[str] = mapped_column(String(10))
    ligament: Mapped[str] = mapped_column(String(10))
    neuropathic: Mapped[str] = mapped_column(String(10))
    consent_version: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime]
    review_status: Mapped[str] = mapped_column(String(16), default="new")
    # The LANGUAGES code the patient read the check in; the answers are codes whatever it was.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # The screening's red flag and caution ids joined with ; ("" for none), as the CSV export
    # writes them: it reads these instead of decoding every screening (submissions.py fills
    # them at submit, migration e5a8c2d4f7b9 for earlier rows).
    red_flags: Mapped[str] = mapped_column(Text, default="", server_default="")
    cautions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When the patient's browser forgot this result ("Start again"): from then on no cookie
    # opens it on the patient side, a copy of the old one included. Staff still see it.
    result_forgotten_at: Mapped[datetime | None]
    # The contact log's latest outcome and how many attempts it holds (ContactAttempt rows,
    # contact_log.record keeps these two in step): the worklist reads them from the row
    # instead of the log. None: nobody has tried to reach the patient yet.
    contact_outcome: Mapped[str | None] = mapped_column(String(16))
    contact_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Whether a call-back request goes with it (a trigger on callback_request sets it,
    # migration 55b9adac9a35): the worklist's call-backs are then one range of
    # ix_submission_callback_worklist, where a join to callback_request made PostgreSQL
    # hash the whole submission table.
    has_callback: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    callback: Mapped[CallbackRequest | None] = relationship(
        back_populates="submission", cascade="all, delete-orphan", uselist=False
    )

    notes: Mapped[list[ReviewNote]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewNote.created_at"
    )

    rescreenings: Mapped[list[Rescreening]] = relationship(
        cascade="all, delete-orphan", order_by="Rescreening.created_at", passive_deletes=True
    )

    contacts: Mapped[list[ContactAttempt]] = relationship(
        cascade="all, delete-orphan", order_by="ContactAttempt.id", passive_deletes=True
    )

    __table_args__ = (
        Index("ix_submission_tier_created", "tier", "created_at"),
        Index("ix_submission_rank_created", "tier_rank", text("created_at DESC")),
        Index(
            "ix_submission_status_rank_created",
            "review_status",
            "tier_rank",
            text("created_at DESC"),
        ),
        # The dashboard (questionnaire/staff/dashboard/statistics.py) reads these instead of
        # the rows, whose JSON makes each of them several pages: a period's outcomes from one
        # index range, and the ids of submissions not yet reviewed, for the call-backs waiting
        # on them.
        Index(
            "ix_submission_created_outcomes",
            "created_at",
            "booking",
            "tier_rank",
            "osteoarthritis",
            "tendinopathy",
            "ligament",
            "neuropathic",
        ),
        Index("ix_submission_status_id", "review_status", "id"),
        # The worklist (questionnaire/staff/submissions/worklist.py): its red flags and
        # follow-ups in order, oldest first, with what decides whether they are still open,
        # from the index alone; and its call-backs the same way. Only the page's few rows
        # are then read from the table.
        Index(
            "ix_submission_worklist",
            "review_status",
            "tier_rank",
            "created_at",
            "id",
            "contact_outcome",
            "has_callback",
        ),
        # The list's call-back filter, red flags first (newest first reads the index below).
        Index(
            "ix_submission_callback_rank_created",
            "has_callback",
            "tier_rank",
            text("created_at DESC"),
            "id",
        ),
        Index(
            "ix_submission_callback_worklist",
            "has_callback",
            "created_at",
            "id",
            "review_status",
            "tier_rank",
            "contact_outcome",
        ),
        # The list's filters: each filter column in both of the list's orders, so a page is
        # an index range read in order and its count is counted in the index
        # (docs/performance.md).
        Index("ix_submission_status_created", "review_status", text("created_at DESC"), "id"),
        *(
            Index(f"ix_submission_{name}_created", name, text("created_at DESC"), "id")
            for name in FILTER_COLUMNS
        ),
        *(
            Index(
                f"ix_submission_{name}_rank_created",
                name,
                "tier_rank",
                text("created_at DESC"),
                "id",
            )
            for name in FILTER_COLUMNS
        ),
    )


class Rescreening(Base):
    """A submission's answers screened again under later rules, kept beside the original:
    the submission's own columns stay what the patient saw. Rows are only ever added."""

    __tablename__ = "rescreening"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    bank_version: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[str] = mapped_column(String(16))
    screening: Mapped[dict[str, Any]]
    booking: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(16))
    osteoarthritis: Mapped[str] = mapped_column(String(10))
    tendinopathy: Mapped[str] = mapped_column(String(10))
    ligament: Mapped[str] = mapped_column(String(10))
    neuropathic: Mapped[str] = mapped_column(String(10))
    # What differs from the original, worked out once when stored, so the list's "changed
    # under the current rules" filter is a plain WHERE and the page need not compare again.
    booking_changed: Mapped[bool] = mapped_column(default=False)
    tier_changed: Mapped[bool] = mapped_column(default=False)
    changed_levels: Mapped[list[str]] = mapped_column(default=list)
    changed: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        # One re-screening per submission and versions: what makes the command idempotent.
        UniqueConstraint(
            "submission_id", "rules_version", "bank_version", name="uq_rescreening_versions"
        ),
        Index("ix_rescreening_versions_changed", "rules_version", "bank_version", "changed"),
    )


class CallbackRequest(Base):
    __tablename__ = "callback_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    best_time: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="callback")


ROLES = ("clinician", "staff", "admin")


class User(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The authenticator app's secret, encrypted (mfa.seal): a copy of the database alone
    # does not give it away. Set with mfa_enrolled_at once a code from the app has matched.
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_enrolled_at: Mapped[datetime | None]
    # The time step of the last code accepted: a code of that step or an earlier one is
    # refused, so a code seen over someone's shoulder cannot be used again.
    mfa_last_step: Mapped[int | None]
    # A temporary password (an admin's new account or reset) works until this time, and only
    # for one sign-in: that sign-in sets it to the moment it was used. None: it never works.
    temporary_password_until: Mapped[datetime | None]
    # Setting up an authenticator app takes a one-time set-up code an admin hands over (its
    # SHA-256: 80 random bits, as a recovery code), so a password alone cannot enrol a
    # stranger's phone. False only for an account made with `flask create-user` by someone
    # at the host, before its first set-up.
    setup_code_required: Mapped[bool] = mapped_column(default=True, server_default=true())
    setup_code_hash: Mapped[str | None] = mapped_column(String(64))
    setup_code_until: Mapped[datetime | None]
    setup_code_by: Mapped[str | None] = mapped_column(String(254))  # who handed it over
    # Who handed over the set-up code the current app was set up with; None if none was
    # needed. Shown on the accounts page with mfa_enrolled_at.
    mfa_enrolled_code_by: Mapped[str | None] = mapped_column(String(254))
    # Pauses grow with each run of failures that ends in one (lockout.PAUSES): the run's
    # number, and when its pause began; a week without a pause starts again at the first.
    lock_level: Mapped[int] = mapped_column(default=0, server_default="0")
    lock_level_at: Mapped[datetime | None]
    # Digests of the device cookies this person has signed in from (lockout.NOTE_DEVICES):
    # a sign-in from another device after a pause is told to them by email.
    known_devices: Mapped[list[str]] = mapped_column(default=list, server_default="[]")

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def has_authenticator(self) -> bool:
        return self.mfa_enrolled_at is not None


class StaffSession(Base):
    """A signed-in staff session. The cookie holds a random token and this table its hash,
    so signing out, disabling an account or changing a password ends a session for good,
    even for a copy of the cookie."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None while only the password has been given: such a session reaches the code page
    # (or, before an authenticator is set up, the set-up page) and nothing else.
    mfa_passed_at: Mapped[datetime | None]
    # When this session last gave a current code from the app (at sign-in or a step-up):
    # actions that widen access ask again once it is STEP_UP_MINUTES old.
    code_at: Mapped[datetime | None]
    # The secret offered on the set-up page, encrypted, until a code from it matches. Kept
    # per session, not per account, so whoever saw an unfinished set-up cannot use its
    # secret once the person finishes it in another session.
    pending_mfa_secret: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """One unused recovery code, as its SHA-256 (mfa.recovery_digest): a code is deleted
    when it is used."""

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "code_hash", name="uq_mfa_recovery_code_user_hash"),
    )


class ReviewNote(Base):
    """A clinician's review of a submission. Notes are only ever added, never edited."""

    __tablename__ = "review_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    author_email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactAttempt(Base):
    """One try at reaching the patient about a call-back request or a red flag, and how it
    ended (words.CONTACT_WORDS). Only ever added, like review notes."""

    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    author_email: Mapped[str] = mapped_column(String(254))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeptText(Base):
    """What a clinician typed into a review or contact form and posted after their session
    had ended (questionnaire/staff/submissions/kept.py): kept for a short time, for that
    person alone, and offered back on the same page once they have signed in again. The key
    is the SHA-256 of a random token held only in that browser's cookie."""

    __tablename__ = "kept_text"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    form: Mapped[str] = mapped_column(String(16))  # "review" or "contact"
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


API_SCOPES = ("definitions", "responses", "responses-with-contacts")


class ApiToken(Base):
    """A named system's bearer token for the read-only FHIR API. Only the token's SHA-256 is
    kept: the token itself is shown once, when made. Its requests are counted in rate_count
    (tokens.use)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    scope: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(254))
    # The admin who made it (None: made with the `flask` command): the token works only
    # while they are an active admin (tokens.use), so it cannot outlive their access.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


# The FHIR API pages submissions in (created_at, id) order from where the last page ended:
# this index makes each page one range scan, however deep into the table it is.
Index("ix_submission_created_id", Submission.created_at, Submission.id)


class PurgedSubmission(Base):
    """The id of a submission deleted at retention, and nothing else: the FHIR API answers
    410 Gone for it rather than 404, so a record system knows to let its copy go."""

    __tablename__ = "purged_submission"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    purged_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasedSubmission(Base):
    """A submission erased at the patient's request (UK GDPR article 17), and only what says
    so: no answers, no outcome, no contact details. The FHIR API answers 410 Gone for its id;
    staff looking up its reference are told it was erased, when and by whom. The reason is
    in the audit log (submission_erased)."""

    __tablename__ = "erased_submission"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(9), index=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_by: Mapped[str] = mapped_column(String(254))


class AuditEvent(Base):
    """Who did what to which record, when. Never answers, contact details or passwords."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)  # no foreign key: outlives users
    user_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Alert(Base):
    """One email to one address about one event (questionnaire.staff.alerts.outbox): written in the
    transaction that stores the event, sent after it commits. One row per recipient, so
    an address the mail server refuses fails alone."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # callback, red_flag, submission, digest
    recipient: Mapped[str] = mapped_column(String(254))
    # The facts the message is written from at sending time, never answers or contact
    # details: the submission's id (for the link), its reference code and red-flag tier,
    # and for a digest its counts.
    submission_id: Mapped[str | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str | None] = mapped_column(String(9))
    tier: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What makes `send-digest` once a day: "digest:<day>:<address>".
    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(255))
    # Which sender holds the row, since when: a claim older than alerts.CLAIM_TIMEOUT was
    # left by a sender that died, and is taken over.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_alert_outbox_due", "status", "next_attempt_at"),)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(ReviewNote, "before_update")
@event.listens_for(Rescreening, "before_update")
@event.listens_for(ContactAttempt, "before_update")
def _append_only(_mapper: Any, _conn: Any, target: Any) -> None:
    """A plain error before any SQL is sent. The database refuses too, whoever asks: its
    triggers (migrations b8d1c0a7e5f1, 9b3e1f7a2c64 for re-screenings and 55b9adac9a35 for
    contact attempts) also let a note, a re-screening or an attempt go only with its
    submission."""
    raise PermissionError(f"{type(target).__name__} rows are append-only")
