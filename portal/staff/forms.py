"""Forms of the staff back office (shape only; uniqueness and rules live in the services)."""

from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import BelgianDecimalField, Form
from portal.i18n import lazy_gettext as _l
from portal.validators import (
    AtMost,
    BelgianPostalCode,
    Bic,
    EmailAddress,
    EnterpriseNumber,
    Iban,
    JointCommittee,
    PhoneNumber,
    PlainText,
    clean_text,
)

TEXT = [clean_text]


class OrganisationForm(Form):
    """A new member organisation with its primary contact (also validates an import row)."""

    name = StringField(_l("Name of the organisation"), filters=TEXT, validators=[
        DataRequired(_l("Enter the name of the organisation.")), Length(max=200), PlainText()])
    enterprise_number = StringField(
        _l("Enterprise number"), filters=TEXT, description=_l("For example 0448.444.064."),
        validators=[DataRequired(_l("Enter the enterprise number.")), EnterpriseNumber()])
    street = StringField(_l("Street and number"), filters=TEXT,
                         validators=[Optional(), Length(max=200), PlainText()])
    postal_code = StringField(_l("Postal code"), filters=TEXT,
                              validators=[Optional(), BelgianPostalCode()])
    municipality = StringField(_l("Municipality"), filters=TEXT,
                               validators=[Optional(), Length(max=100), PlainText()])
    phone = TelField(_l("Phone"), filters=TEXT, validators=[Optional(), PhoneNumber()])
    email = EmailField(_l("General email address"), filters=TEXT,
                       validators=[Optional(), Length(max=254), EmailAddress()])
    iban = StringField(_l("IBAN"), filters=TEXT, validators=[Optional(), Iban()])
    bic = StringField(_l("BIC"), filters=TEXT, validators=[Optional(), Bic()])
    employee_count = IntegerField(
        _l("Number of employees"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    joint_committee = StringField(_l("Joint committee"), filters=TEXT,
                                  validators=[Optional(), JointCommittee()])
    fte = BelgianDecimalField(
        _l("Full-time equivalents"), places=2, description=_l("For example 9,5."),
        validators=[Optional(), NumberRange(min=0, max=100_000),
                    AtMost("employee_count", _l("The FTE cannot be more than the number of "
                                                "employees: one employee is at most 1 FTE."))])
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
