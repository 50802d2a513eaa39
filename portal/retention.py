"""Retention steps: each flow registers what it erases; `flask retention run` runs them all.

A step finds what is due and erases it, flushing only. The runner commits after each step, in
one place: a step is one batch, saved whole or not at all, and a failure in a later step keeps
what the earlier ones erased. Every step is safe to run again (what is gone is not due).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from portal.extensions import db


@dataclass
class RetentionReport:
    step: str
    count: int
    details: list[str]


# A step takes (today, dry_run) and returns a report; it flushes, the runner commits.
RETENTION_STEPS: list[tuple[str, Callable[[date, bool], RetentionReport]]] = []


def retention_step(name: str):
    def register(func: Callable[[date, bool], RetentionReport]):
        if not any(existing == name for existing, _ in RETENTION_STEPS):
            RETENTION_STEPS.append((name, func))
        return func

    return register


def run_retention(today: date, dry_run: bool = False, *,
                  after_step: Callable[[int], None] | None = None) -> list[RetentionReport]:
    """Run every step in order and commit each one's work (a dry run writes nothing).

    `after_step(done)` replaces the plain commit, e.g. a job's commit with its progress.
    """
    reports = []
    for done, (_name, func) in enumerate(RETENTION_STEPS, start=1):
        reports.append(func(today, dry_run))
        if dry_run:
            continue
        if after_step is not None:
            after_step(done)
        else:
            db.session.commit()
    return reports


@contextmanager
def single_runner(name: str) -> Iterator[bool]:
    """Yield True when this process may run `name`, False when another run holds it.

    The retention steps read what is due and then erase it with an audit line: two runs at
    once would both erase (harmless) and both log it (a false record), so only one runs. On
    PostgreSQL a session advisory lock on its own connection enforces it across hosts; it
    ends with that connection, so a killed run never blocks the next. SQLite is one host:
    there the rule is "one timer, one runner" (systemd never starts a running unit twice).
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(hashtext(:name))"),
                                      {"name": name}))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"),
                                   {"name": name})
                connection.commit()
