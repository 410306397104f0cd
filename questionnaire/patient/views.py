"""The public side: start, consent, one page per section, review, submit, result."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from typing import Any, NamedTuple, TypeVar

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
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from questionnaire.core import fragments, i18n
from questionnaire.core.db import engine as db_engine
from questionnaire.core.db import session as db_session
from questionnaire.core.forms import BEST_TIMES, NONE_OF_THESE, CallbackForm, StepForm, step_form
from questionnaire.core.models import Draft, Submission, utcnow
from questionnaire.patient import drafts, resume, submissions
from questionnaire.patient import result_text as patient_text
from rules import SECTION_BY_ID, SECTIONS, Question, Section, evaluate

bp = Blueprint("patient", __name__)

DRAFT_KEY = "draft"
RESULTS_KEY = "results"
TOTAL_STEPS = len(SECTIONS) + 1  # the sections, then the review
# What step pages keep between requests, per app (_kept): each page's fixed part, each
# question's markup for an answer, the form class for each set of questions shown.
STEP_PAGES = "patient.step_pages"
STEP_QUESTIONS = "patient.step_questions"
STEP_FORMS = "patient.step_forms"
MAX_KEPT = 4096
T = TypeVar("T")


class Sent(NamedTuple):
    """A result this browser may show, when it was sent (seconds since the epoch), and a
    digest of the submit token of the form that sent it, so that a replay of that form from
    this browser finds it again once the draft and its cookie token are gone."""

    submission_id: str
    sent_at: int
    form_digest: str


def _lifetime() -> timedelta:
    """How long a draft lives, and how long this browser may show a result once sent."""
    return timedelta(hours=current_app.config["DRAFT_LIFETIME_HOURS"])


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


def _sent_results() -> list[Sent]:
    """The results this browser remembers, oldest first, less those past their lifetime. An
    entry of another shape was written by an earlier version (a bare id, with no time): it is
    forgotten too."""
    cutoff = utcnow().timestamp() - _lifetime().total_seconds()
    return [
        Sent(*entry)
        for entry in session.get(RESULTS_KEY, [])
        if isinstance(entry, list) and len(entry) == len(Sent._fields) and entry[1] > cutoff
    ]


def _form_digest(form_token: str) -> str:
    # Half a SHA-256 is plenty to tell apart the few forms one browser has sent.
    return hashlib.sha256(form_token.encode()).hexdigest()[:32]


def _remember_result(submission: Submission, form_token: str) -> None:
    kept = [s for s in _sent_results() if s.submission_id != submission.id]
    sent = Sent(submission.id, int(submission.created_at.timestamp()), _form_digest(form_token))
    session[RESULTS_KEY] = [list(s) for s in [*kept[-4:], sent]]


def _sent_from_this_browser(form_token: str) -> Submission | None:
    """The submission already made with this form, when this browser remembers sending it."""
    digest = _form_digest(form_token)
    for sent in _sent_results():
        if sent.form_digest == digest:
            return db_session().get(Submission, sent.submission_id)
    return None


@bp.get("/")
def start() -> str:
    has_draft = bool(session.get(DRAFT_KEY))
    sent = _sent_results()
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
            token, _ = drafts.start(db_session(), _lifetime())
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
        return _render_step(section, draft, back_to_review), 200
    form = _form_class(section, draft.answers, i18n.language())(request.form)
    if not form.validate():
        return _render_step(section, draft, back_to_review, form), 400
    # The draft as read is only written if nothing saved it meanwhile (another tab, a double
    # click); if something did, this step is applied again to what that saved, with the
    # draft's row held from the read to the write.
    read_at = draft.updated_at
    screening = drafts.save_step(draft, section, form.answers(), _lifetime())
    if not drafts.store(db_engine(), draft, read_at):
        token = session.get(DRAFT_KEY)
        saved = drafts.save_step_held(db_engine(), token, section, form.answers(), _lifetime())
        if saved is None:  # gone or moved meanwhile: the usual way back
            gone = _draft_or_restart()
            return _continue(gone) if isinstance(gone, Draft) else gone
        draft, screening = saved
    if drafts.interrupts(draft, drafts.flags_to_advise(screening)):
        return redirect(_advice_url(step_id, back_to_review))
    if request.form.get("action") == "save":  # "Save and continue later", once advice is given
        return _saved(db_session().get_one(Draft, draft.id))
    return _go_to(drafts.next_step(draft, step_id, back_to_review=back_to_review))


def _form_class(section: Section, answers: dict[str, Any], language: str) -> type[StepForm]:
    """step_form's class, made once per app for each set of questions shown and language (its
    messages are in the page's language): making it was a tenth of a step page's time."""
    shown = tuple(q.id for q in section.questions if q.is_shown(answers))
    return _kept(STEP_FORMS, (section.id, shown, language), lambda: step_form(section, answers))


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


@cache
def _under_age(age: int) -> bool:
    """Whether the rules treat this age as a child's (their under_18 caution), asked of the
    rules once per age rather than repeating their limit here."""
    return any(c.id == "under_18" for c in evaluate({"age": age}).cautions)


def _render_step(
    section: Section, draft: Draft, back_to_review: bool, posted: StepForm | None = None
) -> str:
    """The step page with the draft's answers, or with a refused POST's answers and errors.
    The first is put together from parts kept from earlier pages where they match, and only
    the CSRF token is new: rendering the whole template was most of a step page's time."""
    number = drafts.STEP_IDS.index(section.id) + 1
    age = draft.answers.get("age")
    young = section.id != "about" and isinstance(age, int) and _under_age(age)
    context: dict[str, Any] = {
        "section": section,
        "number": number,
        "total": TOTAL_STEPS,
        "previous": drafts.STEP_IDS[number - 2] if number > 1 else None,
        "back_to_review": back_to_review,
        "young": young,
    }
    if posted is not None:
        questions = Markup("".join(_question(q, posted[q.id]) for q in posted.questions))
        return render_template("patient/step.html", form=posted, questions=questions, **context)
    language = i18n.language()
    shown = [q for q in section.questions if q.is_shown(draft.answers)]
    data = _form_data(shown, draft.answers)
    # WTForms only for a part rendered afresh: the page's fixed part, or a question's markup.
    form = cache(lambda: _form_class(section, draft.answers, language)(data=data))
    questions = Markup("".join(_kept_question(q, data[q.id], form, language) for q in shown))
    key = _page_key(section, language, back_to_review, young)
    if key is None:
        return render_template("patient/step.html", form=form(), questions=questions, **context)

    def skeleton() -> fragments.Skeleton:
        whole = render_template(
            "patient/step.html",
            form=form(),
            questions=Markup(fragments.hole("questions")),
            csrf_token=lambda: fragments.hole("csrf"),
            **context,
        )
        return fragments.Skeleton.of(whole, ("questions", "csrf"))

    page = _kept(STEP_PAGES, key, skeleton)
    return page.fill(questions=questions, csrf=escape(generate_csrf()))


