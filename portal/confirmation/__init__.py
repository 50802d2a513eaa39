"""The confirmation blueprint: the annual data confirmation and its campaigns."""

from flask import Blueprint, g

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_dashboard_panel, add_dashboard_task, add_nav_item
from portal.navigation import render_panel as render_dashboard_panel

bp = Blueprint("confirmation", __name__)


def _confirmation_for(user):
    """The current confirmation of the user's organisation, looked up once per request."""
    if user.contact is None:
        return None
    if "confirmation_current" not in g:
        from portal.confirmation.campaigns import current_confirmation

        g.confirmation_current = current_confirmation(user.contact.organisation_id)
    return g.confirmation_current


def _show_nav(user) -> bool:
    if not user.is_primary_contact:
        return False
    if "confirmation_current" in g:  # the page loaded it already
        return g.confirmation_current is not None
    # The menu only asks whether there is one: a single-column look-up, not the objects.
    from portal.confirmation.campaigns import has_current_confirmation

    return has_current_confirmation(user.contact.organisation_id)


def _is_task(user, confirmation) -> bool:
    return user.is_primary_contact and confirmation.confirmed_at is None


def render_task(user):
    """The primary contact's open confirmation, on top of the dashboard."""
    confirmation = _confirmation_for(user)
    if confirmation is None or not _is_task(user, confirmation):
        return None
    return render_dashboard_panel("confirmation/_task.html", confirmation=confirmation,
                                  campaign=confirmation.campaign)


def render_panel(user):
    """The card: confirmed (for everybody), or not yet (for the other contacts)."""
    confirmation = _confirmation_for(user)
    if confirmation is None or _is_task(user, confirmation):
        return None
    return render_dashboard_panel(
        "confirmation/_panel.html", confirmation=confirmation, campaign=confirmation.campaign,
        is_primary=user.is_primary_contact,
    )


add_nav_item("confirmation.start", _l("Annual confirmation"), is_visible=_show_nav, order=30)
add_nav_item("confirmation.staff_campaigns", _l("Campaigns"),
             is_visible=lambda user: user.is_staff, order=80)
add_dashboard_task(render_task, order=10)
add_dashboard_panel(render_panel, order=30)

from portal.confirmation import jobs, views  # noqa: E402,F401 - jobs registers its handlers
from portal.confirmation.cli import campaign_group  # noqa: E402

cli_groups = (campaign_group,)
