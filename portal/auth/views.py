"""Log in and log out."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.auth import bp, services
from portal.auth.forms import LoginForm
from portal.security import public_endpoint, safe_next


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
