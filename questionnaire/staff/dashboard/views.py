"""Clinicians and admins: the dashboard, what has come in and what is waiting.

It shows counts only, never a submission, a reference or a name, so a view is not written
to the audit log (docs/security.md item 19 covers views of submissions and of the list);
a refusal is, like any other.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup
from wtforms import DateField, Form
from wtforms.validators import Optional, ValidationError

from questionnaire.core import clinic_time
from questionnaire.core.db import session as db_session
from questionnaire.core.models import utcnow
from questionnaire.core.words import (
    BOOKING_WORDS,
    INDICATION_WORDS,
    LEVEL_WORDS,
    TIER_WORDS,
    WORKLIST_WORDS,
    wait_in_words,
)
from questionnaire.staff.access import require_role
from questionnaire.staff.dashboard import charts, statistics
from questionnaire.staff.submissions import worklist
from questionnaire.staff.submissions.filters import in_range
from rules import BOOKINGS, INDICATIONS

bp = Blueprint("dashboard", __name__, url_prefix="/staff")


class DashboardForm(Form):
    date_from = DateField("Sent on or after", [Optional(), in_range])
    date_to = DateField("Sent on or before", [Optional(), in_range])

    def validate_date_to(self, field: DateField) -> None:
        first = self.date_from.data
        if field.data is not None and first is not None and field.data < first:
            raise ValidationError(f"Enter a date that is not before {first.isoformat()}")

    def validate_date_from(self, field: DateField) -> None:
        if field.data is None:
            return
        tz = current_app.config["CLINIC_TIMEZONE"]
        today = clinic_time.today(utcnow(), tz)
        period = statistics.period_between(field.data, self.date_to.data, today, tz)
        if (period.last - period.first).days >= statistics.MAX_DAYS:
            raise ValidationError(f"Choose {statistics.MAX_DAYS} days or fewer (one bar a week)")


@bp.get("/dashboard")
@require_role("clinician", "admin")
def index() -> tuple[str, int]:
    form = DashboardForm(request.args)
    valid = form.validate()
    now = utcnow()
    tz = current_app.config["CLINIC_TIMEZONE"]
    today = clinic_time.today(now, tz)
    if valid:
        period = statistics.period_between(form.date_from.data, form.date_to.data, today, tz)
    else:  # the figures of the usual weeks, beside the message saying what to correct
        period = statistics.default_period(today, tz)
    figures = statistics.figures(db_session(), period, now)
    targets = worklist.Targets.from_config(current_app.config)
    return render_template(
        "staff/dashboard.html",
        form=form,
        f=figures,
        work=worklist.counts(db_session(), targets, now),
        worklist_words=WORKLIST_WORDS,
        charts=_charts(figures),
        waited=(
            wait_in_words(now - figures.oldest_callback, "hour").capitalize()
            if figures.oldest_callback
            else None
        ),
        percent=percent,
    ), (200 if valid else 400)


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def _charts(f: statistics.Figures) -> dict[str, Markup]:
    first, last = f.period.first.isoformat(), f.period.last.isoformat()
    weekly = charts.week_panels(
        "chart-weekly",
        "Submissions per week, by outcome",
        f"One panel per outcome, weeks from {first} to {last}, each bar a week's count.",
        [w.start for w in f.weeks],
        [
            charts.Series(BOOKING_WORDS[b], f"bar-{b}", [w.counts[b] for w in f.weeks])
            for b in BOOKINGS
        ],
    )
    tiers = charts.bar_chart(
        "chart-tiers",
        "Share of submissions with a red flag, by tier",
        f"Of {f.total:,} submissions sent from {first} to {last}, by their most urgent flag.",
        [
            charts.Bar(TIER_WORDS[t], n, f"{n:,} ({percent(n, f.total)})", f"bar-{t}")
            for t, n in f.tiers.items()
        ],
    )
    levels = charts.bar_chart(
        "chart-levels",
        "Indication mix: how often each indication is likely or possible",
        f"Of {f.total:,} submissions sent from {first} to {last}.",
        [
            charts.Bar(
                LEVEL_WORDS[level],
                n,
                f"{n:,} ({percent(n, f.total)})",
                f"bar-{level}",
                group=INDICATION_WORDS[name],
            )
            for name in INDICATIONS
            for level, n in f.levels[name].items()
        ],
    )
    backlog = charts.bar_chart(
        "chart-backlog",
        "Not yet reviewed, by how long ago they were sent",
        "Every submission not yet reviewed, whenever it was sent.",
        [
            charts.Bar(b.words, b.total, f"{b.total:,} ({b.flagged:,} red flag)", "bar-backlog")
            for b in f.backlog
        ],
    )
    return {"weekly": weekly, "tiers": tiers, "levels": levels, "backlog": backlog}
