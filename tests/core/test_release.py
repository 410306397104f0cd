"""Releases: one version, shown by the CLI and to signed-in staff only; the changelog's
newest section is that version, on the newest database revision."""

from __future__ import annotations

import re
from pathlib import Path

import questionnaire
from questionnaire.core import migrate
from questionnaire.core.release import VERSION

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"
SECTION = re.compile(r"^## (\S+)[^\n]*\n\nDatabase revision: (\w+)$", re.MULTILINE)


def releases() -> list[tuple[str, str]]:
    """(version, database revision) for each section of CHANGELOG.md, newest first."""
    return SECTION.findall(CHANGELOG.read_text(encoding="utf-8"))


def test_the_newest_changelog_section_is_this_version_on_the_newest_revision():
    assert VERSION == questionnaire.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert releases()[0] == (VERSION, migrate.head())


def test_every_release_in_the_changelog_names_a_revision_of_the_chain():
    chain = {step.revision for step in migrate.chain(migrate.head())}
    assert len(releases()) >= 2
    assert {revision for _version, revision in releases()} <= chain


def test_the_version_command_names_the_release_and_its_revision(runner):
    result = runner.invoke(args=["version"])
    assert result.exit_code == 0
    assert result.output == f"prolotherapy self-assessment {VERSION} (database revision " + (
        f"{migrate.head()})\n"
    )


def test_only_signed_in_staff_are_told_the_version(app, client, as_role):
    staff = as_role("clinician")
    assert f"Version {VERSION}" in staff.client.get("/staff/submissions/").text
    # Patient pages are put together from parts kept for everyone: a signed-in member of
    # staff opening one first must not leave the version in them.
    assert VERSION not in staff.client.get("/").text
    for page in ("/", "/consent", "/staff/login", "/healthz", "/nope"):
        assert VERSION not in client.get(page).text
