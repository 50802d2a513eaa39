"""The accounts flow's retention step: session and throttle rows that can no longer matter."""

from datetime import date

from flask import current_app
from sqlalchemy import delete, func, select

from portal import clock
from portal.auth.throttle import LOCK_WINDOW
from portal.extensions import db
from portal.models import LoginThrottle, UserSession
from portal.retention import RetentionReport, retention_step

STEP = "expired sessions and login throttles"


@retention_step(STEP)
def erase_expired_sessions(today: date, dry_run: bool) -> RetentionReport:
    """Session rows past their lifetime and throttle rows past their window are useless.

    Only flushes: the retention run that calls the step commits it.
    """
    now = clock.now()
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    old_sessions = UserSession.created_at < now - lifetime
    old_throttles = (LoginThrottle.window_started_at < now - LOCK_WINDOW) & (
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now))
    count = (db.session.scalar(select(func.count()).select_from(UserSession).where(old_sessions))
             + db.session.scalar(select(func.count()).select_from(LoginThrottle)
                                 .where(old_throttles)))
    if not dry_run:
        db.session.execute(delete(UserSession).where(old_sessions))
        db.session.execute(delete(LoginThrottle).where(old_throttles))
        db.session.flush()
    return RetentionReport(STEP, count, [])
