"""Log in (with a second step for TOTP), log out, reset, invitation, password and 2FA pages."""

import time

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from portal.auth import bp, services
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
from portal.errors import PolicyError
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
    key = services.open_session(user, second_factor=second_factor)
    services.record_login(user)  # commits the session row too
    login_user(user)
    session[services.SESSION_KEY] = key


def _show_error(form, field_name: str, message: str) -> None:
    field = getattr(form, field_name, None)
    if field is None:
        flash(message, "error")
    else:
        field.errors = [*field.errors, message]


@bp.route("/aanmelden", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed, scope="login")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if request.args.get("expired") and request.method == "GET":
        flash(_("Your session has ended. Log in again."), "info")
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except (services.AccountLocked, services.CheckInProgress) as error:
            _show_error(form, "password", error.message)
            return render_template("auth/login.html", form=form), 429
        if user is None:
            services.record_failed_login(form.email.data)
            _show_error(form, "password", _("Email address or password is incorrect."))
            status = 200
        else:
            target = safe_next()
            if services.needs_second_factor(user):
                session.clear()
                session[PENDING_KEY] = {"user": user.id, "version": user.session_version,
                                        "at": time.time(), "next": target}
                return redirect(url_for("auth.second_factor"))
            _start_session(user, second_factor=False)
            if user.is_staff:
                flash(_("Staff accounts use two-step verification. Set it up now."), "info")
                return redirect(url_for("auth.totp_setup", next=target))
            return redirect(target)
    return render_template("auth/login.html", form=form), status


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
            valid = services.verify_second_factor(user, form.code.data)
        except services.AccountLocked as error:
            session.pop(PENDING_KEY, None)
            flash(error.message, "error")
            return redirect(url_for("auth.login"))
        if valid:
            target = pending.get("next") or url_for("public.dashboard")
            _start_session(user, second_factor=True)
            if services.recovery_codes_left(user) <= 2:
                flash(_("You have few recovery codes left. Make new ones on the page "
                        "'Security'."), "warning")
            return redirect(target if target.startswith("/") else url_for("public.dashboard"))
        _show_error(form, "code", _("This code is not correct."))
    return render_template("auth/second_factor.html", form=form)


@bp.post("/afmelden")
@public_endpoint
def logout():
    user = current_user._get_current_object() if current_user.is_authenticated else None
    services.end_session(user, session.get(services.SESSION_KEY))
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
        services.request_password_reset(form.email.data)
        # The same page whether or not the address is known.
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form)


def _invalid_link(message: str):
    return render_template("auth/link_invalid.html", message=message), 400


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@public_endpoint
def reset_password(token: str):
    try:
        user = services.user_for_reset(token)
    except InvalidToken as error:
        return _invalid_link(
            _("This link has expired: it works for one hour. Ask for a new one.")
            if error.expired else
            _("This link is not valid (any more). It works only once, and no longer after "
              "your password changed. Ask for a new one if needed."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data)
        except PolicyError as error:
            _show_error(form, error.field or "password", error.message)
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
        user = services.user_for_invitation(token)
    except InvalidToken as error:
        return _invalid_link(
            _("This invitation has expired. Ask your primary contact to send a new one.")
            if error.expired else
            _("This invitation link is not valid (any more). It may have been used "
              "already; then log in with your password."))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(user, form.password.data)
        except PolicyError as error:
            _show_error(form, error.field or "password", error.message)
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
            services.change_password(user, form.current_password.data, form.password.data,
                                     keep_key=session.get(services.SESSION_KEY))
        except services.AccountLocked as error:
            key = session.get(services.SESSION_KEY)
            services.end_session(user, key)
            logout_user()
            session.clear()
            flash(error.message, "error")
            return redirect(url_for("auth.login"))
        except PolicyError as error:
            _show_error(form, error.field or "password", error.message)
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
        codes_left=services.recovery_codes_left(user),
        button_form=ButtonForm(),
        codes_form=ConfirmWithPasswordForm(prefix="codes"),
        off_form=ConfirmWithPasswordForm(prefix="off"),
    )


@bp.post("/account/elders-afmelden")
def log_out_elsewhere():
    form = ButtonForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.log_out_elsewhere(user, session.get(services.SESSION_KEY))
        login_user(user)
        flash(_("You are logged out on all your other devices."), "success")
    return redirect(url_for("auth.account_security"))


@bp.route("/account/tweestapsverificatie", methods=["GET", "POST"])
def totp_setup():
    user = current_user._get_current_object()
    if user.totp_enabled_at is not None:
        flash(_("Two-step verification is already switched on."), "info")
        return redirect(url_for("auth.account_security"))
    secret = services.begin_totp_setup(user)
    form = TotpSetupForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_totp_setup(user, form.code.data)
        except PolicyError as error:
            _show_error(form, "code", error.message)
        else:
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=safe_next("auth.account_security"))
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/totp_setup.html", form=form, secret=grouped,
                           qr=services.qr_data_uri(services.totp_uri(user)))


@bp.post("/account/tweestapsverificatie/herstelcodes")
def renew_recovery_codes():
    form = ConfirmWithPasswordForm(prefix="codes")
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            codes = services.renew_recovery_codes(user, form.password.data)
        except PolicyError as error:
            flash(error.message, "error")
        else:
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=url_for("auth.account_security"))
    else:
        flash(_("Enter your current password."), "error")
    return redirect(url_for("auth.account_security"))


@bp.post("/account/tweestapsverificatie/uitzetten")
def disable_totp():
    user = current_user._get_current_object()
    if user.is_staff:
        abort(403)
    form = ConfirmWithPasswordForm(prefix="off")
    if form.validate_on_submit():
        try:
            services.disable_totp(user, form.password.data)
        except PolicyError as error:
            flash(error.message, "error")
        else:
            flash(_("Two-step verification is switched off."), "success")
    else:
        flash(_("Enter your current password."), "error")
    return redirect(url_for("auth.account_security"))
