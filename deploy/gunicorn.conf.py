"""gunicorn settings of the Ledenportaal: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (the systemd unit reads
/etc/ledenportaal/ledenportaal.env), so this file stays the same on every host.
The access log never holds a query string, a mailed token or a Referer (which may hold both).
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

from portal.logs import mask_path, scrub


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Loopback only: nginx in front terminates TLS and serves the static files.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: nginx buffers slow clients, every request is short (forms, no uploads).
# 2 x CPU + 1 is gunicorn's advice; capped so a large host does not exhaust PostgreSQL
# connections (each worker keeps a pool of up to 5 + 10 overflow connections).
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # finish requests on reload/stop
keepalive = 5
# Recycle workers now and then so a slow leak never grows; jitter avoids all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Import the app before forking: a broken configuration stops the start at once, visibly.
preload_app = True

# Only nginx on this host may set X-Forwarded-Proto for gunicorn; the app's ProxyFix
# (PORTAL_PROXY_FIX_X_FOR) decides separately which X-Forwarded-For hop it trusts.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# With LOG_FORMAT=json the app writes one JSON line per request itself; then gunicorn's
# access log is off so requests are not logged twice. "-" is stdout (journald).
_json_logs = (os.environ.get("PORTAL_LOG_FORMAT") or os.environ.get("LOG_FORMAT")) == "json"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "" if _json_logs else "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No %(h)s: behind nginx it is always 127.0.0.1 (nginx's own log has the client).
# No %(q)s, %(f)s (Referer), %(a)s: queries and referers can carry tokens and e-mail addresses.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms pid=%(p)s req=%({x-request-id}i)s'

# Atoms that may carry a token or a query string, masked whatever the format above says.
_MASKED_ENVIRON = ("raw_uri", "request_uri", "query_string", "http_referer", "http_cookie",
                   "http_authorization", "path_info")


class TokenMaskingLogger(Logger):
    """gunicorn's logger, with paths masked (portal.logs.mask_path) and messages scrubbed."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = mask_path(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = "-"
        atoms["f"] = "-"
        for key in ("{referer}i", "{cookie}i", "{authorization}i"):
            atoms.pop(key, None)
        for key in _MASKED_ENVIRON:
            atoms.pop(f"{{{key}}}e", None)
        return atoms

    # gunicorn names the request URI in some errors ("Error handling request /path?...").
    def error(self, msg, *args, **kwargs):
        super().error(scrub(str(msg) % args if args else str(msg)), **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(scrub(str(msg) % args if args else str(msg)), **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(scrub(str(msg) % args if args else str(msg)), **kwargs)


logger_class = TokenMaskingLogger


def post_fork(server, worker):
    """Each worker opens its own database connections (never one inherited from the master)."""
    app = server.app.wsgi()
    with app.app_context():
        from portal.extensions import db

        for engine in db.engines.values():
            engine.dispose(close=False)
