"""The public side: start, consent, one page per section, review, submit, result."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from questionnaire.core import clinic_time, i18n, redirects
from questionnaire.core.db import engine as db_engine
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import BEST_TIMES, CallbackForm, GuardianCallbackForm
from questionnaire.core.models import Draft, Submission
from questionnaire.patient import (
    drafts,
    phones,
    resume,
    sent_results,
    step_pages,
    submissions,
    young,
)
from questionnaire.patient import result_text as patient_text
from questionnaire.patient.sent_results import lifetime
from rules import SECTION_BY_ID, evaluate

bp = Blueprint("patient", __name__)
# On every page (the footer is in base.html), staff pages too.
bp.add_app_template_filter(phones.tel, "tel")
bp.record_once(lambda state: state.app.jinja_env.globals.update(nhs_111=phones.NHS_111))

DRAFT_KEY = "draft"
# The resume code this browser was last shown, so that its page shows the same code again on
# a refresh, Back or a second tab. It unlocks nothing the draft's own cookie token does not,
# and is shown only while it is the draft's current code (resume.opens).
CODE_KEY = "resume_code"


@bp.before_request
def _end_with_the_browser() -> None:
    # The patient's cookie is a browser-session cookie, so a shared device forgets it when
    # the browser closes. One set while patient cookies lived 31 days loses its expiry here.
    if session.permanent:
        session.permanent = False


def _draft_or_restart() -> Draft | Response:
    draft = drafts.load(db_session(), session.get(DRAFT_KEY))
    if draft is None:
        if session.pop(DRAFT_KEY, None):
            db_session().commit()  # an expired draft was deleted
            flash(
                gettext(
                    "Your earlier answers have expired or moved to another device, so please"
                    " start again."
                ),
                "info",
            )
        return redirect(url_for("patient.start"))
    return draft


def _go_to(step_or_review: str) -> Response:
    if step_or_review == drafts.REVIEW:
        return redirect(url_for("patient.review"))
    return redirect(url_for("patient.step", step_id=step_or_review))


def _continue(draft: Draft) -> Response:
    return _go_to(drafts.first_open_step(draft))


@bp.get("/")
def start() -> str:
    has_draft = bool(session.get(DRAFT_KEY))
    sent = sent_results.sent_results()
    return render_template(
        "patient/start.html",
        has_draft=has_draft,
        last_result=sent[-1].submission_id if sent else None,
    )


@bp.get("/about")
def about() -> str:
    return render_template("patient/about.html")


@bp.route("/consent", methods=["GET", "POST"])
def consent() -> str | Response | tuple[str, int]:
    existing = drafts.load(db_session(), session.get(DRAFT_KEY))
    if existing is not None:  # consent already given: carry on where they stopped
        return _continue(existing)
    error = None
    if request.method == "POST":
        if request.form.get("consent") == "yes":
            token, _ = drafts.start(db_session(), lifetime())
            db_session().commit()
            session[DRAFT_KEY] = token
            return redirect(url_for("patient.step", step_id=drafts.STEP_IDS[0]))
        error = gettext("Tick the box to say you understand, so that you can start")
    return render_template("patient/consent.html", error=error), (400 if error else 200)


@bp.route("/step/<step_id>", methods=["GET", "POST"])
def step(step_id: str) -> str | Response | tuple[str, int]:
    section = SECTION_BY_ID.get(step_id)
    if section is None:
        abort(404)
    # Read, and saved below, without a Session (drafts.peek); a draft expired or gone takes
    # the usual way back to the start.
    draft = drafts.peek(db_engine(), session.get(DRAFT_KEY)) or _draft_or_restart()
    if not isinstance(draft, Draft):
        return draft
    if not drafts.may_open(draft, step_id):
        return _continue(draft)
    back_to_review = request.values.get("from") == "review"
    if request.method == "GET":
        if emergency := _emergency_first(draft, step_id):
            return emergency
        return step_pages.render(section, draft, back_to_review), 200
    form = step_pages.form_class(section, draft.answers, i18n.language())(request.form)
    if not form.validate():
        return step_pages.render(section, draft, back_to_review, form), 400
    # The draft as read is only written if nothing saved it meanwhile (another tab, a double
    # click); if something did, this step is applied again to what that saved, with the
    # draft's row held from the read to the write.
    read_at = draft.updated_at
    screening = drafts.save_step(draft, section, form.answers(), lifetime())
    if not drafts.store(db_engine(), draft, read_at):
        token = session.get(DRAFT_KEY)
        saved = drafts.save_step_held(db_engine(), token, section, form.answers(), lifetime())
        if saved is None:  # gone or moved meanwhile: the usual way back
            gone = _draft_or_restart()
            return _continue(gone) if isinstance(gone, Draft) else gone
        draft, screening = saved
    if drafts.interrupts(draft, drafts.flags_to_advise(screening)):
        return redirect(_advice_url(step_id, back_to_review))
    if request.form.get("action") == "save":  # "Save and continue later", once advice is given
        return _save_for_later(db_session().get_one(Draft, draft.id))
    return _go_to(drafts.next_step(draft, step_id, back_to_review=back_to_review))


def _emergency_first(draft: Draft, step_id: str) -> Response | None:
    """While an emergency flag stands nothing new is asked: a step not yet answered (reached
    from the start page's link back to the draft, say) gives way to the advice that follows
    the step before it. Steps already answered stay open, so any answer can be changed."""
    if step_id in draft.completed or step_id == drafts.STEP_IDS[0]:
        return None
    if not any(f.tier == "emergency" for f in drafts.flags_to_advise(evaluate(draft.answers))):
        return None
    previous = drafts.STEP_IDS[drafts.STEP_IDS.index(step_id) - 1]
    return redirect(url_for("patient.advice", step_id=previous))


def _advice_url(step_id: str, back_to_review: bool) -> str:
    extra: dict[str, Any] = {"from": "review"} if back_to_review else {}
    return url_for("patient.advice", step_id=step_id, **extra)


@bp.route("/step/<step_id>/advice", methods=["GET", "POST"])
def advice(step_id: str) -> str | Response:
    """Emergency or urgent red-flag advice, given as soon as the answers saved on this step
    raise it, before anything else is asked. From here the patient sends what they have
    (the review's submit form), changes an answer, or, for urgent advice alone, carries on
    (this view's POST). With no such flag standing, e.g. after a changed answer, it is the
    way on to the next step; Back and refresh show it again while a flag stands."""
    if step_id not in SECTION_BY_ID:
        abort(404)
    draft = _draft_or_restart()
    if not isinstance(draft, Draft):
        return draft
    if not drafts.may_open(draft, step_id):
        return _continue(draft)
    back_to_review = request.values.get("from") == "review"
    flags = drafts.flags_to_advise(evaluate(draft.answers))
    if request.method == "POST" and drafts.carry_on(draft, flags):
        db_session().commit()
        flags = []
    if not flags:
        return _go_to(drafts.next_step(draft, step_id, back_to_review=back_to_review))
    return render_template(
        "patient/advice.html",
        flags=flags,
        tier=flags[0].tier,
        step_id=step_id,
        back_to_review=back_to_review,
        submit_token=draft.submit_token,
        patient_text=patient_text,
    )


@bp.get("/review")
def review() -> str | Response:
    draft = _draft_or_restart()
    if not isinstance(draft, Draft):
        return draft
    if not drafts.may_open(draft, drafts.REVIEW):
        return _continue(draft)
    # may_open(REVIEW) means every required question is answered: nothing to list here.
    return render_template(
        "patient/review.html",
        draft=draft,
        number=step_pages.TOTAL_STEPS,
        total=step_pages.TOTAL_STEPS,
        previous=drafts.STEP_IDS[-1],
    )


@bp.post("/submit")
def submit() -> Response:
    """Store the draft once, however often its form is sent, and show the result only to the
    browser that sent it: the submit token in the form is a bearer of nothing by itself."""
    form_token = request.form.get("submit_token", "")
    replayed = sent_results.sent_from_this_browser(form_token)
    if replayed is not None:  # sent again later (Back, resend): a newer draft, if any, stays
        return redirect(url_for("patient.result", submission_id=replayed.id))
    draft_token = session.get(DRAFT_KEY, "")
    key = submissions.submit_key(draft_token, form_token)
    db = db_session()
    # A double click: the second request still carries the draft's cookie token.
    done = submissions.by_submit_key(db, key) if draft_token and form_token else None
    if done is None:
        draft = drafts.load(db, draft_token)
        if draft is None or draft.submit_token != form_token:
            flash(
                gettext(
                    "That form was out of date. Please check your answers and send them again."
                ),
                "info",
            )
            return redirect(url_for("patient.review" if draft else "patient.start"))
        try:
            done = submissions.create(db, draft, key, i18n.language())
            db.commit()
        except submissions.NotReady:
            db.rollback()
            return redirect(url_for("patient.step", step_id=drafts.first_open_step(draft)))
        except IntegrityError:
            # A double click: the other request stored it first. Show the same result.
            db.rollback()
            done = submissions.by_submit_key(db, key)
            if done is None:
                raise
    session.pop(DRAFT_KEY, None)
    session.pop(CODE_KEY, None)
    sent_results.remember(done, form_token)
    return redirect(url_for("patient.result", submission_id=done.id))


@bp.get("/result/<submission_id>")
def result(submission_id: str) -> str:
    submission = sent_results.own_submission(submission_id)
    return _render_result(submission, _callback_form(submission)())


@bp.get("/result/<submission_id>/copy")
def result_copy(submission_id: str) -> str:
    """The result with the answers in words, laid out to print or keep: a plain link, so it
    needs no JavaScript; only the browser that may show the result may show this."""
    submission = sent_results.own_submission(submission_id)
    return _render_result(submission, _callback_form(submission)(), "print")


def _callback_form(submission: Submission) -> type[CallbackForm]:
    if young.needs_guardian(submission.answers):
        return GuardianCallbackForm
    return CallbackForm


def _render_result(submission: Submission, form: CallbackForm, page: str = "result") -> str:
    return render_template(
        f"patient/{page}.html",
        s=submission,
        screening=submission.screening,
        form=form,
        patient_text=patient_text,
        best_times=BEST_TIMES,
        offers_call_back=submissions.offers_call_back(submission),
        young=young.is_young(submission.answers),
        for_guardian=young.needs_guardian(submission.answers),
        call_by=_call_by(submission),
    )


def _call_by(submission: Submission) -> date | None:
    """The clinic's day by whose end a call-back is due: its target in opening hours after
    the request (WORKLIST_CALLBACK_OPEN_HOURS, the worklist's own), so the patient is told
    the day the clinic holds itself to."""
    if submission.callback is None:
        return None
    config = current_app.config
    tz = config["CLINIC_TIMEZONE"]
    due = clinic_time.opening_hours_after(
        submission.callback.created_at,
        config["WORKLIST_CALLBACK_OPEN_HOURS"],
        config["CLINIC_OPENING_HOURS"],
        tz,
    )
    return clinic_time.today(due, tz)


@bp.post("/result/<submission_id>/call-back")
def call_back(submission_id: str) -> str | Response | tuple[str, int]:
    submission = sent_results.own_submission(submission_id)
    if not submissions.offers_call_back(submission):
        abort(404)
    if submission.callback is not None:
        return redirect(url_for("patient.result", submission_id=submission.id) + "#call-back")
    form = _callback_form(submission)(request.form)
    if not form.validate():
        return _render_result(submission, form), 400
    try:
        submissions.add_callback(db_session(), submission, form.data)
        db_session().commit()
    except IntegrityError:
        # Two posts at once (a double tap, two tabs): the first one's request stands, and
        # this one is shown it, as a post after it would be.
        db_session().rollback()
        return redirect(url_for("patient.result", submission_id=submission.id) + "#call-back")
    flash(gettext("Thank you. The clinic will phone you."), "success")
    return redirect(url_for("patient.result", submission_id=submission.id) + "#call-back")


@bp.get("/start-again")
def confirm_start_again() -> str:
    """Ask first: what will be cleared from this device, and what the clinic keeps."""
    # Only a path on this site: never a way to send the patient elsewhere.
    back = redirects.same_site(request.args.get("back")) or url_for("patient.start")
    return render_template(
        "patient/start_again.html",
        has_draft=bool(session.get(DRAFT_KEY)),
        references=sent_results.references(db_session()),
        back=back,
    )


@bp.post("/start-again")
def start_again() -> Response:
    """Forget this browser's draft and the results it remembers: on a shared device, the
    next person must find nothing of the last one's, even with a copy of this cookie."""
    db = db_session()
    drafts.discard(db, session.pop(DRAFT_KEY, None))
    session.pop(CODE_KEY, None)
    had_results = sent_results.forget(db)
    db.commit()
    message = gettext("Your answers have been cleared from this device.")
    if had_results:
        message += " " + gettext(
            "The clinic keeps the answers you sent, so its clinicians can review them."
        )
    flash(message, "info")
    return redirect(url_for("patient.start"))


def _save_for_later(draft: Draft) -> Response:
    """Keep the code this browser was given (a code written down keeps working), or make the
    first one, and show it on a page of its own (POST, redirect, GET)."""
    session[CODE_KEY] = resume.keep_or_issue(draft, session.get(CODE_KEY))
    db_session().commit()
    return redirect(url_for("patient.saved"))


@bp.get("/saved")
def saved() -> str:
    """The resume code for this browser's draft: the same code on every visit while it works.
    No draft here (sent, cleared, expired or moved to another device), or no code for it yet,
    each has its own clear words; this page never makes a code, its button does."""
    db = db_session()
    draft = drafts.load(db, session.get(DRAFT_KEY))
    db.commit()  # an expired draft was deleted
    code = session.get(CODE_KEY)
    if draft is None or not resume.opens(draft, code):
        return render_template("patient/saved.html", draft=draft, code=None)
    return render_template(
        "patient/saved.html",
        draft=draft,
        code=code,
        expires_at=draft.expires_at,
        step=_open_step(draft),
    )


@bp.post("/saved/new-code")
def new_code() -> Response:
    """A new code in place of the old one, which stops working: for a code seen by someone
    else, or lost."""
    draft = _draft_or_restart()
    if not isinstance(draft, Draft):
        return draft
    had_one = draft.resume_hash is not None
    session[CODE_KEY] = resume.issue(draft)
    db_session().commit()
    if had_one:
        flash(gettext("Here is your new code. The old code no longer works."), "success")
    return redirect(url_for("patient.saved"))


def _open_step(draft: Draft) -> str:
    step_id = drafts.first_open_step(draft)
    if step_id == drafts.REVIEW:
        return url_for("patient.review")
    return url_for("patient.step", step_id=step_id)


@bp.route("/resume", methods=["GET", "POST"])
def resume_draft() -> str | Response | tuple[str, int]:
    """Carry on with a draft saved on another device: the code moves it to this browser. A
    wrong, expired or used code gets one answer; too many tries get another (no code is
    checked then), and either keeps what was typed in the box."""
    has_draft = bool(session.get(DRAFT_KEY))
    if request.method == "GET":
        resume.report_finished_windows(db_session())
        db_session().commit()
        return render_template("patient/resume.html", has_draft=has_draft, typed="", error=None)
    db = db_session()
    typed = request.form.get("code", "")[:100]
    client = resume.client_key(request, current_app.config["SECRET_KEY"])
    allowance = resume.attempt(db, client)
    if not allowance.allowed:
        db.commit()
        minutes = -(-allowance.retry_after // 60)
        error = ngettext(
            "Too many codes have been tried. Wait %(num)s minute, then try again",
            "Too many codes have been tried. Wait %(num)s minutes, then try again",
            minutes,
        )
        return _resume_refused(has_draft, typed, error, 429)
    token = resume.take_over(db, typed)
    if token is None:
        resume.failed(db, client)
        db.commit()
        error = gettext(
            "That code does not match answers we are keeping. Check it, or start again: codes"
            " stop working once used, or when the answers expire"
        )
        return _resume_refused(has_draft, typed, error, 400)
    # This browser's own answers in progress, if any, give way to the ones carried over.
    drafts.discard(db, session.get(DRAFT_KEY))
    db.commit()
    session[DRAFT_KEY] = token
    session.pop(CODE_KEY, None)
    draft = _draft_or_restart()
    if not isinstance(draft, Draft):
        return draft
    flash(gettext("Welcome back. Your answers are here: carry on where you stopped."), "success")
    return _continue(draft)


def _resume_refused(has_draft: bool, typed: str, error: str, status: int) -> tuple[str, int]:
    page = render_template("patient/resume.html", has_draft=has_draft, typed=typed, error=error)
    return page, status
