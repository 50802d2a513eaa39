"""Forms of the annual confirmation: the declaration and the staff forms.

The buttons (still correct, remove) are portal.forms.ConfirmForm; steps 1 and 2 use the
organisation's and the roster's own forms.
"""

from wtforms import BooleanField, DateField, IntegerField, SearchField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import Form
from portal.i18n import lazy_gettext as _l
from portal.validators import PlainText, clean_text


class DeclarationForm(Form):
    """Step 3: the declaration that the data are correct and complete."""

    # Unticked by default: the declaration must be an explicit act (never pre-ticked).
    agree = BooleanField(
        _l("I confirm that these data are correct and complete"),
        validators=[DataRequired(_l("Tick the box to confirm that the data are correct and "
                                    "complete."))],
    )
    submit = SubmitField(_l("Confirm the data"))


class CampaignForm(Form):
    year = IntegerField(_l("Year"), validators=[
        InputRequired(_l("Fill in the year.")),
        NumberRange(2000, 2100, _l("Give a year from 2000 to 2100.")),
    ])
    deadline = DateField(
        _l("Deadline"),
        validators=[InputRequired(_l("Fill in the deadline as a date."))],
        invalid_value_message=_l("Fill in the deadline as a date."),
    )
    submit = SubmitField(_l("Open the campaign"))


class ProgressFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("All")),
        SelectChoice("open", _l("Not confirmed")),
        SelectChoice("confirmed", _l("Confirmed")),
        SelectChoice("changed", _l("Confirmed with changes")),
    ])
    q = SearchField(_l("Name of the organisation"), filters=[clean_text],
                    validators=[Optional(), Length(max=100), PlainText()])
