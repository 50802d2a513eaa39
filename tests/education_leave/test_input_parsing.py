"""Dates as Belgians type them: real calendar dates only, periods one a line."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.education_leave.forms import parse_dutch_date, parse_periods


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_real_date_is_read_back_in_each_notation(day):
    for text in (day.strftime("%d/%m/%Y"), f"{day.day}-{day.month}-{day.year}",
                 f"{day.day}.{day.month}.{day.year}", day.isoformat()):
        assert parse_dutch_date(text) == day


@pytest.mark.parametrize("text", ["31/02/1990", "29/02/2023", "00/01/2000", "12/13/2000",
                                  "1990-02-30", "14/03/85", "morgen", "", "14/03/1985x"])
def test_impossible_or_malformed_dates_are_refused(text):
    assert parse_dutch_date(text) is None


def test_periods_one_a_line():
    assert parse_periods("01/03/2027 - 05/03/2027\n\n26/04/2027 tot 30/04/2027\n"
                         "10/05/2027") == [
        (date(2027, 3, 1), date(2027, 3, 5)), (date(2027, 4, 26), date(2027, 4, 30)),
        (date(2027, 5, 10), date(2027, 5, 10))]


@pytest.mark.parametrize("text", ["01/03/2027 - 31/02/2027", "maart", "01/03/2027 - - x"])
def test_a_bad_period_line_is_refused(text):
    with pytest.raises(ValueError):
        parse_periods(text)
