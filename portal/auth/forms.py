"""Forms of the accounts flow."""

from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.forms import Form
from portal.i18n import lazy_gettext as _l


class LoginForm(Form):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


def new_password_field() -> PasswordField:
    # A function, not a shared field: each form gets its own field, in declaration order.
    return PasswordField(
        _l("New password"),
        description=_l("At least 15 characters. A sentence of a few words works well."),
        validators=[DataRequired(_l("Choose a password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )


def repeated_password_field() -> PasswordField:
    return PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Type the password a second time.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(Form):
    """A new password, typed twice; pasting from a password manager is welcome."""

    password = new_password_field()
    password_again = repeated_password_field()
    submit = SubmitField(_l("Save password"))


class SecondFactorForm(Form):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your authenticator app shows now, or one of your "
                       "recovery codes."),
        validators=[DataRequired(_l("Enter the code.")), Length(max=64)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none",
                   "spellcheck": "false"},
    )
    submit = SubmitField(_l("Continue"))


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email address"),
        description=_l("The professional email address you log in with."),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField(_l("Send link"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field()
    password_again = repeated_password_field()
    submit = SubmitField(_l("Change password"))


class TotpSetupForm(Form):
    code = StringField(
        _l("Code from the app"),
        description=_l("The 6 digits your authenticator app shows for the member portal."),
        validators=[DataRequired(_l("Enter the code.")), Length(max=16)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Switch on"))


class ConfirmWithPasswordForm(Form):
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ButtonForm(Form):
    """A form with only the CSRF token and a button."""
