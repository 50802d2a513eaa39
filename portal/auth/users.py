"""Finding a login by the email address someone typed, on the plain indexed column."""

from sqlalchemy import Select, select

from portal.extensions import db
from portal.models import User
from portal.validators import normalise_email


def user_by_email_statement(email: str) -> Select:
    """The look-up the login, the throttle and the reset use: an index search, never a scan.

    Emails are stored in normalise_email's form (a CHECK constraint keeps them lower case), so
    the typed address is normalised, not the column: `lower(email)` would read every row.
    """
    return select(User).where(User.email == normalise_email(email))


def find_user_by_email(email: str | None, *, for_update: bool = False) -> User | None:
    """The login with this address, or None; `for_update` locks its row until the commit."""
    if "\x00" in (email or ""):
        return None  # no address holds NUL, and PostgreSQL refuses it in a query (a 500)
    statement = user_by_email_statement(email or "")
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)
