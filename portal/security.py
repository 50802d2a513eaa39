"""Access control: deny by default, organisation scoping, safe redirects, security headers."""

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select

from portal.extensions import db

# Endpoints reachable without logging in. Blueprints add theirs with @public_endpoint.
PUBLIC_ENDPOINTS: set[str] = {"static"}


def public_endpoint(view: Callable) -> Callable:
    """Mark a view as reachable without a login (registered by its endpoint name)."""
    view._public = True  # noqa: SLF001
    return view


def current_org_id() -> int:
    """The organisation of the logged-in contact; staff and anonymous users have none (404)."""
    if not current_user.is_authenticated or current_user.organisation_id is None:
        abort(404)
    return current_user.organisation_id


@functools.cache
def _scoped_query(model):
    # One statement per model, built once (SQLAlchemy keeps its compiled form).
    column = model.id if model.__name__ == "Organisation" else model.organisation_id
    return select(model).where(model.id == bindparam("object_id"),
                               column == bindparam("organisation_id"))


def get_scoped_or_404(model, object_id: int):
    """Load a member-data object of the current user's organisation, or 404 (never 403)."""
    organisation_id = current_org_id()
    if model.__name__ == "Organisation" and object_id == organisation_id:
        # Loaded with the user at the start of the request: no second statement.
        return current_user.contact.organisation
    obj = db.session.scalar(_scoped_query(model),
                            {"object_id": object_id, "organisation_id": organisation_id})
    if obj is None:
        abort(404)
    return obj


def primary_required(view: Callable) -> Callable:
    """Only the primary contact of an organisation may use this view (403 otherwise)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_primary_contact:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def contact_required(view: Callable) -> Callable:
    """Views about one's own organisation: contacts only, staff get 403."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.contact is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# Checks every back-office request passes, added by the flows that own them (the accounts
# flow adds "two-step verification done in this session"). Each returns None or a response.
STAFF_GUARDS: list[Callable] = []


def add_staff_guard(guard: Callable) -> None:
    if guard not in STAFF_GUARDS:
        STAFF_GUARDS.append(guard)


def staff_required(view: Callable) -> Callable:
    """Back-office views: staff only (403 for everybody else), after two-step verification."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_staff:
            abort(403)
        for guard in (*STAFF_GUARDS, current_app.config.get("STAFF_ACCESS_CHECK")):
            response = guard() if guard is not None else None
            if response is not None:
                return response
        return view(*args, **kwargs)

    return wrapped


def is_safe_redirect(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no backslash or control tricks."""
    if not target or not isinstance(target, str):
        return False
    if target != target.strip() or any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    if "%5c" in target.lower() or "%2f%2f" in target.lower():
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
    )


def safe_next(default_endpoint: str = "public.dashboard") -> str:
    """The `next` parameter when it is a local path, otherwise the default page."""
    target = request.values.get("next")
    return target if is_safe_redirect(target) else url_for(default_endpoint)


def _enforce_login():
    """Deny by default: anonymous visitors reach only public endpoints.

    Idle and absolute session lifetimes are checked where the session is loaded, on its
    server-side row (portal.auth.sessions); an ended session arrives here as anonymous.
    """
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 follows
    view = current_app.view_functions.get(endpoint)
    is_public = endpoint in PUBLIC_ENDPOINTS or getattr(view, "_public", False)
    if is_public or current_user.is_authenticated:
        return None
    if g.get("session_expired"):  # the server-side session timed out: say so at login
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?"), expired=1))
    return current_app.login_manager.unauthorized()


PERSONAL_DATA_EXEMPT = {"static", "public.healthz"}


def _security_headers(response):
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SEND_HSTS"):
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if request.endpoint not in PERSONAL_DATA_EXEMPT:
        # Pages may hold personal data: never keep them in a (shared) cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_enforce_login)
    app.after_request(_security_headers)
