"""Backups of the embedded SQLite database with SQLite's online backup API.

The online backup copies a consistent snapshot while the portal keeps running (a plain file
copy could catch a half-written page). PostgreSQL is backed up with pg_dump (see README).
"""

import sqlite3
from pathlib import Path

from flask import current_app

from portal import clock
from portal.extensions import db


def sqlite_path() -> Path | None:
    """The file of the configured SQLite database, or None for another database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def default_backup_path() -> Path:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")  # UTC
    return Path(current_app.instance_path, "backups", f"portal-{stamp}.db")


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database to another file, page by page, as a consistent snapshot."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=256)
    src.close()
    dst.close()
    target.chmod(0o600)  # the backup holds personal data


def backup(output: Path | None = None) -> Path:
    source = sqlite_path()
    if source is None:
        raise ValueError("not sqlite")
    target = output or default_backup_path()
    copy_sqlite(source, target)
    return target


def restore(backup_file: Path) -> Path:
    """Put a backup back in place of the configured SQLite database (the portal stopped)."""
    target = sqlite_path()
    if target is None:
        raise ValueError("not sqlite")
    db.session.remove()
    db.engine.dispose()
    copy_sqlite(backup_file, target)
    return target
