"""Accounts: log in and out, two-step verification, reset, invitation, password change."""

from flask import Blueprint

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_nav_item

bp = Blueprint("auth", __name__)

add_nav_item("auth.change_password", _l("Change password"), is_visible=lambda user: True,
             order=90)
add_nav_item("auth.account_security", _l("Security"), is_visible=lambda user: True, order=91)

from portal.auth import views  # noqa: E402,F401
