"""The organisation blueprint: every contact sees the organisation's data, the primary edits."""

from flask import Blueprint
from markupsafe import Markup

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_dashboard_panel, add_nav_item
from portal.navigation import render_panel as render_dashboard_panel

bp = Blueprint("organisation", __name__)


def _render_panel(user) -> Markup | None:
    if user.contact is None:
        return None
    return render_dashboard_panel("organisation/_panel.html",
                                  organisation=user.contact.organisation, user=user)


add_nav_item("organisation.show_organisation", _l("Organisation"),
             is_visible=lambda user: user.contact is not None, order=10)
add_dashboard_panel(_render_panel, order=10)

from portal.organisation import views  # noqa: E402,F401
