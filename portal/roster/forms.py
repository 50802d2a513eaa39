"""The contact form, also used in step 2 of the annual confirmation."""

from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form
from portal.i18n import lazy_gettext as _l
from portal.validators import EmailAddress, PhoneNumber, PlainText, clean_text

TEXT = [clean_text]


class ContactDetailsForm(Form):
    """What a contact may correct about themself: not their email or rights."""

    version = HiddenField()
    first_name = StringField(_l("First name"), filters=TEXT,
                             validators=[DataRequired(_l("Fill in the first name.")),
                                         Length(max=100), PlainText()])
    last_name = StringField(_l("Last name"), filters=TEXT,
                            validators=[DataRequired(_l("Fill in the last name.")),
                                        Length(max=100), PlainText()])
    phone = StringField(_l("Professional phone"), filters=TEXT, render_kw={"type": "tel"},
                        validators=[Optional(), Length(max=30), PhoneNumber()])
    function = StringField(_l("Function"), filters=TEXT,
                           validators=[Optional(), Length(max=100), PlainText()])
    submit = SubmitField(_l("Save"))

    DATA_FIELDS = ("first_name", "last_name", "phone", "function")

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in self.DATA_FIELDS}


class ContactForm(ContactDetailsForm):
    """A contact as the primary contact manages it: details, email and access rights."""

    email = EmailField(_l("Professional email address"), filters=TEXT,
                       validators=[DataRequired(_l("Fill in the email address.")),
                                   Length(max=254), EmailAddress()])
    has_advice_right = BooleanField(_l("May ask the advice service questions"))
    has_newsletter_right = BooleanField(_l("Receives newsletters and invitations"))
    has_website_right = BooleanField(
        _l("May log in to the member portal"),
        description=_l("A login for this portal. Somebody without a password yet gets a "
                       "mail with a link to choose one."))

    DATA_FIELDS = ("first_name", "last_name", "email", "phone", "function",
                   "has_advice_right", "has_newsletter_right", "has_website_right")


class AcceptPrimaryForm(ContactDetailsForm):
    """The proposed primary contact confirms their own details and accepts the role."""

    submit = SubmitField(_l("Confirm and accept the role"))
