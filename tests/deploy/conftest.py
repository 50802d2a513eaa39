"""Fixtures of the deployment tests: an app built with extra configuration, a probe route."""

import pytest
from flask import jsonify, request

from portal.extensions import db
from portal.security import PUBLIC_ENDPOINTS
from tests.conftest import make_test_app, wipe_tables


def add_probe(app) -> None:
    """A public route that shows what the app believes about the request."""

    @app.get("/_probe")
    def probe():
        from portal.email import external_url

        return jsonify(
            remote_addr=request.remote_addr,
            scheme=request.scheme,
            host=request.host,
            mail_link=external_url("auth.login"),
        )

    PUBLIC_ENDPOINTS.add("probe")


@pytest.fixture
def build_app(_schema, database_url, tmp_path):
    """build_app(**config) -> an app (no context pushed) on the test database."""
    built = []

    def build(**overrides):
        app = make_test_app(database_url, tmp_path, **overrides)
        add_probe(app)
        built.append(app)
        return app

    yield build
    PUBLIC_ENDPOINTS.discard("probe")
    for app in built:
        with app.app_context():
            db.session.rollback()
            wipe_tables()
            db.session.remove()
            db.engine.dispose()
