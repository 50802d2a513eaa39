"""`flask import organisations`: member organisations and contacts from a CRM export (CSV).

Every row is validated like the back-office form; one bad row stops the whole import unless
the caller asks to skip bad rows. Messages are Dutch and name the line of the file. The import
is one unit of work: it flushes, and the command commits it whole (or nothing at all).
"""

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.audit import record_event
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, Organisation
from portal.staff.forms import OrganisationForm
from portal.staff.organisations import (
    add_organisation,
    contact_values,
    email_in_use,
    subscribe_to_active_lists,
)
from portal.validators import normalise_email, normalise_enterprise_number

# CSV column -> form field. The organisation columns are repeated on every contact's row.
COLUMNS = {
    "naam": "name",
    "ondernemingsnummer": "enterprise_number",
    "straat": "street",
    "postcode": "postal_code",
    "gemeente": "municipality",
    "telefoon": "phone",
    "email": "email",
    "iban": "iban",
    "bic": "bic",
    "aantal_werknemers": "employee_count",
    "paritair_comite": "joint_committee",
    "vte": "fte",
    "lid_sinds": "membership_started_on",
    "contact_voornaam": "contact_first_name",
    "contact_achternaam": "contact_last_name",
    "contact_email": "contact_email",
    "contact_telefoon": "contact_phone",
    "contact_functie": "contact_function",
}
# Yes/no columns of a contact (ja/nee; empty means the default).
FLAG_COLUMNS = {
    "contact_primair": False,
    "contact_website": None,  # default: yes for the primary contact, no for the others
    "contact_nieuwsbrieven": True,
    "contact_advies": True,
}
REQUIRED_COLUMNS = ("naam", "ondernemingsnummer", "lid_sinds", "contact_voornaam",
                    "contact_achternaam", "contact_email", "contact_primair")
YES = {"ja", "j", "yes", "1", "waar"}
NO = {"nee", "n", "no", "0", "onwaar"}


@dataclass
class ImportReport:
    organisations: int = 0
    contacts: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    imported: bool = False

    @property
    def bad_lines(self) -> list[int]:
        return sorted({line for line, _ in self.errors})


@dataclass
class _Row:
    line: int
    data: dict
    flags: dict
    kbo: str | None = None
    email: str | None = None
    ok: bool = True


