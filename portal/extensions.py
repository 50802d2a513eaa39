"""Extension objects, created bare here and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()


def _limit_key() -> str:
    # The app's prefix in the key itself: tests build many apps in one process, and
    # Flask-Limiter keeps the first app's RATELIMIT_KEY_PREFIX for good.
    from flask import current_app

    return f"{current_app.config['THROTTLE_KEY_PREFIX']}/{get_remote_address()}"


limiter = Limiter(key_func=_limit_key, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
        # Erased values are overwritten with zeros in the file, not left in free pages:
        # upstream SQLite's default is off (Debian's build turns it on); never depend on it.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
