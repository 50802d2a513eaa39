"""The Ledenportaal application factory."""

import functools
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import config_from_name


def create_app(config=None) -> Flask:
    """Build the app from a configuration name, class, or a dict of overrides (tests).

    Order: the named class, then instance/config.py, then PORTAL_* environment variables,
    then the overrides.
    """
    app = Flask(__name__, instance_relative_config=True)
    overrides = config if isinstance(config, dict) else {}
    if isinstance(config, str) or config is None or isinstance(config, dict):
        name = overrides.get("PORTAL_CONFIG") if isinstance(config, dict) else config
        app.config.from_object(config_from_name(name))
    else:
        app.config.from_object(config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.update(overrides)
    _check_and_complete_config(app)

    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    from portal.errors import register_error_handlers

    register_error_handlers(app)
    return app


def _check_and_complete_config(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["IS_PRODUCTION"]:
        missing = [
            name
            for name, present in (
                ("SECRET_KEY", app.config.get("SECRET_KEY")),
                ("DATABASE_URL", os.environ.get("DATABASE_URL")),
                ("PORTAL_BASE_URL", app.config.get("BASE_URL")),
            )
            if not present
        ]
        if missing:
            raise SystemExit(
                "The portal refuses to start in production without these environment "
                f"variables: {', '.join(missing)}. See README, section 'Deployment'."
            )
    elif not app.config.get("SECRET_KEY"):
        # Development: a random key kept in instance/ so sessions survive a restart.
        key_file = Path(app.instance_path, "secret_key")
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    app.config.setdefault("BASE_URL", "http://127.0.0.1:5000")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if app.config.get("PROXY_FIX_X_FOR"):
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from portal import email, i18n, security  # noqa: F401 - email registers session hooks
    from portal.extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    security.init_app(app)

    @login_manager.user_loader
    def load_user(alternative_id: str):
        user_id, _, version = alternative_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.scalar(_user_query(), {"user_id": int(user_id)})
        if user is None or user.session_version != int(version) or not user.is_active:
            return None
        return user

    app.after_request(_deliver_mail_after_request)
    app.teardown_appcontext(_deliver_mail_on_teardown)

    @app.context_processor
    def inject_layout():
        from flask_login import current_user

        from portal.navigation import nav_items_for

        return {
            "nav_items": nav_items_for(current_user),
            "federation_name": app.config["FEDERATION_NAME"],
            "privacy_policy_url": app.config["PRIVACY_POLICY_URL"],
        }


@functools.cache
def _user_query():
    """The user of a session with contact and organisation: one statement, built once.

    Every request needs them (is_active reads the contact, the layout and most pages the
    organisation): one joined statement instead of three lazy loads.
    """
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from portal.models import Contact, User

    return (
        select(User)
        .options(joinedload(User.contact).joinedload(Contact.organisation))
        .where(User.id == bindparam("user_id"))
    )


def _deliver_mail_after_request(response):
    from portal.email import deliver_if_ready

    deliver_if_ready()
    return response


def _deliver_mail_on_teardown(exc):
    if exc is not None:
        return
    from portal.email import deliver_if_ready

    try:
        deliver_if_ready()
    except Exception:  # noqa: BLE001 - the outbox keeps the mail; a worker retries it
        from flask import current_app

        current_app.logger.exception("Delivering queued mail failed; it stays queued")


BLUEPRINTS = (
    "public",
    "auth",
    "organisation",
    "roster",
    "confirmation",
    "newsletters",
    "education_leave",
    "privacy",
    "staff",
)


def register_blueprints(app: Flask) -> None:
    import importlib

    for name in BLUEPRINTS:
        module = importlib.import_module(f"portal.{name}")
        app.register_blueprint(module.bp)
        for group in getattr(module, "cli_groups", ()):
            app.cli.add_command(group)


def register_cli(app: Flask) -> None:
    from portal.cli import cli_groups

    for group in cli_groups:
        app.cli.add_command(group)