def _read(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        return [], []
    rows = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        if not any(value.strip() for value in values):
            continue
        rows.append((reader.line_num, dict(zip(header, values, strict=False))))
    return header, rows


def _flag(value: str, default):
    value = (value or "").strip().lower()
    if not value:
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError


def _validate_row(line: int, raw: dict, report: ImportReport) -> _Row:
    formdata = MultiDict()
    for column, name in COLUMNS.items():
        value = (raw.get(column) or "").strip()
        if name == "fte":
            value = value.replace(",", ".")  # Belgian decimal comma
        if name == "membership_started_on" and "/" in value:
            day, month, year = (value.split("/") + ["", "", ""])[:3]
            value = f"{year}-{month.zfill(2)}-{day.zfill(2)}"
        formdata[name] = value
    form = OrganisationForm(formdata=formdata, meta={"csrf": False})
    row = _Row(line=line, data={}, flags={})
    columns_by_field = {name: column for column, name in COLUMNS.items()}
    if not form.validate():
        for name, errors in form.errors.items():
            if name == "submit":
                continue
            for error in errors:
                report.errors.append((line, _("column %(column)s: %(message)s",
                                              column=columns_by_field.get(name, name),
                                              message=error)))
        row.ok = False
    for column, default in FLAG_COLUMNS.items():
        try:
            row.flags[column] = _flag(raw.get(column, ""), default)
        except ValueError:
            report.errors.append((line, _("column %(column)s: write ja or nee.", column=column)))
            row.ok = False
    if row.ok:
        row.data = {key: value for key, value in form.data.items() if key != "submit"}
        row.kbo = normalise_enterprise_number(row.data["enterprise_number"])
        row.email = normalise_email(row.data["contact_email"])
    return row


def import_organisations(text: str, skip_invalid: bool = False) -> ImportReport:
    """Validate every row, then import all (or, with skip_invalid, the valid ones) at once."""
    report = ImportReport()
    header, raw_rows = _read(text)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        report.errors.append((1, _("these columns are missing: %(columns)s.",
                                   columns=", ".join(missing))))
        return report
    if not raw_rows:
        report.errors.append((1, _("the file has no rows below the header.")))
        return report

    rows = [_validate_row(line, raw, report) for line, raw in raw_rows]
    seen_emails: dict[str, int] = {}
    for row in rows:
        if not row.ok:
            continue
        if row.email in seen_emails:
            report.errors.append((row.line, _("contact_email is already on line %(line)d.",
                                              line=seen_emails[row.email])))
            row.ok = False
        elif email_in_use(row.email):
            report.errors.append((row.line, _("contact_email already belongs to a contact or "
                                              "login in the portal.")))
            row.ok = False
        else:
            seen_emails[row.email] = row.line

    # Group the rows per organisation (by enterprise number) and check each group.
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        if row.kbo:
            groups.setdefault(row.kbo, []).append(row)
    importable: list[tuple[_Row, list[_Row]]] = []
    for kbo, group in groups.items():
        first = group[0]
        problems = []
        if db.session.scalar(select(Organisation.id).where(Organisation.enterprise_number == kbo)):
            problems.append(_("an organisation with this enterprise number already exists."))
        names = {row.data["name"] for row in group}
        if len(names) > 1:
            problems.append(_("the rows of this enterprise number have different names."))
        primaries = [row for row in group if row.flags["contact_primair"]]
        if len(primaries) != 1:
            problems.append(_("an organisation needs exactly one row with contact_primair ja "
                              "(found %(count)d).", count=len(primaries)))
        if problems:
            for problem in problems:
                report.errors.append((first.line, problem))
            for row in group:
                row.ok = False
            continue
        primary = primaries[0]
        if not primary.ok:
            # Without its primary contact an organisation cannot be imported at all.
            for row in group:
                if row.ok:
                    report.errors.append((row.line, _(
                        "skipped: the row of the primary contact (line %(line)d) is invalid.",
                        line=primary.line)))
                    row.ok = False
            continue
        importable.append((primary, [row for row in group if row is not primary and row.ok]))

    if report.errors and not skip_invalid:
        return report

    try:
        # A savepoint: a rule that refuses a row halfway takes the rows before it back too.
        with db.session.begin_nested():
            _import_rows(importable, report)
    except PolicyError as error:
        report.errors.append((0, error.message))
        report.organisations = report.contacts = 0
        return report
    report.imported = True
    return report


def _import_rows(importable: list[tuple[_Row, list[_Row]]], report: ImportReport) -> None:
    from portal.signals import contact_access_changed

    for primary, others in importable:
        organisation = add_organisation(None, primary.data, "organisation.imported",
                                        newsletters=primary.flags["contact_nieuwsbrieven"],
                                        advice=primary.flags["contact_advies"])
        report.organisations += 1
        report.contacts += 1
        for row in others:
            person = contact_values(row.data)
            other = Contact(organisation_id=organisation.id, is_primary=False, **person)
            other.has_website_right = bool(row.flags["contact_website"])
            other.has_newsletter_right = row.flags["contact_nieuwsbrieven"]
            other.has_advice_right = row.flags["contact_advies"]
            db.session.add(other)
            db.session.flush()
            if other.has_newsletter_right:
                subscribe_to_active_lists(other)
            contact_access_changed.send(other, actor=None)
            record_event("contact.imported", target=other, organisation_id=organisation.id,
                         fields=[k for k, v in person.items() if v is not None])
            report.contacts += 1
    db.session.flush()
