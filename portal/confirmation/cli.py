"""`flask campaign open|remind`: open a campaign and mail in batches, safe to run again."""

import time
from datetime import date

import click
from flask.cli import with_appcontext

from portal.email import deliver_outbox
from portal.errors import PolicyError
from portal.extensions import db


@click.group("campaign")
def campaign_group() -> None:
    """The annual data confirmation campaign."""


def _progress_printer(total: int, verb: str):
    started = time.monotonic()

    def on_batch(report) -> None:
        # Deliver each batch right away: the outbox keeps what the mail server refuses.
        sent, failed = deliver_outbox(only_ids=report.batch_mail_ids)
        on_batch.sent += sent
        on_batch.failed += failed
        click.echo(
            f"{verb}: {report.mailed}{f'/{total}' if total else ''} queued, {on_batch.sent} sent, "
            f"{on_batch.failed} failed (retried later), {report.skipped} without primary "
            f"contact, {time.monotonic() - started:.1f} s"
        )

    on_batch.sent = on_batch.failed = 0
    return on_batch


@campaign_group.command("open")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Last day to confirm, YYYY-MM-DD.")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=100, show_default=True)
@with_appcontext
def open_command(year: int, deadline, batch_size: int) -> None:
    """Open the campaign of YEAR and invite every primary contact (run again to resume)."""
    from portal.confirmation import services

    try:
        campaign, added = services.open_campaign(year, deadline.date(), actor=None)
    except PolicyError as error:
        raise click.ClickException(str(error.message))
    if campaign.deadline != deadline.date():
        click.echo(f"Campaign {year} already exists with deadline {campaign.deadline}.")
    click.echo(f"Campaign {year}: {added} organisations added.")
    total = services.count_to_invite(campaign.id)
    on_batch = _progress_printer(total, "Invitations")
    report = services.send_invitations(campaign.id, batch_size=batch_size, on_batch=on_batch)
    # Mails queued earlier whose delivery failed are retried here too, once due.
    sent, failed = deliver_outbox()
    click.echo(
        f"Done: {report.mailed} invitations queued, {on_batch.sent + sent} mails sent, "
        f"{on_batch.failed + failed} failed (retried later), {report.skipped} organisations "
        "without primary contact."
    )
    db.session.remove()


@campaign_group.command("remind")
@click.option("--interval-days", type=click.IntRange(1, 365), default=None,
              help="Days between reminders (default: CONFIRMATION_REMINDER_INTERVAL_DAYS).")
@click.option("--batch-size", type=click.IntRange(1, 5000), default=100, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, hidden=True)
@with_appcontext
def remind_command(interval_days: int | None, batch_size: int, today) -> None:
    """Remind primary contacts who have not confirmed (safe to run daily from cron)."""
    from datetime import timedelta

    from portal.confirmation import services

    day = today.date() if today else date.today()
    interval = timedelta(days=interval_days) if interval_days else None
    for campaign in services.open_campaigns():
        on_batch = _progress_printer(0, f"Reminders {campaign.year}")
        report = services.send_reminders(campaign, today=day, interval=interval,
                                         batch_size=batch_size, on_batch=on_batch)
        sent, failed = deliver_outbox()
        click.echo(f"Campaign {campaign.year}: {report.mailed} reminders queued, "
                   f"{on_batch.sent + sent} mails sent, {on_batch.failed + failed} failed "
                   "(retried later).")
    db.session.remove()
