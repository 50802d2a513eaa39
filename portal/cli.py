"""Command-line groups shared by several flows: demo data, mail queue, retention."""

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import clock
from portal.extensions import db
from portal.unit_of_work import transactional


def _refuse_production() -> None:
    if current_app.config["IS_PRODUCTION"]:
        raise click.ClickException("seed-demo refuses to run against a production configuration.")


@click.command("seed-demo")
@click.option("--organisations", type=click.IntRange(1, 50_000), default=None,
              help="Add realistic organisations until there are this many in total.")
@with_appcontext
def seed_demo_command(organisations: int | None) -> None:
    """Fill the database with the demo organisations, logins, training and campaign."""
    from portal.demo import seed_demo, seed_organisations
    from portal.planner import analyze

    _refuse_production()
    created = transactional(seed_demo)()
    if created:
        analyze()
    click.echo("Demo data created." if created else "Demo data already present.")
    if organisations:
        added = seed_organisations(organisations)
        click.echo(f"Added {added} organisations.")


@click.group("mail")
def mail_group() -> None:
    """The outgoing mail queue."""


@mail_group.command("send-queued")
@click.option("--limit", default=500, show_default=True, help="Mails leased per batch.")
@click.option("--every", type=click.FloatRange(min=1), default=None,
              help="Keep running: look for due mail every this many seconds (worker mode).")
@with_appcontext
def send_queued_command(limit: int, every: float | None) -> None:
    """Deliver queued mails (safe to run from cron or a worker loop, also twice at once)."""
    import socket

    from portal.email import deliver_outbox

    # Flask-Mail opens SMTP without a timeout: a hung mail server would hang the worker for
    # good. Well below the outbox lease (10 min), so a lease never ends during one send.
    socket.setdefaulttimeout(current_app.config.get("MAIL_TIMEOUT", 60))
    if every is None:
        sent, failed = deliver_outbox(limit=limit)
        click.echo(f"{sent} sent, {failed} failed (will be retried)")
        return
    _run_mail_worker(deliver_outbox, limit, every)


def _run_mail_worker(deliver_outbox, limit: int, every: float) -> None:
    """One long-lived process instead of a Python start every few seconds.

    SIGTERM (systemctl stop) ends it between two mails: a mail is never half-handled.
    A database outage is logged and retried at the next round instead of ending the worker.
    """
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    current_app.logger.info("Mail worker started: every %.0f s", every)
    while not stop.is_set():
        try:
            sent, failed = deliver_outbox(limit=limit)
            if sent or failed:
                current_app.logger.info("Mail worker: %d sent, %d failed", sent, failed)
        except Exception:  # noqa: BLE001 - keep the worker alive; the queue keeps the mail
            current_app.logger.exception("Mail worker round failed; retrying")
            db.session.rollback()
        finally:
            db.session.remove()
        stop.wait(every)
    current_app.logger.info("Mail worker stopped")


@click.group("retention")
def retention_group() -> None:
    """Erase personal data that is no longer needed."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, hidden=True)
@with_appcontext
def retention_run_command(dry_run: bool, today) -> None:
    """Run every retention step; safe to run daily (one run at a time: a second run started
    meanwhile stops at once). Each step commits when it is done."""
    from portal.retention import run_retention, single_runner

    with single_runner("retention run") as mine:
        if not mine and not dry_run:
            click.echo("Another retention run is busy (on this or another host); this run "
                       "erased nothing. The next scheduled run continues its work.")
            return
        reports = run_retention(today.date() if today else clock.today(), dry_run=dry_run)
        if mine and not dry_run:
            from portal.planner import optimize

            optimize()  # the nightly moment for the planner's statistics
    for report in reports:
        verb = "would erase" if dry_run else "erased"
        click.echo(f"{report.step}: {verb} {report.count}")
        for line in report.details:
            click.echo(f"  {line}")
    db.session.remove()


cli_groups = (seed_demo_command, mail_group, retention_group)