def _page_key(
    section: Section, language: str, back_to_review: bool, young: bool
) -> tuple[Any, ...] | None:
    """All that a step page's fixed part depends on, or None when the page must be rendered
    whole: a flashed message to show, or a query string other than the review's own (the
    language links carry it)."""
    if "_flashes" in session or request.query_string not in (b"", b"from=review"):
        return None
    return (section.id, language, back_to_review, young, request.script_root)


def _kept_question(q: Question, value: Any, form: Callable[[], StepForm], language: str) -> Markup:
    """A question's markup for the draft's answer, rendered the first time only."""
    # The answer's type as well: "1" and 1 may look alike to WTForms, not to the rules.
    answer = (type(value).__name__, tuple(value) if isinstance(value, list) else value)
    key = (q.id, language, request.script_root, answer)
    return _kept(STEP_QUESTIONS, key, lambda: _question(q, form()[q.id]))


def _question(q: Question, field: Any) -> Markup:
    # A template's macros are its module's attributes only at run time: typed Any.
    macros: Any = current_app.jinja_env.get_template("patient/_step_question.html").module
    return Markup(macros.step_question(q, field))


def _kept(name: str, key: Any, make: Callable[[], T]) -> T:
    """What the patient pages keep for this app under `key`, made the first time only (per
    app: its clinic's name is on every page)."""
    kept: dict[Any, T] = current_app.extensions.setdefault(name, {})
    value = kept.get(key)
    if value is None:
        if len(kept) >= MAX_KEPT:  # a bound that the bank's questions and answers never reach
            kept.clear()
        value = kept[key] = make()
    return value


