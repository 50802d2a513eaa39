"""The CSV files staff open in Excel: BOM, `;`, Belgian dates, and no formula runs."""

import csv
import io
from datetime import date

from portal.spreadsheet import safe_cell, spreadsheet_csv


def test_would_be_formulas_are_neutralised_and_dates_read_belgian():
    assert safe_cell('=HYPERLINK("http://evil.be","klik")').startswith("'=")
    for start in ("+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1").startswith("'")
    assert safe_cell(date(2026, 3, 14)) == "14/03/2026"
    assert safe_cell(None) == "" and safe_cell("Demo vzw") == "Demo vzw"


def test_the_file_opens_as_excel_expects_in_belgium():
    content = spreadsheet_csv(["Naam", "Bedrag"], [("Café; De Kroon", "=1+1")])
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["Naam", "Bedrag"], ["Café; De Kroon", "'=1+1"]]
