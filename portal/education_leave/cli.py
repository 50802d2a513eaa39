"""`flask attestations due`: the education-leave attestations that are due or overdue."""

import click
from flask.cli import with_appcontext

from portal import clock
from portal.extensions import db


@click.group("attestations")
def attestations_group() -> None:
    """Education-leave attestations (BEV / Vlaams opleidingsverlof)."""


@attestations_group.command("due")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, hidden=True)
@with_appcontext
def due_command(today) -> None:
    """List the attestations that are due or overdue; safe to run daily."""
    from portal.education_leave.services import open_attestations

    items = open_attestations(today.date() if today else clock.today())
    if not items:
        click.echo("No attestations due.")
    for training, item in items:
        kind = ("BEV enrolment attestation" if item.kind == "enrolment"
                else f"attendance attestation for {item.period.starts_on:%d/%m/%Y}"
                f"-{item.period.ends_on:%d/%m/%Y}")
        status = "OVERDUE" if item.status == "overdue" else "due"
        click.echo(f"{status}: {kind} by {item.due_on:%d/%m/%Y} | {training.title} "
                   f"(training #{training.id}) | {item.enrolment.participant_name} "
                   f"(enrolment #{item.enrolment.id})")
    if items:
        overdue = sum(1 for _, item in items if item.status == "overdue")
        click.echo(f"{len(items)} attestation(s) due, {overdue} overdue.")
    db.session.remove()
