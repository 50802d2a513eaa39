"""Education-leave attestations as documents: HTML for the screen, PDF through WeasyPrint.

Each kind carries what its scheme's model asks for, the provider's data from the
configuration, and no personal data beyond the five fields the privacy policy (cat. 9) lists
for education leave. Never the national register number: the VOV model asks for it, so the
VOV attestation leaves that line blank for the participant to fill in by hand, and says so.
An attestation is rendered only for a participant whose consent stands, once it is available
(`rules.Attestation.opens_on`: never before the period it covers has ended).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import current_app, render_template
from flask_babel import format_decimal
from markupsafe import Markup

from portal import clock
from portal.education_leave import rules
from portal.errors import PolicyError
from portal.i18n import format_day
from portal.i18n import gettext as _
from portal.spreadsheet import spreadsheet_csv

TEMPLATES = {
    rules.VOV_ENROLMENT: "education_leave/documents/vov_enrolment.html",
    rules.BEV_ENROLMENT: "education_leave/documents/bev_enrolment.html",
    rules.BEV_ATTENDANCE: "education_leave/documents/bev_attendance.html",
}
ATTENDANCE_LIST_TEMPLATE = "education_leave/documents/vov_attendance_list.html"
PDF_TEMPLATE = "education_leave/documents/pdf.html"
STYLESHEET = "css/education_leave_documents.css"  # under portal/static, for screen and PDF
# The participant's fields each kind prints (VOV asks only for the name).
FIELDS_OF_KIND = {
    rules.VOV_ENROLMENT: ("given_name", "surname"),
    rules.BEV_ENROLMENT: ("surname", "given_name", "birthplace", "birth_date", "residence"),
    rules.BEV_ATTENDANCE: ("surname", "given_name", "birthplace", "birth_date", "residence"),
}
FILE_STEMS = {
    rules.VOV_ENROLMENT: "inschrijvingsattest-vov",
    rules.BEV_ENROLMENT: "getuigschrift-inschrijving-bev",
    rules.BEV_ATTENDANCE: "getuigschrift-nauwgezetheid-bev",
}


@dataclass(frozen=True)
class Provider:
    """The training provider (opleidingsverstrekker / instelling) named on every attestation."""

    name: str
    kbo: str
    address: str


def provider() -> Provider:
    config = current_app.config
    return Provider(config["EDUCATION_PROVIDER_NAME"], config["EDUCATION_PROVIDER_KBO"],
                    config["EDUCATION_PROVIDER_ADDRESS"])


def attestations_of(enrolment) -> list[rules.Attestation]:
    """The attestations this participant is owed, by the rules of the training's schemes."""
    return rules.attestations_for(enrolment.training, rules.enrolment_day(enrolment))


def find_attestation(enrolment, key: str) -> rules.Attestation | None:
    return next((item for item in attestations_of(enrolment) if item.key == key), None)


def check_available(enrolment, attestation: rules.Attestation, today: date | None = None) -> None:
    """Refuse an attestation the participant is not owed, lacks data for, or that is not due.

    Only for a participant who asked for it (standing consent, policy cat. 9), with the fields
    the kind prints, and from its opening day: an attendance attestation never before its
    period has ended.
    """
    today = today or clock.today()
    if attestation not in attestations_of(enrolment):
        raise PolicyError(_("This attestation does not exist."))
    if not enrolment.has_consent or any(
            getattr(enrolment, name) is None for name in FIELDS_OF_KIND[attestation.kind]):
        raise PolicyError(_("There is no education-leave data for this participant."))
    if not attestation.is_available(today):
        raise PolicyError(_("This attestation is not available yet: from %(day)s on.",
                            day=format_day(attestation.opens_on)))


def attended_hours(enrolment, period: rules.Period | None) -> Decimal | None:
    """The hours staff recorded for this participant in this period, if any."""
    if period is None:
        return None
    return next((row.hours for row in enrolment.attended_hours
                 if row.period_starts_on == period.starts_on), None)


def _context(enrolment, attestation: rules.Attestation, today: date, issued_by: str | None,
             is_example: bool):
    training = enrolment.training
    enrolled_on = rules.enrolment_day(enrolment)
    return {
        "provider": provider(),
        "enrolment": enrolment,
        "training": training,
        "attestation": attestation,
        "enrolled_on": enrolled_on,
        "exam_later": training.exam_on if training.exam_on and training.exam_on >
        training.ends_on else None,
        "handover_due": rules.employer_handover_due(
            enrolled_on, per_school_year=bool(training.is_per_school_year),
            starts_on=training.starts_on),
        "hours_attended": attended_hours(enrolment, attestation.period),
        "issued_on": today,
        "issued_by": issued_by,
        "is_example": is_example,
    }


