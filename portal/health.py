"""Health checks behind /healthz: the database decides, Redis is reported.

Choice (documented in the deploy guide): an unreachable Redis does not make the portal
unhealthy. Flask-Limiter then counts in process memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED)
- each process throttles on its own, still throttling - and every page keeps working. Failing
/healthz would make a load balancer take *every* instance out at once for a degraded, not a
broken, service. So the answer stays 200 with status "degraded" and redis "unavailable",
which monitoring alerts on. A database failure is fatal: 503.
"""

from flask import current_app
from sqlalchemy import text

from portal.extensions import db

REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "redis+unix://")


def check_database() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return False
    return True


def _redis_client(uri: str):
    """One client (and connection pool) per process, with short timeouts for a probe."""
    import redis

    cache = current_app.extensions.setdefault("portal_health", {})
    client = cache.get(uri)
    if client is None:
        client = redis.Redis.from_url(
            uri.replace("redis+unix://", "unix://"),
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
        )
        cache[uri] = client
    return client


def check_redis() -> bool | None:
    """True/False when rate limits live in Redis; None when they do not use Redis."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri.startswith(REDIS_SCHEMES):
        return None
    try:
        return bool(_redis_client(uri).ping())
    except Exception:  # noqa: BLE001 - connection refused, timeout, auth: all "unavailable"
        return False


def health_report() -> tuple[dict, int]:
    """The JSON body and status code of /healthz. No version, host or error details.

    {"status": "ok"} as before; with Redis configured also "redis": "ok" | "unavailable".
    """
    if not check_database():
        return {"status": "database unavailable"}, 503
    report = {"status": "ok"}
    redis_ok = check_redis()
    if redis_ok is not None:
        report["redis"] = "ok" if redis_ok else "unavailable"
        if not redis_ok:
            report["status"] = "degraded"
    return report, 200
