"""The unit of work: a request, a CLI command or a job owns its transaction.

Services only flush. The request commits once, after the view returned a response below
400, or rolls everything back (a refused form, a 403/404, an error): a use case is saved
whole or not at all. Mail queued in the outbox commits with the change that caused it and
goes out after the commit. Work that must not hold the response up (mail delivery in
development, a reset mail whose cost would tell that an address exists) runs after the
response has been sent, in its own app context and transaction.
"""

import functools
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context

from portal.email import COMMITTED_FLAG
from portal.extensions import db

_AFTER_RESPONSE = "after_response_work"


def after_response(func: Callable, *args, **kwargs) -> None:
    """Run `func(*args, **kwargs)` once the response is out, in a transaction of its own.

    Outside a request (CLI, worker) it runs at once, inside the caller's transaction.
    Arguments are plain values: the request's objects and session are gone by then.
    """
    if not has_request_context():
        func(*args, **kwargs)
        return
    g.setdefault(_AFTER_RESPONSE, []).append((func, args, kwargs))


def _run_after_response(app: Flask, work: list, deliver: bool) -> None:
    with app.app_context():
        for func, args, kwargs in work:
            try:
                func(*args, **kwargs)
                db.session.commit()
            except Exception:  # noqa: BLE001 - the response is gone; log and go on
                db.session.rollback()
                app.logger.exception("Work after the response failed: %s", func.__name__)
        # The work itself may have queued mail (a reset mail made after the response).
        if deliver or (db.session.info.pop(COMMITTED_FLAG, False)
                       and app.config.get("MAIL_DELIVER_AFTER_COMMIT")):
            deliver_now()
        db.session.remove()


def deliver_now() -> None:
    """Development and testing: run due jobs and send the outbox right after a commit.

    Production leaves both to the worker (`flask mail send-queued --every N`).
    """
    if not current_app.config.get("MAIL_DELIVER_AFTER_COMMIT"):
        return
    from portal.email import deliver_outbox
    from portal.jobs import run_due_jobs

    try:
        run_due_jobs()
        deliver_outbox()
    except Exception:  # noqa: BLE001 - the outbox and the job table keep the work
        db.session.rollback()
        current_app.logger.exception("Delivering after the commit failed; the work stays queued")


def _finish_request(app: Flask, response):
    """Commit the request's work when it succeeded (status below 400), else roll it back."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    work = g.pop(_AFTER_RESPONSE, [])
    wrote = db.session.info.pop(COMMITTED_FLAG, False)
    deliver = wrote and app.config.get("MAIL_DELIVER_AFTER_COMMIT")
    if work or deliver:
        response.call_on_close(functools.partial(_run_after_response, app, work, deliver))
    return response


def transactional(command: Callable) -> Callable:
    """A CLI command as one unit of work: commit at its end, roll back when it fails.

    Commands whose work is a batch job call the job, which commits per batch itself.
    """

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        if db.session.info.pop(COMMITTED_FLAG, False):
            deliver_now()
        return result

    return wrapped


class CloseWhenSent:
    """WSGI middleware: close the response as soon as its last byte is handed to the server.

    The work after the response hangs on the response's close(). Werkzeug's development
    server skips close() when the browser drops the connection first (it does after a
    redirect); gunicorn always calls it. Closing here makes both behave alike; the server's
    own close() later finds nothing left to do.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        body = self.wsgi_app(environ, start_response)
        return _ClosingBody(body)


class _ClosingBody:
    def __init__(self, body):
        self.body = body
        self.closed = False

    def __iter__(self):
        try:
            yield from self.body
        finally:
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if hasattr(self.body, "close"):
                self.body.close()


def init_app(app: Flask) -> None:
    app.after_request(functools.partial(_finish_request, app))
    app.wsgi_app = CloseWhenSent(app.wsgi_app)
