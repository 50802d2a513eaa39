"""`flask backup` (SQLite online backup API): a restored backup holds every row."""

from sqlalchemy import select

from portal import create_app
from portal.demo import seed_demo
from portal.extensions import db


def _all_rows() -> dict[str, list]:
    return {
        table.name: sorted(
            (tuple(str(value) for value in row) for row in db.session.execute(select(table))),
        )
        for table in db.metadata.sorted_tables
    }


def test_backup_and_restore_round_trip(tmp_path):
    # Always SQLite: the command is for the embedded default, also when the suite runs on
    # PostgreSQL (which is backed up with pg_dump).
    database = tmp_path / "portal.db"
    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "MAIL_FILE_DIR": str(tmp_path / "mail")})
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()  # what `flask seed-demo` does
        before = _all_rows()
        assert sum(len(rows) for rows in before.values()) > 50
        assert before["contacts"] and before["users"] and before["enrolments"]

        target = tmp_path / "kopie" / "backup.db"
        result = app.test_cli_runner().invoke(args=["backup", "--output", str(target)])
        assert result.exit_code == 0, result.output
        assert "Back-up geschreven naar" in result.output
        assert target.exists() and oct(target.stat().st_mode & 0o777) == "0o600"

        # Disaster: the data are gone.
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        assert sum(len(rows) for rows in _all_rows().values()) == 0

        from portal.staff.backup import restore

        restore(target)
        assert _all_rows() == before
        db.session.remove()
        db.engine.dispose()


def test_backup_refuses_another_database_and_points_to_pg_dump(tmp_path, monkeypatch):
    app = create_app({"PORTAL_CONFIG": "testing",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/x"})
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(tmp_path / "b.db")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
