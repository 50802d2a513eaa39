"""Log in (with a second step for TOTP), log out, reset, invitation, password and 2FA pages.

The request commits once when a view answers below 400, and rolls back otherwise. A failed
attempt (wrong password, wrong code, wrong current password) is counted by a service and
answered with the form and its error (200) or a redirect, so the count is committed; a
refusal (PolicyError) goes through show_refusal, which rolls the use case back.
"""

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import bp, credentials, invitations, passwords, resets, sessions, two_factor
from portal.auth.forms import (
    ButtonForm,
    ChangePasswordForm,
    ConfirmWithPasswordForm,
    ForgotPasswordForm,
    LoginForm,
    SecondFactorForm,
    SetPasswordForm,
    TotpSetupForm,
)
from portal.auth.throttle import AccountLocked, CheckInProgress
from portal.errors import PolicyError, show_refusal
from portal.extensions import db, limiter
from portal.i18n import gettext as _
from portal.models import User
from portal.security import public_endpoint, safe_next
from portal.tokens import InvalidToken

PENDING_KEY = "_pending_login"
PENDING_MAX_AGE = 300  # seconds between the password and the second step


def _ip_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failed attempts use up the per-IP allowance; a successful log-in redirects.
    return response.status_code != 302


def _start_session(user: User, second_factor: bool) -> None:
    """A fresh session (new identifier: no fixation) with its server-side row."""
    session.clear()
    key = credentials.start_session(user, second_factor=second_factor)
    login_user(user)
    session[sessions.SESSION_KEY] = key


def _log_out_locked(user: User, error: AccountLocked):
    """Guessing the current password locked the address: this session ends too."""
    show_refusal(error)
    sessions.end_session(user, session.get(sessions.SESSION_KEY))
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def _wrong_current_password() -> str:
    return _("Your current password is not correct.")


@bp.route("/aanmelden", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed, scope="login")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if request.args.get("expired") and request.method == "GET":
        flash(_("Your session has ended. Log in again."), "info")
    if form.validate_on_submit():
        try:
            user = credentials.authenticate(form.email.data, form.password.data)
        except (AccountLocked, CheckInProgress) as error:
            show_refusal(error, form)
            return render_template("auth/login.html", form=form), 429
        if user is None:
            # The failure is counted; this page (200) commits it.
            form.password.errors.append(_("Email address or password is incorrect."))
        else:
            target = safe_next()
            if credentials.needs_second_factor(user):
                session.clear()
                session[PENDING_KEY] = {"user": user.id, "version": user.session_version,
                                        "at": time.time(), "next": target}
                return redirect(url_for("auth.second_factor"))
            _start_session(user, second_factor=False)
            if user.is_staff:
                flash(_("Staff accounts use two-step verification. Set it up now."), "info")
                return redirect(url_for("auth.totp_setup", next=target))
            return redirect(target)
    return render_template("auth/login.html", form=form)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None, {}
    user = db.session.get(User, pending.get("user"))
    if user is None or user.session_version != pending.get("version") or not user.is_active:
        return None, {}
    return user, pending


@bp.route("/aanmelden/code", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed, scope="login-code")
def second_factor():
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("Log in again with your email address and password."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            valid = two_factor.verify_second_factor(user, form.code.data)
        except AccountLocked as error:
            show_refusal(error)
            session.pop(PENDING_KEY, None)
            return redirect(url_for("auth.login"))
        if valid:
            target = pending.get("next") or url_for("public.dashboard")
            _start_session(user, second_factor=True)
            if two_factor.recovery_codes_left(user) <= 2:
                flash(_("You have few recovery codes left. Make new ones on the page "
                        "'Security'."), "warning")
            return redirect(target if target.startswith("/") else url_for("public.dashboard"))
        # The failure is counted; this page (200) commits it.
        form.code.errors.append(_("This code is not correct."))
    return render_template("auth/second_factor.html", form=form)


@bp.post("/afmelden")
@public_endpoint
def logout():
    user = current_user._get_current_object() if current_user.is_authenticated else None
    sessions.end_session(user, session.get(sessions.SESSION_KEY))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"],
               scope="reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        resets.request_password_reset(form.email.data)
        # The same page whether or not the address is known.
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form)


