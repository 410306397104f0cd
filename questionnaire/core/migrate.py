"""Schema changes through Alembic, run once before any worker starts (docs/performance.md).

Every change says which revisions it applied or undid; `status` compares the database with
what this code expects, so an operator sees a schema ahead of the code (after going back to
an older release without downgrading first) before the app meets it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


# Alembic is imported only when a migration runs: every web worker and export process
# would otherwise hold it in memory (about 5 MiB) without ever using it.


class MigrationError(RuntimeError):
    """A revision that does not exist or cannot be reached from here: one line to show."""


@dataclass(frozen=True)
class Step:
    """One revision applied or undone: its id and the first line of its docstring."""

    revision: str
    title: str

    def __str__(self) -> str:
        return f"{self.revision} ({self.title})"


@dataclass(frozen=True)
class Status:
    current: str | None  # None: an empty database
    head: str
    known: bool  # False: the database names a revision this code has never heard of

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # Date-prefixed revision files sort by time (as indico's do).
    cfg.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    return cfg


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg)


def head() -> str:
    """The revision this code expects (the chain has one head)."""
    found = _scripts().get_current_head()
    if found is None:
        raise MigrationError(f"{MIGRATIONS} holds no revision")
    return found


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def status(engine: Engine) -> Status:
    now = current(engine)
    return Status(now, head(), now is None or now in {s.revision for s in chain(head())})


def chain(upper: str, lower: str | None = None) -> list[Step]:
    """The revisions above `lower` (None: all) up to and including `upper`, newest first."""
    found = _scripts().iterate_revisions(upper, lower or "base")
    return [Step(r.revision, (r.doc or "").strip().splitlines()[0]) for r in found]


def upgrade(engine: Engine, revision: str = "head") -> list[Step]:
    """Apply the revisions the database lacks, up to `revision`; the ones applied, oldest
    first (empty: nothing to do)."""
    from alembic import command

    now = status(engine)
    if not now.known:
        raise MigrationError(_unknown(now))
    steps = list(reversed(chain(now.head if revision == "head" else revision, now.current)))
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return steps


def downgrade(engine: Engine, revision: str) -> list[Step]:
    """Undo the revisions above `revision`: an id at or below the database's, `base` (an
    empty schema) or `-N` (the last N). The ones undone, newest first. Anything else, or
    past the first revision: MigrationError, and nothing changes."""
    from alembic import command

    now = status(engine)
    if not now.known:
        raise MigrationError(_unknown(now))
    if now.current is None:
        raise MigrationError("the database has no revision applied: there is nothing to undo")
    applied = chain(now.current)  # newest first: applied[0] is the database's
    ids = [s.revision for s in applied]
    target: str | None
    if revision.startswith("-") and revision[1:].isdigit():
        count = int(revision[1:])
        if count > len(applied):
            raise MigrationError(
                f"{revision} goes past the first revision: the database has {len(applied)} "
                f"applied (to empty the schema, downgrade to base)"
            )
        target = ids[count] if count < len(applied) else None
    elif revision == "base":
        target = None
    elif revision in ids:
        target = revision
    else:
        raise MigrationError(
            f"{revision!r} is not a revision at or below the database's ({now.current}); "
            "`db status` shows it, and CHANGELOG.md each release's"
        )
    undone = applied[: ids.index(target)] if target is not None else applied
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target or "base")
    return undone


def _unknown(now: Status) -> str:
    return (
        f"the database is at revision {now.current}, which this code does not know: a newer "
        "release migrated it. Downgrade it with that release's code first (docs/production.md, "
        '"Going back to the previous release")'
    )


def make_revision(engine: Engine, message: str) -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
