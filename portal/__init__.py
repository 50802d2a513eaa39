"""The Ledenportaal application factory."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import config_from_name
from portal.logs import configure_logging


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
    for name in ("LOG_FORMAT", "LOG_LEVEL"):  # also without the prefix, as operators expect
        if os.environ.get(name) and f"PORTAL_{name}" not in os.environ:
            app.config[name] = os.environ[name]
    app.config.update(overrides)
    _check_and_complete_config(app)
    configure_logging(app)

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
    if uri.startswith("sqlite"):
        # A file has no server that could drop the connection: no ping before every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    _configure_proxy_and_hosts(app)


def _configure_proxy_and_hosts(app: Flask) -> None:
    """Trust exactly the configured number of proxies, and only the configured host names.

    Without a trusted proxy (PROXY_FIX_X_FOR=0) X-Forwarded-* headers are ignored, so a
    client cannot choose the address the login throttle counts. Behind one nginx: 1.
    """
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops:
        x_proto = app.config.get("PROXY_FIX_X_PROTO")
        x_host = app.config.get("PROXY_FIX_X_HOST")
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=hops,
            x_proto=hops if x_proto is None else int(x_proto),
            x_host=hops if x_host is None else int(x_host),
        )
    trusted = app.config.get("TRUSTED_HOSTS")
    if isinstance(trusted, str):  # PORTAL_TRUSTED_HOSTS="portaal.sociare.be, localhost"
        trusted = [host.strip() for host in trusted.split(",") if host.strip()]
    base_host = urlsplit(app.config["BASE_URL"]).hostname
    if not trusted and app.config["IS_PRODUCTION"]:
        # Secure default: the host of BASE_URL, plus loopback for local health checks.
        trusted = [base_host, "localhost", "127.0.0.1"]
    if trusted and base_host not in trusted:
        # Mail links are built for BASE_URL; Flask refuses to build them for an untrusted host.
        trusted = [*trusted, base_host]
    app.config["TRUSTED_HOSTS"] = list(trusted) if trusted else None


def register_extensions(app: Flask) -> None:
    from portal import i18n, security, unit_of_work
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
    from portal.i18n import lazy_gettext as _l

    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    security.init_app(app)
    unit_of_work.init_app(app)

    from portal.navigation import page_url, row_url

    app.jinja_env.globals.update(page_url=page_url, row_url=row_url)

    @app.context_processor
    def inject_layout():
        from flask import g
        from flask_login import current_user

        from portal.navigation import menus_for

        # Once per request: the dashboard renders a template per panel, each with this context.
        if "menus" not in g:
            g.menus = menus_for(current_user)
        return {
            "menus": g.menus,
            "federation_name": app.config["FEDERATION_NAME"],
            "privacy_policy_url": app.config["PRIVACY_POLICY_URL"],
        }


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
