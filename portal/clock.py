"""The portal's one clock: moments in UTC, days on the federation's (Belgian) calendar.

Everything that asks "what time is it" or "which day is it" asks here, so a test moves the
whole portal with time-machine and the zone comes from one setting (BABEL_DEFAULT_TIMEZONE).
"""

import functools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Brussels"


def now() -> datetime:
    """This moment, timezone-aware in UTC (what the database stores)."""
    return datetime.now(UTC)


@functools.lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The portal's zone from the configuration (Europe/Brussels outside an app)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return _zone(name or DEFAULT_ZONE)


def local(moment: datetime) -> datetime:
    """A moment on the portal's clock; a naive moment is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def today() -> date:
    """Today on the portal's calendar: just after midnight in Brussels it is already tomorrow."""
    return local(now()).date()


def from_local(moment: datetime) -> datetime:
    """A moment typed on the portal's clock (a naive form value) as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` on the portal's clock, as UTC."""
    return from_local(datetime.combine(day, time.min))
