"""Newsletters: own subscriptions, unsubscribe links, public sign-up, mailings and export."""

from flask import Blueprint

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_dashboard_panel, add_nav_item
from portal.navigation import render_panel as render_dashboard_panel

bp = Blueprint("newsletters", __name__)


@bp.app_template_filter("with_article")
def _with_article(name: str) -> str:
    """{{ item.name|with_article }}: "de nieuwsbrief" in running text (mails too)."""
    from portal.newsletters.naming import with_article

    return with_article(name)


def _dashboard_panel(user):
    if user.contact is None:
        return None
    from portal.newsletters import services

    person = services.Person(contact=user.contact)
    lists, subscribed = services.lists_and_choice(person)
    return render_dashboard_panel(
        "newsletters/_panel.html", contact=user.contact,
        receiving=[item for item in lists if item.id in subscribed],
        total=len(lists),
    )


add_nav_item("newsletters.preferences", _l("Newsletters"),
             is_visible=lambda user: user.contact is not None, order=40)
add_nav_item("newsletters.staff_lists", _l("Newsletters"),
             is_visible=lambda user: user.is_staff, order=80)
add_dashboard_panel(_dashboard_panel, order=40)

from portal.newsletters import jobs, views  # noqa: E402,F401
from portal.newsletters.cli import newsletter_group  # noqa: E402

cli_groups = (newsletter_group,)
