"""The contact forms, also used in step 2 of the annual confirmation."""

from wtforms import BooleanField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import VersionedForm
from portal.i18n import format_phone
from portal.i18n import lazy_gettext as _l
from portal.roster.labels import CONTACT_LABELS, DETAIL_FIELDS
from portal.roster.labels import DATA_FIELDS as CONTACT_FIELDS
from portal.validators import EmailAddress, PhoneNumber, PlainText, clean_text

TEXT = [clean_text]
LABEL = CONTACT_LABELS


class ContactDetailsForm(VersionedForm):
    """What a contact may correct about themself: not their email or rights."""

    first_name = StringField(LABEL["first_name"], filters=TEXT,
                             validators=[DataRequired(_l("Fill in the first name.")),
                                         Length(max=100), PlainText()])
    last_name = StringField(LABEL["last_name"], filters=TEXT,
                            validators=[DataRequired(_l("Fill in the last name.")),
                                        Length(max=100), PlainText()])
    phone = StringField(LABEL["phone"], filters=TEXT, render_kw={"type": "tel"},
                        validators=[Optional(), Length(max=30), PhoneNumber()])
    function = StringField(LABEL["function"], filters=TEXT,
                           validators=[Optional(), Length(max=100), PlainText()])
    submit = SubmitField(_l("Save"))

    DATA_FIELDS = DETAIL_FIELDS

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in self.DATA_FIELDS}

    @classmethod
    def filled(cls, contact):
        """The form filled with the stored data, the phone written the Belgian way."""
        form = cls(formdata=None, obj=contact)
        form.version.data = contact.version
        form.phone.data = format_phone(contact.phone)
        return form


class ContactForm(ContactDetailsForm):
    """A contact as the primary contact manages it: details, email and access rights."""

    email = EmailField(LABEL["email"], filters=TEXT,
                       validators=[DataRequired(_l("Fill in the email address.")),
                                   Length(max=254), EmailAddress()])
    has_advice_right = BooleanField(LABEL["has_advice_right"])
    has_newsletter_right = BooleanField(LABEL["has_newsletter_right"])
    has_website_right = BooleanField(
        LABEL["has_website_right"],
        description=_l("A login for this portal. Somebody without a password yet gets a "
                       "mail with a link to choose one."))

    DATA_FIELDS = CONTACT_FIELDS


class AcceptPrimaryForm(ContactDetailsForm):
    """The proposed primary contact confirms their own details and accepts the role."""

    submit = SubmitField(_l("Confirm and accept the role"))
