"""Education leave (BEV / Vlaams opleidingsverlof): personal link, consent, attestations."""

from flask import Blueprint, g
from markupsafe import Markup

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_dashboard_panel, add_dashboard_task, add_nav_item
from portal.navigation import render_panel as render_dashboard_panel

bp = Blueprint("education_leave", __name__)


def _participant_items(user) -> list[dict]:
    """The contact's enrolments with their own link and status, looked up once a request."""
    from portal.education_leave import services

    if user.contact_id is None:
        return []
    if "education_leave_items" not in g:
        g.education_leave_items = [
            {
                "enrolment": enrolment,
                "token": services.dashboard_token(enrolment),
                "status": services.consent_status(enrolment),
                "has_data": services.has_leave_data(enrolment),
            }
            for enrolment in services.enrolments_of_contact(user.contact_id)
        ]
    return g.education_leave_items


def _consent_task(user) -> Markup | None:
    """Enrolled in a recognised training without consent yet: explain, and one button."""
    items = [item for item in _participant_items(user)
             if item["token"] and item["status"] == "no_consent"]
    if not items:
        return None
    return render_dashboard_panel("education_leave/_task.html", items=items)


def _participant_panel(user) -> Markup | None:
    """Contacts enrolled in a recognised training see their enrolments with their own link."""
    items = _participant_items(user)
    if not items:
        return None
    return render_dashboard_panel("education_leave/_panel.html", items=items)


add_nav_item("education_leave.staff_trainings", _l("Trainings"),
             is_visible=lambda user: user.is_staff, order=70)
add_dashboard_task(_consent_task, order=30)
add_dashboard_panel(_participant_panel, order=60)

from portal.education_leave import views  # noqa: E402,F401
from portal.education_leave.cli import attestations_group  # noqa: E402
from portal.education_leave.examples import render_examples_command  # noqa: E402,F401,I001

cli_groups = (attestations_group,)
