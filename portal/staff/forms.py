"""Forms of the staff back office (shape only; uniqueness and rules live in the services)."""

from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form
from portal.i18n import lazy_gettext as _l
from portal.organisation.forms import OrganisationForm as MemberOrganisationForm
from portal.organisation.labels import ORGANISATION_LABELS
from portal.validators import (
    BelgianPostalCode,
    EmailAddress,
    PhoneNumber,
    PlainText,
    clean_text,
)

TEXT = [clean_text]


class OrganisationForm(MemberOrganisationForm):
    """A new member organisation with its primary contact (also validates an import row).

    The organisation's own form (portal/organisation/forms.py: the same labels, rules and
    messages), with the address optional for a new member, the start of the membership and
    the primary contact added. A new organisation has no version yet.
    """

    version = None
    street = StringField(ORGANISATION_LABELS["street"], filters=TEXT,
                         validators=[Optional(), Length(max=200), PlainText()])
    postal_code = StringField(ORGANISATION_LABELS["postal_code"], filters=TEXT,
                              validators=[Optional(), BelgianPostalCode()])
    municipality = StringField(ORGANISATION_LABELS["municipality"], filters=TEXT,
                               validators=[Optional(), Length(max=100), PlainText()])
    membership_started_on = DateField(
        _l("Member since"), validators=[DataRequired(_l("Enter the date the membership "
                                                         "started."))])
    contact_first_name = StringField(_l("First name of the primary contact"), filters=TEXT,
                                     validators=[DataRequired(_l("Enter the first name.")),
                                                 Length(max=100), PlainText()])
    contact_last_name = StringField(_l("Last name of the primary contact"), filters=TEXT,
                                    validators=[DataRequired(_l("Enter the last name.")),
                                                Length(max=100), PlainText()])
    contact_email = EmailField(
        _l("Professional email address of the primary contact"), filters=TEXT,
        description=_l("The primary contact gets an invitation to the portal at this address."),
        validators=[DataRequired(_l("Enter the email address.")), Length(max=254),
                    EmailAddress()])
    contact_phone = TelField(_l("Professional phone of the primary contact"), filters=TEXT,
                             validators=[Optional(), PhoneNumber()])
    contact_function = StringField(_l("Function of the primary contact"), filters=TEXT,
                                   validators=[Optional(), Length(max=100), PlainText()])
    submit = SubmitField(_l("Create organisation and send invitation"))


class EndMembershipForm(Form):
    ended_on = DateField(_l("Membership ends on"),
                         validators=[DataRequired(_l("Enter the end date."))])
    submit = SubmitField(_l("End membership"))


class SearchForm(Form):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(_l("Name, enterprise number or email address of a contact"),
                    filters=TEXT, validators=[Optional(), Length(max=200), PlainText()])
    submit = SubmitField(_l("Search"))


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    organisation = StringField(_l("Organisation (name or enterprise number)"), filters=TEXT,
                               validators=[Optional(), Length(max=200), PlainText()])
    actor = StringField(_l("Actor (email address or label, e.g. medewerker #3)"), filters=TEXT,
                        validators=[Optional(), Length(max=254), PlainText()])
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))


RISK_CHOICES = [SelectChoice("low", _l("Low: no notice to the people concerned")),
                SelectChoice("high", _l("High: the people concerned get a notice"))]


class BreachForm(Form):
    title = StringField(_l("Short title"), filters=TEXT, validators=[
        DataRequired(_l("Enter a short title.")), Length(max=200), PlainText()])
    description = TextAreaField(_l("What happened?"), filters=TEXT, validators=[
        DataRequired(_l("Describe what happened.")), Length(max=5000)])
    discovered_at = DateTimeLocalField(
        _l("Discovered on"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description=_l("Date and time (Belgian time) the federation learned of the incident."),
        validators=[DataRequired(_l("Enter when the incident was discovered."))])
    data_categories = StringField(
        _l("Which data are affected?"), filters=TEXT,
        description=_l("For example: names and professional email addresses of contacts."),
        validators=[DataRequired(_l("Name the affected data.")), Length(max=500), PlainText()])
    organisations = TextAreaField(
        _l("Enterprise numbers of the affected organisations"), filters=TEXT,
        description=_l("One per line. Leave empty when no member organisation is affected."),
        validators=[Optional(), Length(max=20_000)])
    risk_level = RadioField(_l("Risk for the people concerned"), choices=RISK_CHOICES,
                            validators=[DataRequired(_l("Choose the risk."))])
    risk_assessment = TextAreaField(_l("Risk assessment"), filters=TEXT,
                                    validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Record incident"))


class AuthorityNotificationForm(Form):
    notified_at = DateTimeLocalField(
        _l("Notified on"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[DataRequired(_l("Enter when the authority was notified."))])
    reference = StringField(_l("File number at the authority"), filters=TEXT,
                            validators=[Optional(), Length(max=100), PlainText()])
    submit = SubmitField(_l("Record notification"))


class ConfirmForm(Form):
    """A POST button that only needs its CSRF token."""

    submit = SubmitField(_l("Confirm"))
