"""The roster blueprint: contact persons and their rights, kept by the primary contact."""

from flask import Blueprint, g
from markupsafe import Markup

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_dashboard_panel, add_dashboard_task, add_nav_item
from portal.navigation import render_panel as render_dashboard_panel

bp = Blueprint("roster", __name__)


def _offered_proposal(user):
    """The open proposal of the user's organisation (at most one), looked up once a request."""
    if "roster_proposal" not in g:
        from portal.roster.transfer import pending_transfer

        g.roster_proposal = pending_transfer(user.organisation_id)
    return g.roster_proposal


def _render_task(user) -> Markup | None:
    """A proposal to become primary contact: accept or decline, on top of the dashboard."""
    if user.contact is None:
        return None
    proposal = _offered_proposal(user)
    if proposal is None or proposal.to_contact_id != user.contact.id:
        return None
    from portal.roster.transfer import transfer_token

    return render_dashboard_panel("roster/_task.html", proposal=proposal,
                                  token=transfer_token(proposal), user=user)


def _render_panel(user) -> Markup | None:
    if user.contact is None:
        return None
    proposal = _offered_proposal(user)
    return render_dashboard_panel(
        "roster/_panel.html", user=user,
        open_proposal=proposal if proposal and user.is_primary_contact else None,
    )


add_nav_item("roster.list_contacts", _l("Contact persons"),
             is_visible=lambda user: user.is_primary_contact, order=20)
add_dashboard_task(_render_task, order=20)
add_dashboard_panel(_render_panel, order=20)

from portal.roster import views  # noqa: E402,F401
