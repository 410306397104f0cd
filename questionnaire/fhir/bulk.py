"""Every submission since a date as FHIR NDJSON (one resource per line) for a record
system's first load: each submission's QuestionnaireResponse, RiskAssessment and Flags,
streamed a batch at a time so memory stays flat whatever the row count."""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import ColumnElement, Connection

from questionnaire.fhir import resources, store

BATCH = 1000


def write(
    conn: Connection, where: list[ColumnElement[bool]], out: TextIO, *, contacts: bool
) -> int:
    want = store.Want(answers=True, screening=True, contacts=contacts)
    count = 0
    for s in store.stream(conn, where, want, BATCH):
        lines = [resources.questionnaire_response(s), resources.risk_assessment(s)]
        lines += [text for _id, text in resources.flags(s)]
        out.write("\n".join(lines) + "\n")
        count += 1
    return count
