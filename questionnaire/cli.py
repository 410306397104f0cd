"""`flask --app wsgi ...` commands: each package declares its own (a `commands` module beside
what it serves), and this registers them all."""

from __future__ import annotations

from flask import Flask

from questionnaire.core import commands as core
from questionnaire.fhir import commands as fhir
from questionnaire.patient import commands as patient
from questionnaire.staff import commands as staff
from questionnaire.staff.alerts import commands as alerts
from questionnaire.staff.export import commands as export
from questionnaire.staff.submissions import commands as submissions


def init_app(app: Flask) -> None:
    for package in (core, patient, staff, submissions, export, alerts, fhir):
        for command in package.COMMANDS:
            app.cli.add_command(command)
