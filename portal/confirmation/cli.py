"""`flask campaign open|remind`: the campaign's mailing jobs, run here with progress lines.

Each command runs the same job the back office queues (portal/confirmation/jobs.py), in this
process, and delivers each batch through the one mail path (portal.email.deliver_outbox).
Safe to run again: a rerun mails only who was not mailed yet.
"""

import time

import click
from flask.cli import with_appcontext

from portal.email import deliver_outbox
from portal.errors import PolicyError
from portal.unit_of_work import transactional


@click.group("campaign")
def campaign_group() -> None:
    """The annual data confirmation campaign."""


class ProgressPrinter:
    """After each batch: deliver its mails at once and print a progress line."""

    def __init__(self, verb: str, *, with_total: bool = True):
        self.verb = verb
        self.with_total = with_total
        self.started = time.monotonic()
        self.sent = self.failed = 0

    def __call__(self, report) -> None:
        # The outbox keeps what the mail server refuses; it is retried later.
        sent, failed = deliver_outbox(only_ids=report.batch_mail_ids)
        self.sent += sent
        self.failed += failed
        total = f"/{report.total}" if self.with_total else ""
        click.echo(
            f"{self.verb}: {report.mailed}{total} queued, {self.sent} sent, "
            f"{self.failed} failed (retried later), {report.skipped} without primary "
            f"contact, {time.monotonic() - self.started:.1f} s"
        )

    def deliver_rest(self) -> None:
        """Mails queued earlier whose delivery failed are retried too, once due."""
        sent, failed = deliver_outbox()
        self.sent += sent
        self.failed += failed


@campaign_group.command("open")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Last day to confirm, YYYY-MM-DD.")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=100, show_default=True)
@with_appcontext
@transactional
def open_command(year: int, deadline, batch_size: int) -> None:
    """Open the campaign of YEAR and invite every primary contact (run again to resume)."""
    from portal.confirmation import campaigns, jobs

    try:
        campaign, added = campaigns.open_campaign(year, deadline.date(), actor=None)
    except PolicyError as error:
        raise click.ClickException(str(error.message)) from None  # rolled back
    if campaign.deadline != deadline.date():
        click.echo(f"Campaign {year} already exists with deadline {campaign.deadline}.")
    click.echo(f"Campaign {year}: {added} organisations added.")
    printer = ProgressPrinter("Invitations")
    # The campaign and its claimed job commit together; then one commit per batch.
    report = jobs.run_here(jobs.INVITATIONS, on_batch=printer, campaign_id=campaign.id,
                           batch_size=batch_size)
    printer.deliver_rest()
    click.echo(
        f"Done: {report.mailed} invitations queued, {printer.sent} mails sent, "
        f"{printer.failed} failed (retried later), {report.skipped} organisations "
        "without primary contact."
    )


@campaign_group.command("remind")
@click.option("--interval-days", type=click.IntRange(1, 365), default=None,
              help="Days between reminders (default: CONFIRMATION_REMINDER_INTERVAL_DAYS).")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=100, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, hidden=True)
@with_appcontext
@transactional
def remind_command(interval_days: int | None, batch_size: int, today) -> None:
    """Remind primary contacts who have not confirmed (safe to run daily from cron)."""
    from portal.confirmation import campaigns, jobs

    for campaign in campaigns.open_campaigns():
        year = campaign.year
        printer = ProgressPrinter(f"Reminders {year}", with_total=False)
        report = jobs.run_here(jobs.REMINDERS, on_batch=printer, campaign_id=campaign.id,
                               today=today.date().isoformat() if today else None,
                               interval_days=interval_days,
                               batch_size=batch_size)
        printer.deliver_rest()
        click.echo(f"Campaign {year}: {report.mailed} reminders queued, "
                   f"{printer.sent} mails sent, {printer.failed} failed (retried later).")
