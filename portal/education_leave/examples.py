"""`flask attestations render-examples`: one PDF of each attestation kind, from an example.

The example lives in memory only (never added to the database session) and has fixed dates,
so the PDFs under docs/attestations/ can be made again and compared.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.education_leave import documents, rules
from portal.education_leave.cli import attestations_group
from portal.models import AttendedHours, Enrolment, Training

EXAMPLE_ISSUER = "Mona Medewerker"


@dataclass(frozen=True)
class Example:
    training: Training
    enrolment: Enrolment  # the participant whose attestations are shown


def example() -> Example:
    """A training recognised for both schemes, 4.5 months long (two BEV periods)."""
    training = Training(
        id=1, title="Arbeidsrecht in de socioculturele sector",
        starts_on=date(2027, 1, 11), ends_on=date(2027, 5, 28), hours=Decimal("36"),
        is_bev_recognised=True, is_vov_recognised=True, is_per_school_year=False,
        odb_number="DV.O123456 (voorbeeld)",
        modules="Module 1: Arbeidsovereenkomsten; Module 2: Arbeidstijd en verloven",
        exam_on=date(2027, 6, 11),
    )
    first, second = rules.training_attendance_periods(training)
    participant = _participant(training, 12, "Vandenbroucke", "An", "Leuven", date(1985, 3, 14),
                               "9000 Gent", hours=(Decimal("20"), Decimal("15.5")))
    _participant(training, 13, "Peeters", "Jonas", "Hasselt", date(1990, 11, 2), "3500 Hasselt",
                 hours=(Decimal("19"), None))
    assert (first.ends_on, second.ends_on) == (date(2027, 4, 10), date(2027, 5, 28))
    return Example(training, participant)


def _participant(training, enrolment_id, surname, given_name, birthplace, birth_date,
                 residence, hours) -> Enrolment:
    enrolment = Enrolment(
        id=enrolment_id, training=training, participant_name=f"{given_name} {surname}",
        participant_email=f"{given_name.lower()}@voorbeeld.be", organisation_name="Demo vzw",
        link_nonce=f"voorbeeld-{enrolment_id}",
        enrolled_at=datetime(2026, 12, 14, 10, 0, tzinfo=UTC),
        consent_given_at=datetime(2026, 12, 14, 10, 5, tzinfo=UTC),
        surname=surname, given_name=given_name, birthplace=birthplace, birth_date=birth_date,
        residence=residence,
    )
    for period, attended in zip(rules.training_attendance_periods(training), hours, strict=True):
        if attended is not None:
            enrolment.attended_hours.append(AttendedHours(
                period_starts_on=period.starts_on, period_ends_on=period.ends_on,
                hours=attended))
    return enrolment


def render_examples(output: Path) -> list[Path]:
    """Write one PDF of each kind into `output`; each issued on the day it becomes available."""
    output.mkdir(parents=True, exist_ok=True)
    sample = example()
    written = []
    seen = set()
    for attestation in documents.attestations_of(sample.enrolment):
        if attestation.kind in seen:
            continue  # one of each kind: the first attendance period
        seen.add(attestation.kind)
        path = output / f"{documents.FILE_STEMS[attestation.kind]}.pdf"
        path.write_bytes(documents.attestation_pdf(sample.enrolment, attestation,
                                                   today=attestation.opens_on,
                                                   issued_by=EXAMPLE_ISSUER,
                                                   is_example=True))
        written.append(path)
    attendance = rules.vov_attendance_list(sample.training)
    path = output / "aanwezigheidslijst-vov.pdf"
    path.write_bytes(documents.attendance_list_pdf(sample.training, today=attendance.opens_on,
                                                           is_example=True))
    written.append(path)
    return written


@attestations_group.command("render-examples")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("docs/attestations"), show_default=True,
              help="Folder for the PDFs (made when missing).")
@with_appcontext
def render_examples_command(output: Path) -> None:
    """Make one PDF of each attestation kind from an example participant (nothing stored)."""
    for path in render_examples(output):
        click.echo(f"wrote {path}")
