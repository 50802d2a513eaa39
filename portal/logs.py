"""Logging for operations: token-free paths, request ids and an optional JSON-lines format.

Logs leave the portal (journald, a log shipper), so they must hold no personal data: no
query strings (search terms, emails), no signed tokens from mailed links, and e-mail
addresses in messages are masked as a last line of defence.
"""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

# Routes whose last segment is a signed token from a mail (DESIGN.md, fixed routes).
TOKEN_ROUTE_PREFIXES = (
    "/wachtwoord-herstellen/",
    "/uitnodiging/",
    "/nieuwsbrieven/afmelden/",
    "/nieuwsbrief/bevestigen/",
    "/opleidingsverlof/",
)
TOKEN_PLACEHOLDER = "<token>"  # noqa: S105 - a placeholder, not a secret

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def mask_path(path: str) -> str:
    """The path without its query string, with the token segment of token routes replaced.

    `/uitnodiging/abc.def/` -> `/uitnodiging/<token>/`; anything below a token route
    (`/opleidingsverlof/<token>/intrekken`) keeps its fixed words.
    """
    path = (path or "").split("?", 1)[0].split("#", 1)[0]
    for prefix in TOKEN_ROUTE_PREFIXES:
        if path.startswith(prefix) and len(path) > len(prefix):
            rest = path[len(prefix):]
            _token, slash, tail = rest.partition("/")
            return f"{prefix}{TOKEN_PLACEHOLDER}{slash}{tail}"
    return path


_TOKEN_IN_TEXT = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in TOKEN_ROUTE_PREFIXES) + r")[^/\s?#\"'<>]+"
)
_QUERY_IN_TEXT = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]*")


# PostgreSQL's error detail repeats the row or key values ("Failing row contains (...)").
_DB_DETAIL = re.compile(r"^(\s*)DETAIL:.*$", re.M)


def scrub(text: str) -> str:
    """Mask e-mail addresses, mailed tokens and query strings in a free log text.

    Flask itself logs "Exception on /uitnodiging/<the token> [GET]"; SMTP errors name the
    recipient. Both would otherwise reach the log.
    """
    text = _DB_DETAIL.sub(r"\1DETAIL: <hidden>", text)
    text = _QUERY_IN_TEXT.sub(lambda match: match.group(1) + "?<query>", text)
    text = _TOKEN_IN_TEXT.sub(lambda match: match.group(1) + TOKEN_PLACEHOLDER, text)
    return _EMAIL.sub("<e-mail>", text)


def current_request_id() -> str | None:
    if not has_request_context():
        return None
    request_id = g.get("request_id")
    if request_id is None:
        incoming = request.headers.get("X-Request-ID", "")
        # nginx passes its $request_id; anything else is replaced, never logged as given.
        request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        g.request_id = request_id
    return request_id


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request fields."""

    REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for field in self.REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic format, with e-mail addresses masked too."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure_logging(app: Flask) -> None:
    """LOG_FORMAT=json|text, LOG_LEVEL; with json, the app also logs one line per request."""
    log_format = str(app.config.get("LOG_FORMAT") or "text").lower()
    if log_format not in {"json", "text"}:
        raise SystemExit(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}.")
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    handler = logging.StreamHandler(app.config.get("LOG_STREAM") or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler._portal = True  # noqa: SLF001 - lets a second create_app replace, not stack
    logger = app.logger  # the "portal" logger: every portal.* module logs below it
    for old in [h for h in logger.handlers if getattr(h, "_portal", False)]:
        logger.removeHandler(old)
    logger.removeHandler(default_handler)
    logger.addHandler(handler)
    logger.setLevel(level)
    if log_format == "json" or app.config.get("LOG_REQUESTS"):
        _log_requests(app)


_request_log = logging.getLogger("portal.request")


def _log_requests(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()
        current_request_id()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        path = mask_path(request.path)
        _request_log.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration,
                "request_id": current_request_id(),
            },
        )
        response.headers.setdefault("X-Request-ID", current_request_id())
        return response
