"""The organisation form: the primary contact's page, step 1 of the annual confirmation, and
the base of the back office's form for a new member (portal/staff/forms.py)."""

from wtforms import EmailField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.forms import BelgianDecimalField, VersionedForm
from portal.i18n import format_iban, format_kbo, format_phone
from portal.i18n import lazy_gettext as _l
from portal.organisation.labels import DATA_FIELDS as ORGANISATION_FIELDS
from portal.organisation.labels import ORGANISATION_LABELS
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
LABEL = ORGANISATION_LABELS


class OrganisationForm(VersionedForm):
    """An organisation's own data (the hidden version comes with VersionedForm)."""

    name = StringField(LABEL["name"], filters=TEXT,
                       validators=[DataRequired(_l("Fill in the name.")), Length(max=200),
                                   PlainText()])
    enterprise_number = StringField(
        LABEL["enterprise_number"], filters=TEXT, description=_l("For example 0448.444.064."),
        validators=[DataRequired(_l("Fill in the enterprise number.")), Length(max=20),
                    EnterpriseNumber()])
    street = StringField(LABEL["street"], filters=TEXT,
                         validators=[DataRequired(_l("Fill in the street and number.")),
                                     Length(max=200), PlainText()])
    postal_code = StringField(LABEL["postal_code"], filters=TEXT,
                              validators=[DataRequired(_l("Fill in the postal code.")),
                                          BelgianPostalCode()])
    municipality = StringField(LABEL["municipality"], filters=TEXT,
                               validators=[DataRequired(_l("Fill in the municipality.")),
                                           Length(max=100), PlainText()])
    phone = StringField(LABEL["phone"], filters=TEXT, render_kw={"type": "tel"},
                        validators=[Optional(), Length(max=30), PhoneNumber()])
    email = EmailField(LABEL["email"], filters=TEXT,
                       validators=[Optional(), Length(max=254), EmailAddress()])
    iban = StringField(LABEL["iban"], filters=TEXT,
                       validators=[Optional(), Length(max=42), Iban()])
    bic = StringField(LABEL["bic"], filters=TEXT,
                      description=_l("Leave empty for a Belgian account: we fill it in when "
                                     "we know the bank."),
                      validators=[Optional(), Length(max=11), Bic()])
    employee_count = IntegerField(
        LABEL["employee_count"],
        validators=[Optional(), NumberRange(0, 100_000, _l("Give a number from 0 to 100000."))])
    joint_committee = StringField(LABEL["joint_committee"], filters=TEXT,
                                  description=_l("For example 329.01."),
                                  validators=[Optional(), JointCommittee()])
    fte = BelgianDecimalField(
        LABEL["fte"], places=2, description=_l("For example 9,5."),
        validators=[Optional(), NumberRange(0, 100_000, _l("Give a number from 0 to 100000.")),
                    AtMost("employee_count", _l("The FTE cannot be more than the number of "
                                                "employees: one employee is at most 1 FTE."))])
    submit = SubmitField(_l("Save"))

    # Fields the service writes; the hidden version and the button are not data.
    DATA_FIELDS = ORGANISATION_FIELDS

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in self.DATA_FIELDS}

    @classmethod
    def filled(cls, organisation) -> "OrganisationForm":
        """The form filled with the stored data, written the way a Belgian reader knows them
        (the service normalises them again)."""
        form = cls(formdata=None, obj=organisation)
        form.version.data = organisation.version
        form.enterprise_number.data = format_kbo(organisation.enterprise_number)
        form.iban.data = format_iban(organisation.iban)
        form.phone.data = format_phone(organisation.phone)
        return form
