"""Accounts: log in and out, two-step verification, reset, invitation, password change.

Module map: users (find a login by email), throttle (address lock, one password check at a
time), credentials (authenticate, log in, re-ask the password), sessions (server-side
sessions), passwords (rules, set, change), resets, invitations (the login follows the
website right, through portal.signals), two_factor (TOTP, recovery codes), retention, guards
(the staff second-factor check), views, forms.
"""

from flask import Blueprint, session

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
    from portal.auth.sessions import SESSION_KEY, load_session_user

    return load_session_user(alternative_id, session.get(SESSION_KEY))


# Imported for what they register: routes, the retention step, and apply_website_right as
# the receiver of portal.signals.contact_access_changed.
from portal.auth import invitations, retention, views  # noqa: E402,F401
from portal.auth.guards import staff_second_factor_guard  # noqa: E402

add_staff_guard(staff_second_factor_guard)
