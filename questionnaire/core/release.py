"""The app's version: one place. A release is this number, a section for it at the top of
CHANGELOG.md naming the database revision it ends on, and a git tag `vVERSION` on the commit
(docs/production.md, "Cutting a release"); tests/core/test_release.py holds the three
together."""

from __future__ import annotations

VERSION = "1.0.0"
