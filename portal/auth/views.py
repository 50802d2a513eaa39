"""Log in and log out."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.auth import bp, services
from portal.auth.forms import LoginForm, SetPasswordForm
from portal.errors import PolicyError
from portal.security import public_endpoint, safe_next
from portal.tokens import InvalidToken


@bp.route("/aanmelden", methods=["GET", "POST"])
@public_endpoint
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if request.args.get("expired") and request.method == "GET":
        flash(_("Your session has ended. Log in again."), "info")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            services.record_failed_login(form.email.data)
            form.password.errors.append(_("Email address or password is incorrect."))
        else:
            target = safe_next()
            session.clear()  # a fresh session at login: no fixation
            login_user(user)
            services.record_login(user)
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.post("/afmelden")
@public_endpoint
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@public_endpoint
def accept_invitation(token: str):
    try:
        user = services.user_for_invitation(token)
    except InvalidToken as error:
        message = (_("This invitation has expired. Ask your primary contact to send a new one.")
                   if error.expired else
                   _("This invitation link is not valid (any more). It may have been used "
                     "already; then log in with your password."))
        return render_template("auth/link_invalid.html", message=message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(user, form.password.data)
        except PolicyError as error:
            form.password.errors.append(error.message)
        else:
            session.clear()
            login_user(user)
            services.record_login(user)
            flash(_("Your password is set. Welcome to the member portal."), "success")
            return redirect(url_for("public.dashboard"))
    return render_template("auth/accept_invitation.html", form=form, user=user)
