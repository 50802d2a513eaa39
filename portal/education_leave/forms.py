"""Forms of the education-leave flow: they check the shape; services hold the rules."""

import re
from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.forms import BelgianDecimalField, Form
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.validators import EmailAddress, PlainText, clean_text

_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_dutch_date(text: str) -> date | None:
    """dd/mm/jjjj (also with - or .) or jjjj-mm-dd; None when it is no real date (31/02)."""
    match = _DATE.match(text or "")
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _ISO_DATE.match(text or "")
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class BirthDateField(StringField):
    """A date typed as dd/mm/jjjj; `.data` stays the text, `.parsed` holds the date."""

    parsed: date | None = None

    def pre_validate(self, form):
        self.parsed = None
        if not self.data:
            return
        parsed = parse_dutch_date(self.data)
        if parsed is None:
            raise ValidationError(
                _l("This is not an existing date. Write it as day/month/year, e.g. 14/03/1985.")
            )
        self.parsed = parsed


def parse_periods(text: str) -> list[tuple[date, date]]:
    """One period a line: "dd/mm/jjjj - dd/mm/jjjj" (a single date is a one-day period)."""
    periods = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = re.split(r"\s+(?:-|–|tot)\s+", line.strip())
        if len(parts) == 1:
            parts = [parts[0], parts[0]]
        if len(parts) != 2:
            raise ValueError(line)
        start, end = (parse_dutch_date(part) for part in parts)
        if start is None or end is None:
            raise ValueError(line)
        periods.append((start, end))
    return periods


class TrainingForm(Form):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter the title of the training.")), Length(max=200),
                    PlainText()],
        filters=[clean_text],
    )
    starts_on = DateField(_l("First day"),
                          validators=[InputRequired(_l("Enter a valid first day."))])
    ends_on = DateField(_l("Last day"),
                        validators=[InputRequired(_l("Enter a valid last day."))])
    hours = BelgianDecimalField(
        _l("Number of hours"),
        places=2, description=_l("For example 7,5."),
        validators=[Optional(), NumberRange(min=0, max=9999, message=_l(
            "Enter a number of hours between 0 and 9999."))],
    )
    is_bev_recognised = BooleanField(_l("Recognised for paid educational leave (BEV)"))
    is_vov_recognised = BooleanField(_l("Recognised for Flemish training leave (VOV)"))
    periods = TextAreaField(
        _l("Periods"),
        description=_l("One period a line, e.g. 02/03/2027 - 06/03/2027. Leave empty when the "
                       "training is one period. Attendance attestations are due after each "
                       "period."),
        validators=[Length(max=4000)],
    )
    submit = SubmitField(_l("Create training"))

    def validate_periods(self, field):
        try:
            self.parsed_periods = parse_periods(field.data)
        except ValueError as error:
            # gettext, not lazy_gettext: a lazy string counts as safe HTML in Jinja
            # (flask-babel's __html__), so the typed line would reach the page unescaped.
            raise ValidationError(
                _("This line is not a period: %(line)s. Write e.g. 02/03/2027 - 06/03/2027.",
                  line=str(error))
            )


class EnrolmentForm(Form):
    participant_type = RadioField(
        _l("Participant"),
        choices=[SelectChoice("contact", _l("A contact person of a member organisation")),
                 SelectChoice("outside", _l("Somebody else (not a contact person)"))],
        default="contact",
        validators=[InputRequired(_l("Choose the kind of participant."))],
    )
    email = EmailField(
        _l("Email address"),
        description=_l("For a contact person: their professional email address in the portal."),
        validators=[DataRequired(_l("Enter the participant's email address.")),
                    Length(max=254), EmailAddress()],
        filters=[clean_text],
    )
    name = StringField(
        _l("Name"),
        description=_l("Only for somebody who is not a contact person."),
        validators=[Optional(), Length(max=200), PlainText()],
        filters=[clean_text],
    )
    organisation_name = StringField(
        _l("Organisation"),
        description=_l("Only for somebody who is not a contact person (optional)."),
        validators=[Optional(), Length(max=200), PlainText()],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Enrol"))


class LeaveDataForm(Form):
    """The consent box and the five fields; the box is checked again by the service."""

    consent = BooleanField()  # label set by the view: the exact consent text
    surname = StringField(
        _l("Surname"),
        validators=[DataRequired(_l("Enter your surname.")), Length(max=100), PlainText()],
        filters=[clean_text], render_kw={"autocomplete": "family-name"},
    )
    given_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter your first name.")), Length(max=100), PlainText()],
        filters=[clean_text], render_kw={"autocomplete": "given-name"},
    )
    birthplace = StringField(
        _l("Place of birth"),
        validators=[DataRequired(_l("Enter your place of birth.")), Length(max=100),
                    PlainText()],
        filters=[clean_text],
    )
    birth_date = BirthDateField(
        _l("Date of birth"),
        description=_l("Day/month/year, e.g. 14/03/1985."),
        validators=[DataRequired(_l("Enter your date of birth.")), Length(max=20)],
        filters=[clean_text], render_kw={"autocomplete": "bday", "inputmode": "numeric"},
    )
    residence = StringField(
        _l("Place of residence"),
        description=_l("Postal code and municipality, e.g. 9000 Gent. If your employer asks "
                       "for your full address, add the street and number."),
        validators=[DataRequired(_l("Enter your place of residence.")), Length(max=200),
                    PlainText()],
        filters=[clean_text],
    )
    submit = SubmitField(_l("Save my details"))

    def consent_ticked(self) -> bool:
        """Only the checkbox's own value counts: "n", "0" or "nee" posted by hand is no consent."""
        return bool(self.consent.raw_data) and self.consent.raw_data[0] == "y"


class ConfirmForm(Form):
    """A form with only its CSRF token and a button (withdrawal, renewal, delivery)."""

    submit = SubmitField(_l("Confirm"))


class DeliveryForm(Form):
    enrolment_id = HiddenField(validators=[DataRequired()])
    kind = HiddenField(validators=[DataRequired()])
    period_id = HiddenField()
