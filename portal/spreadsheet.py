"""CSV files for spreadsheets in a Belgian locale: UTF-8 with BOM, `;`, and no formulas."""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The text of a cell; a would-be formula gets a leading apostrophe, dates read dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def spreadsheet_csv(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The whole file: a BOM so Excel reads UTF-8, `;` as Excel expects in Belgium."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column) for column in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()
