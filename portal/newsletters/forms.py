"""Forms of the newsletters flow: input shape only.

The views pass in what comes from the database or the rules: the lists to switch or choose,
and the consent text shown next to the sign-up box.
"""

from wtforms import BooleanField, EmailField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import Form
from portal.i18n import lazy_gettext as _l
from portal.validators import EmailAddress, PlainText, clean_text


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes in one fieldset (rendered by the forms macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def list_field_name(newsletter_list) -> str:
    return f"list_{newsletter_list.id}"


def preferences_form(lists, subscribed_ids: set[int], *, csrf: bool = True, formdata=None):
    """One switch per list; `formdata=None` lets Flask-WTF read the request on POST."""

    class PreferencesForm(Form):
        pass

    if not csrf:
        PreferencesForm.Meta = type("Meta", (), {"csrf": False})
    for newsletter_list in lists:
        setattr(
            PreferencesForm,
            list_field_name(newsletter_list),
            BooleanField(
                newsletter_list.name,
                description=newsletter_list.description,
                default=newsletter_list.id in subscribed_ids,
                render_kw={"role": "switch"},
            ),
        )
    PreferencesForm.submit = SubmitField(_l("Save my choice"))
    kwargs = {} if formdata is None else {"formdata": formdata}
    return PreferencesForm(**kwargs)


def wanted_ids(form, lists) -> set[int]:
    return {item.id for item in lists if form[list_field_name(item)].data}


class RequestLinkForm(Form):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254),
                    EmailAddress()],
        filters=[clean_text],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


class SignUpForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200), PlainText()],
        filters=[clean_text],
        render_kw={"autocomplete": "name"},
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        validators=[Optional(), Length(max=200), PlainText()],
        filters=[clean_text],
        render_kw={"autocomplete": "organization"},
    )
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254),
                    EmailAddress()],
        filters=[clean_text],
        render_kw={"autocomplete": "email"},
    )
    lists = MultiCheckboxField(
        _l("Newsletters"), coerce=int,
        validators=[DataRequired(_l("Choose at least one newsletter."))],
    )
    consent = BooleanField(
        "",  # the consent text, set by sign_up_form()
        validators=[DataRequired(_l("Tick the box to give your consent; without it we "
                                    "cannot send you anything."))],
    )
    # Honeypot: hidden from people by CSS, bots fill it in. Never required.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off",
                                                                    "tabindex": "-1"})
    submit = SubmitField(_l("Sign up"))


class ConfirmForm(Form):
    submit = SubmitField(_l("Confirm my subscription"))


def sign_up_form(lists, consent_text) -> SignUpForm:
    """The public sign-up form with these lists to choose from and this consent text shown."""
    form = SignUpForm()
    form.lists.choices = [(item.id, item.name) for item in lists]
    form.consent.label.text = consent_text
    return form
