"""`flask db analyze`: the planner's statistics the list's indexes depend on."""

from __future__ import annotations

from sqlalchemy import text

from tests.helpers.answer_sets import bookable
from tests.helpers.staff_client import add_submission


def test_analyze_gives_the_planner_statistics_of_the_submissions(app, runner):
    for _ in range(3):
        add_submission(app, bookable())
    engine = app.extensions["db_engine"]
    result = runner.invoke(args=["db", "analyze"])
    assert result.exit_code == 0, result.output
    assert "Statistics refreshed." in result.output
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'submission'")
            ).scalar_one()
            assert rows > 0
        else:
            analyzed = conn.execute(
                text(
                    "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'submission'"
                    " AND schemaname = current_schema()"
                )
            ).scalar_one()
            assert analyzed is not None