def _invalid_link(message: str):
    return render_template("auth/link_invalid.html", message=message), 400


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@public_endpoint
def reset_password(token: str):
    try:
        user = resets.user_for_reset(token)
    except InvalidToken as error:
        return _invalid_link(
            _("This link has expired: it works for one hour. Ask for a new one.")
            if error.expired else
            _("This link is not valid (any more). It works only once, and no longer after "
              "your password changed. Ask for a new one if needed."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            resets.reset_password(user, form.password.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            logout_user()
            session.clear()
            flash(_("Your new password is saved. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@public_endpoint
def accept_invitation(token: str):
    try:
        user = invitations.user_for_invitation(token)
    except InvalidToken as error:
        return _invalid_link(
            _("This invitation has expired. Ask your primary contact to send a new one.")
            if error.expired else
            _("This invitation link is not valid (any more). It may have been used "
              "already; then log in with your password."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept_invitation(user, form.password.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            _start_session(user, second_factor=False)
            flash(_("Your password is set. Welcome to the member portal."), "success")
            if user.is_staff:
                return redirect(url_for("auth.totp_setup"))
            return redirect(url_for("public.dashboard"))
    return render_template("auth/accept_invitation.html", form=form, user=user)


@bp.route("/wachtwoord-wijzigen", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            right = credentials.verify_current_password(user, form.current_password.data)
        except AccountLocked as error:
            return _log_out_locked(user, error)
        if not right:
            # The failure is counted; this page (200) commits it.
            form.current_password.errors.append(_wrong_current_password())
            return render_template("auth/change_password.html", form=form)
        try:
            passwords.change_password(user, form.password.data,
                                      keep_key=session.get(sessions.SESSION_KEY))
        except PolicyError as error:
            show_refusal(error, form)
        else:
            login_user(user)  # this session carries the new session version
            flash(_("Your password is changed. You are logged out on your other devices."),
                  "success")
            return redirect(url_for("auth.account_security"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/account/beveiliging")
def account_security():
    user = current_user._get_current_object()
    return render_template(
        "auth/security.html",
        user=user,
        codes_left=two_factor.recovery_codes_left(user),
        button_form=ButtonForm(),
        codes_form=ConfirmWithPasswordForm(prefix="codes"),
        off_form=ConfirmWithPasswordForm(prefix="off"),
    )


@bp.post("/account/elders-afmelden")
def log_out_elsewhere():
    form = ButtonForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        sessions.log_out_elsewhere(user, session.get(sessions.SESSION_KEY))
        login_user(user)
        flash(_("You are logged out on all your other devices."), "success")
    return redirect(url_for("auth.account_security"))


@bp.route("/account/tweestapsverificatie", methods=["GET", "POST"])
def totp_setup():
    user = current_user._get_current_object()
    if user.totp_enabled_at is not None:
        flash(_("Two-step verification is already switched on."), "info")
        return redirect(url_for("auth.account_security"))
    form = TotpSetupForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_totp_setup(user, form.code.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=safe_next("auth.account_security"))
    # After a refusal too: the secret shown is the one this page (200) stores.
    secret = two_factor.begin_totp_setup(user)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/totp_setup.html", form=form, secret=grouped,
                           qr=two_factor.qr_data_uri(two_factor.totp_uri(user)))


def _with_current_password(form: ConfirmWithPasswordForm, change):
    """Run `change(user)` when the form holds the current password; flash and redirect.

    A wrong password is counted and answered with a redirect, which commits the count.
    """
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        flash(_("Enter your current password."), "error")
        return redirect(url_for("auth.account_security"))
    try:
        right = credentials.verify_current_password(user, form.password.data)
    except AccountLocked as error:
        return _log_out_locked(user, error)
    if not right:
        flash(_wrong_current_password(), "error")
        return redirect(url_for("auth.account_security"))
    try:
        return change(user)
    except PolicyError as error:
        show_refusal(error)
        return redirect(url_for("auth.account_security"))


@bp.post("/account/tweestapsverificatie/herstelcodes")
def renew_recovery_codes():
    def renew(user: User):
        codes = two_factor.renew_recovery_codes(user)
        return render_template("auth/recovery_codes.html", codes=codes,
                               next_url=url_for("auth.account_security"))

    return _with_current_password(ConfirmWithPasswordForm(prefix="codes"), renew)


@bp.post("/account/tweestapsverificatie/uitzetten")
def disable_totp():
    if current_user.is_staff:
        abort(403)

    def switch_off(user: User):
        two_factor.disable_totp(user)
        flash(_("Two-step verification is switched off."), "success")
        return redirect(url_for("auth.account_security"))

    return _with_current_password(ConfirmWithPasswordForm(prefix="off"), switch_off)