def attestation_html(enrolment, attestation: rules.Attestation, *, today: date | None = None,
                     issued_by: str | None = None, is_example: bool = False) -> Markup:
    """The attestation as an HTML fragment (an <article>) for a page or the PDF.

    `issued_by`: the staff member's name under "for the provider"; None leaves it blank.
    `is_example`: marked as an example with invented data (docs/attestations).
    """
    today = today or clock.today()
    check_available(enrolment, attestation, today)
    html = render_template(TEMPLATES[attestation.kind],
                           **_context(enrolment, attestation, today, issued_by, is_example))
    return Markup(html)  # noqa: S704 - the output of an autoescaped template


def attestation_title(kind: str) -> str:
    return {
        rules.VOV_ENROLMENT: _("Enrolment attestation for Flemish training leave"),
        rules.BEV_ENROLMENT: _("Certificate of regular enrolment"),
        rules.BEV_ATTENDANCE: _("Certificate of attendance"),
    }[kind]


def attestation_pdf(enrolment, attestation: rules.Attestation, *, today: date | None = None,
                    issued_by: str | None = None, is_example: bool = False) -> bytes:
    """The attestation as PDF bytes (A4), refused like `attestation_html` when not available."""
    article = attestation_html(enrolment, attestation, today=today, issued_by=issued_by,
                               is_example=is_example)
    return _pdf(article, attestation_title(attestation.kind))


def attestation_filename(enrolment, attestation: rules.Attestation) -> str:
    """e.g. getuigschrift-nauwgezetheid-bev-2027-01-04-inschrijving-12.pdf (no name in it)."""
    period = f"-{attestation.period.starts_on.isoformat()}" if attestation.period else ""
    return f"{FILE_STEMS[attestation.kind]}{period}-inschrijving-{enrolment.id}.pdf"


# --- VOV: the attendance list for the department's digital tool -----------------------------


@dataclass(frozen=True)
class AttendanceRow:
    enrolment_id: int
    surname: str
    given_name: str
    hours: tuple[Decimal | None, ...]  # per period of the list, None: not recorded yet

    @property
    def total(self) -> Decimal:
        return sum((hours for hours in self.hours if hours is not None), Decimal(0))

    @property
    def is_complete(self) -> bool:
        return all(hours is not None for hours in self.hours)


def attendance_rows(training, attendance: rules.AttendanceList) -> list[AttendanceRow]:
    """One row per participant whose consent stands, by surname: hours per period."""
    rows = [
        AttendanceRow(enrolment.id, enrolment.surname, enrolment.given_name,
                      tuple(attended_hours(enrolment, period) for period in attendance.periods))
        for enrolment in training.enrolments
        if enrolment.has_consent and enrolment.surname and enrolment.given_name
    ]
    return sorted(rows, key=lambda row: (row.surname.lower(), row.given_name.lower()))


def _attendance_list(training, today: date | None) -> tuple[rules.AttendanceList, date]:
    attendance = rules.vov_attendance_list(training)
    if attendance is None:
        raise PolicyError(_("This training is not recognised for Flemish training leave."))
    today = today or clock.today()
    if today < attendance.opens_on:
        raise PolicyError(_("This attestation is not available yet: from %(day)s on.",
                            day=format_day(attendance.opens_on)))
    return attendance, today


def attendance_list_html(training, *, today: date | None = None,
                         is_example: bool = False) -> Markup:
    """The training's VOV attendance list, from the day after its last day on."""
    attendance, today = _attendance_list(training, today)
    html = render_template(
        ATTENDANCE_LIST_TEMPLATE, provider=provider(), training=training,
        attendance=attendance, rows=attendance_rows(training, attendance), issued_on=today,
        is_example=is_example)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template


def attendance_list_pdf(training, *, today: date | None = None,
                        is_example: bool = False) -> bytes:
    return _pdf(attendance_list_html(training, today=today, is_example=is_example),
                _("Attendance for Flemish training leave"))


def attendance_list_csv(training, *, today: date | None = None) -> str:
    """The same list as a spreadsheet: one line per participant and period, as keyed in."""
    attendance, _today = _attendance_list(training, today)
    header = [_("Training"), _("ODB number"), _("Surname"), _("First name"), _("From"),
              _("To"), _("Hours attended")]
    return spreadsheet_csv(header, (
        (training.title, training.odb_number, row.surname, row.given_name, period.starts_on,
         period.ends_on, "" if hours is None else format_decimal(hours))
        for row in attendance_rows(training, attendance)
        for period, hours in zip(attendance.periods, row.hours, strict=True)
    ))


# --- PDF -------------------------------------------------------------------------------------


def _pdf(article: Markup, title: str) -> bytes:
    from weasyprint import CSS, HTML  # imported on first use: it loads Pango (~0.5 s)

    page = render_template(PDF_TEMPLATE, article=article, title=title,
                           provider=provider())
    stylesheet = Path(current_app.static_folder, STYLESHEET)
    return HTML(string=page, base_url=current_app.static_folder).write_pdf(
        stylesheets=[CSS(filename=str(stylesheet))])