def _form_data(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The draft's answers as the form expects them ("None of these" for an empty list)."""
    data: dict[str, Any] = {}
    for q in questions:
        value = answers.get(q.id)
        if q.kind == "multi" and value == []:
            value = [NONE_OF_THESE]
        data[q.id] = value
    return data


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
        number=TOTAL_STEPS,
        total=TOTAL_STEPS,
        previous=drafts.STEP_IDS[-1],
    )


@bp.post("/submit")
def submit() -> Response:
    """Store the draft once, however often its form is sent, and show the result only to the
    browser that sent it: the submit token in the form is a bearer of nothing by itself."""
    form_token = request.form.get("submit_token", "")
    replayed = _sent_from_this_browser(form_token)
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
    _remember_result(done, form_token)
    return redirect(url_for("patient.result", submission_id=done.id))


def _own_submission(submission_id: str) -> Submission:
    """Only the browser that sent it may see a result, and only within its lifetime."""
    if submission_id not in {s.submission_id for s in _sent_results()}:
        abort(404)
    submission = db_session().get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


@bp.get("/result/<submission_id>")
def result(submission_id: str) -> str:
    submission = _own_submission(submission_id)
    return _render_result(submission, CallbackForm())


def _render_result(submission: Submission, form: CallbackForm) -> str:
    return render_template(
        "patient/result.html",
        s=submission,
        screening=submission.screening,
        form=form,
        patient_text=patient_text,
        best_times=BEST_TIMES,
    )


@bp.post("/result/<submission_id>/call-back")
def call_back(submission_id: str) -> str | Response | tuple[str, int]:
    submission = _own_submission(submission_id)
    if submission.booking not in ("book", "call_back"):
        abort(404)
    if submission.callback is not None:
        return redirect(url_for("patient.result", submission_id=submission.id) + "#call-back")
    form = CallbackForm(request.form)
    if not form.validate():
        return _render_result(submission, form), 400
    submissions.add_callback(db_session(), submission, form.data)
    db_session().commit()
    flash(gettext("Thank you. The clinic will phone you."), "success")
    return redirect(url_for("patient.result", submission_id=submission.id) + "#call-back")


@bp.post("/start-again")
def start_again() -> Response:
    """Forget this browser's draft and the results it remembers: on a shared device, the
    next person must find nothing of the last one's."""
    drafts.discard(db_session(), session.pop(DRAFT_KEY, None))
    db_session().commit()
    message = gettext("Your answers have been cleared from this device.")
    if session.pop(RESULTS_KEY, None):
        message += " " + gettext(
            "The clinic keeps the answers you sent, so its clinicians can review them."
        )
    flash(message, "info")
    return redirect(url_for("patient.start"))


def _saved(draft: Draft) -> str:
    """The page with a new resume code. Shown in answer to the POST, never redirected to: the
    code is in this one response and nowhere else, not even in the cookie."""
    code = resume.issue(draft)
    db_session().commit()
    return render_template(
        "patient/saved.html", code=code, expires_at=draft.expires_at, step=_open_step(draft)
    )


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
    draft = _draft_or_restart()
    if not isinstance(draft, Draft):
        return draft
    flash(gettext("Welcome back. Your answers are here: carry on where you stopped."), "success")
    return _continue(draft)


def _resume_refused(has_draft: bool, typed: str, error: str, status: int) -> tuple[str, int]:
    page = render_template("patient/resume.html", has_draft=has_draft, typed=typed, error=error)
    return page, status
