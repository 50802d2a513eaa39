"""Belgian decimals: "9,5" and "9.5" are 9.5; the field shows "9,5" and never a number input."""

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from portal.forms import BelgianDecimalField, Form, parse_belgian_decimal


@pytest.mark.parametrize(("typed", "value"), [
    ("9,5", "9.5"), ("9.5", "9.5"), ("0,25", "0.25"), ("12", "12"), ("1.234,5", "1234.5"),
    ("1 234,5", "1234.5"), ("1\u202f234,5", "1234.5"), (",5", "0.5"), ("-1,5", "-1.5"),
])
def test_parse_accepts_comma_dot_and_thousands(typed, value):
    assert parse_belgian_decimal(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["9,5,5", "9..5", "1,2.3", "abc", "9,5 FTE", "12.", ""])
def test_parse_refuses_what_is_not_a_number(typed):
    with pytest.raises(ValueError):
        parse_belgian_decimal(typed)


class _Hours(Form):
    class Meta:
        csrf = False

    hours = BelgianDecimalField("Uren", places=2)


def test_the_field_parses_on_the_server_and_renders_text_with_a_comma(app):
    with app.test_request_context():
        form = _Hours(formdata=MultiDict({"hours": "7,5"}))
        assert form.validate() and form.hours.data == Decimal("7.5")
        shown = _Hours(formdata=None, data={"hours": Decimal("7.50")}).hours()
        assert 'type="text"' in shown and 'inputmode="decimal"' in shown
        assert 'value="7,5"' in shown
        wrong = _Hours(formdata=MultiDict({"hours": "7,5,5"}))
        assert not wrong.validate()
        assert wrong.hours.errors == ["Geef een getal, bijvoorbeeld 9,5."]
        assert 'value="7,5,5"' in wrong.hours()  # what was typed stays in the field
        too_fine = _Hours(formdata=MultiDict({"hours": "1.234"}))
        assert not too_fine.validate()
        assert too_fine.hours.errors == ["Gebruik ten hoogste 2 cijfers na de komma."]
