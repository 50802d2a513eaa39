"""/healthz: the database decides (503), Redis is reported ("degraded", still 200)."""

import socket

import pytest

from tests.deploy.services import REDIS_URL, redis_answers


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_without_redis_reports_only_the_database(build_app):
    app = build_app(RATELIMIT_STORAGE_URI="memory://")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_a_redis_that_is_down_is_reported_but_the_portal_stays_in_service(build_app):
    app = build_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/5")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "redis": "unavailable"}


@pytest.mark.skipif(not redis_answers(), reason="Redis does not answer on " + REDIS_URL)
def test_a_redis_that_answers_is_ok(build_app):
    app = build_app(RATELIMIT_STORAGE_URI=REDIS_URL, THROTTLE_KEY_PREFIX="portal-test")
    response = app.test_client().get("/healthz")
    assert response.get_json() == {"status": "ok", "redis": "ok"}


def test_a_database_that_is_down_makes_healthz_fail(build_app, monkeypatch):
    app = build_app()
    monkeypatch.setattr("portal.health.check_database", lambda: False)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    # The answer names no host, version or error text.
    assert response.get_json() == {"status": "database unavailable"}
