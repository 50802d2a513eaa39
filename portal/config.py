"""Configurations: safe defaults in code, secrets and URLs from the environment."""

import os
from datetime import timedelta


class Config:
    """Defaults shared by every configuration; nothing secret lives here."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = "sqlite:///portal.db"  # made absolute under instance/ by create_app
    # hide_parameters: a database error would otherwise put the statement's values (IBANs,
    # names, birth dates) into the exception text, and so into the error log.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Babel
    BABEL_DEFAULT_LOCALE = "nl_BE"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    BABEL_TRANSLATION_DIRECTORIES = "../translations"
    LANGUAGES = ("nl_BE",)

    # Federation
    FEDERATION_NAME = "Sociare"
    PRIVACY_POLICY_URL = "https://www.sociare.be/privacy-policy"
    PRIVACY_CONTACT_EMAIL = "privacy@sociare.be"
    # The provider named on education-leave attestations (opleidingsverstrekker / instelling).
    EDUCATION_PROVIDER_NAME = "Sociare vzw"
    EDUCATION_PROVIDER_KBO = "0448444064"  # shown as 0448.444.064
    EDUCATION_PROVIDER_ADDRESS = "Ravensteingalerij 28 bus 3, 1000 Brussel"

    # Mail
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_DEFAULT_SENDER = ("Sociare Ledenportaal", "ledenportaal@sociare.be")
    MAIL_SUPPRESS_SEND = False
    # Write every mail as .eml to this folder (development, testing); None in production.
    MAIL_FILE_DIR: str | None = None
    # Deliver the outbox right after each commit (development, testing); production uses a worker.
    MAIL_DELIVER_AFTER_COMMIT = True
    MAIL_MAX_ATTEMPTS = 8
    # Seconds the mail worker waits for the SMTP server (the worker sets it for its sockets).
    MAIL_TIMEOUT = 60
    UNSUBSCRIBE_MAILTO = "afmelden@sociare.be"

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(0)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: no form of the portal needs more
    WTF_CSRF_TIME_LIMIT = 3600 * 12
    SEND_HSTS = False

    # Rate limiting (Flask-Limiter); Redis in production so processes share counts.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    THROTTLE_KEY_PREFIX = "portal"
    # Failed log-in attempts per client IP (on top of 5 per address); reset requests per IP.
    LOGIN_RATE_LIMIT = "30 per 15 minutes"
    # Seconds an address waits after a wrong password before its next check (0: no pause;
    # one check at a time per address still holds).
    LOGIN_RETRY_SECONDS = 5
    RESET_RATE_LIMIT = "10 per 15 minutes"
    # Number of trusted reverse proxies in front of the app (X-Forwarded-For hops to trust).
    PROXY_FIX_X_FOR = 0
    # X-Forwarded-Proto / -Host hops to trust; None: the same as PROXY_FIX_X_FOR.
    PROXY_FIX_X_PROTO: int | None = None
    PROXY_FIX_X_HOST: int | None = None
    # Host names the portal answers to (Flask 3.1); a comma-separated string is accepted.
    # Production default: the host of BASE_URL plus localhost/127.0.0.1 (health checks).
    TRUSTED_HOSTS: list[str] | str | None = None

    # Logging: "text" or "json" (JSON lines with a line per request); never personal data.
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    LOG_REQUESTS = False

    # Retention (privacy policy: at most five years after membership ends)
    RETENTION_YEARS_AFTER_MEMBERSHIP = 5
    EDUCATION_LEAVE_RETENTION_DAYS = 365
    # A participant's personal link stays valid this long after the training's last day.
    EDUCATION_LEAVE_LINK_MARGIN_DAYS = 60
    # Audit events are proof of who did what; after this many years they are pruned.
    AUDIT_RETENTION_YEARS = 5
    # Hours within which a data breach must be reported to the Data Protection Authority.
    BREACH_NOTIFICATION_HOURS = 72

    # Annual confirmation: days between reminders, and mails marked sent per commit while a
    # campaign is mailed (a killed process may resend at most this many; 1 is the safest).
    CONFIRMATION_REMINDER_INTERVAL_DAYS = 14
    CONFIRMATION_MAIL_COMMIT_EVERY = 1

    IS_PRODUCTION = False


class DevelopmentConfig(Config):
    """The embedded default: SQLite in instance/, mails written to instance/mail/."""

    DEBUG = False
    MAIL_SUPPRESS_SEND = True
    MAIL_FILE_DIR = "mail"  # relative to the instance folder


class TestingConfig(Config):
    TESTING = True
    LOGIN_RETRY_SECONDS = 0  # tests of the pause set it themselves
    SECRET_KEY = "testing-only-secret-key"  # noqa: S105 - tests only
    WTF_CSRF_ENABLED = False
    MAIL_SUPPRESS_SEND = True
    RATELIMIT_ENABLED = True
    SERVER_NAME = "localhost"
    BASE_URL = "http://localhost"  # mail links on the test client's host
    PREFERRED_URL_SCHEME = "http"


class ProductionConfig(Config):
    IS_PRODUCTION = True
    DEBUG = False
    TESTING = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    PREFERRED_URL_SCHEME = "https"
    SEND_HSTS = True
    MAIL_DELIVER_AFTER_COMMIT = False


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_name(name: str | None):
    """Return the configuration class for a name (PORTAL_CONFIG), development by default."""
    name = name or os.environ.get("PORTAL_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise SystemExit(f"Unknown PORTAL_CONFIG {name!r}; use one of {', '.join(CONFIGS)}.")
