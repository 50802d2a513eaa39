"""Logs for operations: JSON lines with request fields, never an e-mail address, a token or
a query string - neither in the app's log nor in gunicorn's access log."""

import io
import json
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import current_app

from portal.logs import mask_path, scrub
from portal.security import PUBLIC_ENDPOINTS

EMAIL = "jan.peeters@organisatie.be"
TOKEN = "eyJ1c2VyIjo0Mn0.Z3x9Qw.s3cr3t-s1gn4tur3"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        (f"/uitnodiging/{TOKEN}", "/uitnodiging/<token>"),
        (f"/wachtwoord-herstellen/{TOKEN}?x=1", "/wachtwoord-herstellen/<token>"),
        (f"/nieuwsbrieven/afmelden/{TOKEN}", "/nieuwsbrieven/afmelden/<token>"),
        (f"/nieuwsbrief/bevestigen/{TOKEN}", "/nieuwsbrief/bevestigen/<token>"),
        (f"/opleidingsverlof/{TOKEN}/intrekken", "/opleidingsverlof/<token>/intrekken"),
        (f"/contactpersonen?zoek={EMAIL}", "/contactpersonen"),
        ("/nieuwsbrieven", "/nieuwsbrieven"),
        ("/uitnodiging/", "/uitnodiging/"),
    ],
)
def test_paths_lose_tokens_and_query_strings(path, masked):
    assert mask_path(path) == masked


def test_free_text_loses_emails_tokens_and_queries():
    text = f"Exception on /uitnodiging/{TOKEN} [GET] for {EMAIL} from /zoek?q={EMAIL}"
    cleaned = scrub(text)
    assert EMAIL not in cleaned and TOKEN not in cleaned
    assert cleaned == ("Exception on /uitnodiging/<token> [GET] for <e-mail> "
                       "from /zoek?<query>")


@pytest.fixture
def json_app(build_app):
    stream = io.StringIO()
    app = build_app(LOG_FORMAT="json", LOG_STREAM=stream)

    @app.get("/_log_something")
    def log_something():
        current_app.logger.warning("Delivery to %s refused", EMAIL)
        return "ok"

    PUBLIC_ENDPOINTS.add("log_something")
    yield app, stream
    PUBLIC_ENDPOINTS.discard("log_something")


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_logs_describe_each_request_without_personal_data(json_app):
    app, stream = json_app
    client = app.test_client()
    client.get(f"/uitnodiging/{TOKEN}?email={EMAIL}", headers={"X-Request-ID": "abcdef123456"})
    client.get("/_log_something")
    client.post("/aanmelden", data={"email": EMAIL, "password": "fout wachtwoord"})

    raw = stream.getvalue()
    assert EMAIL not in raw and TOKEN not in raw and "fout wachtwoord" not in raw
    assert "organisatie.be" not in raw

    lines = _lines(stream)
    requests = [line for line in lines if line["logger"] == "portal.request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/uitnodiging/<token>", 400),
        ("GET", "/_log_something", 200),
        ("POST", "/aanmelden", 200),
    ]
    first = requests[0]
    assert set(first) >= {"time", "level", "logger", "message", "request_id", "method",
                          "path", "status", "duration_ms"}
    assert first["request_id"] == "abcdef123456"  # nginx's $request_id is kept
    assert first["level"] == "INFO"
    warning = next(line for line in lines if line["level"] == "WARNING")
    assert warning["message"] == "Delivery to <e-mail> refused"
    # Same request id on the app's message and on its request line.
    assert warning["request_id"] == requests[1]["request_id"]


def test_a_forged_request_id_is_replaced(json_app):
    app, stream = json_app
    response = app.test_client().get("/healthz", headers={"X-Request-ID": f"x {EMAIL}"})
    line = _lines(stream)[-1]
    assert EMAIL not in stream.getvalue()
    assert len(line["request_id"]) == 16
    assert response.headers["X-Request-ID"] == line["request_id"]


def test_an_exception_in_a_token_route_is_logged_without_the_token(json_app):
    app, stream = json_app

    @app.get("/opleidingsverlof/<token>/_boom")
    def boom(token):
        raise RuntimeError(f"kapot voor {EMAIL}")

    PUBLIC_ENDPOINTS.add("boom")
    try:
        assert app.test_client().get(f"/opleidingsverlof/{TOKEN}/_boom").status_code == 500
    finally:
        PUBLIC_ENDPOINTS.discard("boom")
    raw = stream.getvalue()
    assert "RuntimeError" in raw
    assert TOKEN not in raw and EMAIL not in raw


def test_text_format_masks_emails_too(build_app):
    stream = io.StringIO()
    app = build_app(LOG_FORMAT="text", LOG_STREAM=stream)
    with app.app_context():
        logging.getLogger("portal.email").error("Bounce for %s", EMAIL)
    assert "Bounce for <e-mail>" in stream.getvalue()
    assert EMAIL not in stream.getvalue()


def test_gunicorn_access_log_masks_tokens_queries_and_referers():
    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", settings["access_log_format"])
    logger = settings["TokenMaskingLogger"](cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/wachtwoord-herstellen/{TOKEN}?email={EMAIL}",
        "PATH_INFO": f"/wachtwoord-herstellen/{TOKEN}",
        "QUERY_STRING": f"email={EMAIL}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://portaal.sociare.be/uitnodiging/{TOKEN}",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=512)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]),
                                       ("X-REQUEST-ID", "abcdef123456")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    line = settings["access_log_format"] % logger.atoms_wrapper_class(atoms)
    assert line.startswith('"GET /wachtwoord-herstellen/<token> HTTP/1.1" 200 512 12ms')
    assert "req=abcdef123456" in line
    for forbidden_format in ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s", "%({raw_uri}e)s"):
        rendered = forbidden_format % logger.atoms_wrapper_class(atoms)
        assert TOKEN not in rendered and EMAIL not in rendered


def test_gunicorn_settings_follow_the_cpu_count_and_the_environment(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("PORTAL_LOG_FORMAT", raising=False)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["workers"] == 5
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["timeout"] == 30
    assert settings["accesslog"] == "-"
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 32)
    monkeypatch.setenv("LOG_FORMAT", "json")
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["workers"] == 9  # capped: PostgreSQL connections are finite
    assert settings["accesslog"] is None  # the app writes the JSON request lines
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    assert runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["workers"] == 3
