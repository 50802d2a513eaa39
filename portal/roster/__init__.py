"""The roster blueprint: contact persons and their rights, kept by the primary contact."""

from flask import Blueprint
from markupsafe import Markup

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_dashboard_panel, add_nav_item
from portal.navigation import render_panel as render_dashboard_panel

bp = Blueprint("roster", __name__)


def _render_panel(user) -> Markup | None:
    if user.contact is None:
        return None
    from portal.roster.transfer import pending_transfer, transfer_token

    # An organisation has at most one open proposal: either this person is offered the role
    # or, as primary contact, they made the proposal.
    proposal = pending_transfer(user.organisation_id)
    offered = proposal if proposal and proposal.to_contact_id == user.contact.id else None
    return render_dashboard_panel(
        "roster/_panel.html", user=user,
        accept_token=transfer_token(offered) if offered else None,
        open_proposal=proposal if proposal and user.is_primary_contact else None,
    )


add_nav_item("roster.list_contacts", _l("Contact persons"),
             is_visible=lambda user: user.is_primary_contact, order=20)
add_dashboard_panel(_render_panel, order=11)

from portal.roster import views  # noqa: E402,F401
