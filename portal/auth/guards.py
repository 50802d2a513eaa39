"""Request-time checks of the accounts flow that other parts of the portal rely on."""

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from portal.auth.sessions import SESSION_KEY, end_session, has_second_factor_in_session
from portal.i18n import gettext as _


def staff_second_factor_guard():
    """None when this staff session passed two-step verification; otherwise a redirect.

    Staff see every organisation's personal data: without TOTP they set it up first; with
    TOTP but no proof in this session (should not happen) they log in again.
    """
    if has_second_factor_in_session():
        return None
    target = request.full_path.rstrip("?")
    if current_user.totp_enabled_at is None:
        flash(_("Staff accounts use two-step verification. Set it up now."), "info")
        return redirect(url_for("auth.totp_setup", next=target))
    end_session(None, session.get(SESSION_KEY))
    logout_user()
    session.clear()
    return redirect(url_for("auth.login", next=target))
