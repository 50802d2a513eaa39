"""The staff back office under /beheer: organisations, audit log, data-breach register.

Other flows add their own /beheer pages and nav items; the /beheer index lists them all.
"""

from flask import Blueprint

from portal.i18n import lazy_gettext as _l
from portal.navigation import add_nav_item

bp = Blueprint("staff", __name__, url_prefix="/beheer")


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_staff", False))


add_nav_item("staff.index", _l("Back office"), is_visible=_is_staff, order=1)  # first
add_nav_item("staff.organisations", _l("Organisations"), is_visible=_is_staff, order=91)
add_nav_item("staff.audit_log", _l("Audit log"), is_visible=_is_staff, order=97)
add_nav_item("staff.breaches", _l("Data breaches"), is_visible=_is_staff, order=98)

from portal.staff import views  # noqa: E402,F401
from portal.staff.cli import backup_command, import_group, staff_group  # noqa: E402

cli_groups = (staff_group, import_group, backup_command)
