"""The privacy blueprint: "Mijn gegevens" with its JSON download, and the public /privacy page."""

from flask import Blueprint

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_nav_item

bp = Blueprint("privacy", __name__)

add_nav_item("privacy.my_data", _l("My data"), is_visible=lambda user: True, order=80,
             area="account")

from portal.privacy import jobs, retention, views  # noqa: E402,F401
