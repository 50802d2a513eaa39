"""The organisation form, also used in step 1 of the annual confirmation."""

from wtforms import EmailField, HiddenField, IntegerField, StringField, SubmitField
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
    version = HiddenField()
    name = StringField(_l("Name of the organisation"), filters=TEXT,
                       validators=[DataRequired(_l("Fill in the name.")), Length(max=200),
                                   PlainText()])
    enterprise_number = StringField(
        _l("Enterprise number"), filters=TEXT, description=_l("For example 0448.444.064."),
        validators=[DataRequired(_l("Fill in the enterprise number.")), Length(max=20),
                    EnterpriseNumber()])
    street = StringField(_l("Street and number"), filters=TEXT,
                         validators=[DataRequired(_l("Fill in the street and number.")),
                                     Length(max=200), PlainText()])
    postal_code = StringField(_l("Postal code"), filters=TEXT,
                              validators=[DataRequired(_l("Fill in the postal code.")),
                                          BelgianPostalCode()])
    municipality = StringField(_l("Municipality"), filters=TEXT,
                               validators=[DataRequired(_l("Fill in the municipality.")),
                                           Length(max=100), PlainText()])
    phone = StringField(_l("Phone"), filters=TEXT, render_kw={"type": "tel"},
                        validators=[Optional(), Length(max=30), PhoneNumber()])
    email = EmailField(_l("General email address"), filters=TEXT,
                       validators=[Optional(), Length(max=254), EmailAddress()])
    iban = StringField(_l("Bank account (IBAN)"), filters=TEXT,
                       validators=[Optional(), Length(max=42), Iban()])
    bic = StringField(_l("BIC"), filters=TEXT,
                      description=_l("Leave empty for a Belgian account: we fill it in when "
                                     "we know the bank."),
                      validators=[Optional(), Length(max=11), Bic()])
    employee_count = IntegerField(
        _l("Number of employees"),
        validators=[Optional(), NumberRange(0, 100_000, _l("Give a number from 0 to 100000."))])
    joint_committee = StringField(_l("Joint committee"), filters=TEXT,
                                  description=_l("For example 329.01."),
                                  validators=[Optional(), JointCommittee()])
    fte = BelgianDecimalField(
        _l("Full-time equivalents (FTE)"), places=2, description=_l("For example 9,5."),
        validators=[Optional(), NumberRange(0, 100_000, _l("Give a number from 0 to 100000.")),
                    AtMost("employee_count", _l("The FTE cannot be more than the number of "
                                                "employees: one employee is at most 1 FTE."))])
    submit = SubmitField(_l("Save"))

    # Fields the service writes; the hidden version and the button are not data.
    DATA_FIELDS = ("name", "enterprise_number", "street", "postal_code", "municipality",
                   "phone", "email", "iban", "bic", "employee_count", "joint_committee", "fte")

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in self.DATA_FIELDS}
