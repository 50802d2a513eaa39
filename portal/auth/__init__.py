"""Accounts: log in and out, two-step verification, reset, invitation, password change."""

from flask import Blueprint

from portal.extensions import login_manager
from portal.i18n import lazy_gettext as _l
from portal.navigation import add_nav_item
from portal.security import add_staff_guard

bp = Blueprint("auth", __name__)

add_nav_item("auth.change_password", _l("Change password"), is_visible=lambda user: True,
             order=90, area="account")
add_nav_item("auth.account_security", _l("Security"), is_visible=lambda user: True, order=91,
             area="account")


@login_manager.user_loader
def _load_user(alternative_id: str):
    # The user only while their server-side session row lives (logout kills copies).
    from flask import session

    from portal.auth.services import SESSION_KEY, load_session_user

    return load_session_user(alternative_id, session.get(SESSION_KEY))


from portal.auth import views  # noqa: E402,F401
from portal.auth.guards import staff_second_factor_guard  # noqa: E402

add_staff_guard(staff_second_factor_guard)
