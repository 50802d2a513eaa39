"""`flask newsletter send LIST SUBJECT FILE`: a mailing to the current subscribers of a list."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.errors import PolicyError
from portal.extensions import db
from portal.unit_of_work import transactional


@click.group("newsletter")
def newsletter_group() -> None:
    """Newsletter mailings."""


@transactional
def _start_mailing(list_slug: str, subject: str, body: str, batch_size: int) -> tuple[int, int]:
    from portal.newsletters.services import send_mailing

    started = send_mailing(list_slug, subject, body, batch_size=batch_size)
    return started.mailing.id, started.job.id


@newsletter_group.command("send")
@click.argument("list_slug", metavar="LIST")
@click.argument("subject")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", type=click.IntRange(1, 5000), default=200, show_default=True,
              help="Mails queued (and committed) per batch.")
@with_appcontext
def send_command(list_slug: str, subject: str, file: Path, batch_size: int) -> None:
    """Send FILE (plain text, UTF-8) with SUBJECT to everyone who receives LIST now.

    The mailing is a job: this command starts it and runs it to its end (the worker delivers
    the queued mails; an interrupted run is finished by the worker or a second run).
    """
    from portal.jobs import job_status, run_due_jobs
    from portal.models import Mailing

    try:
        body = file.read_text("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("FILE must be UTF-8 text.")
    try:
        mailing_id, job_id = _start_mailing(list_slug, subject, body, batch_size)
    except PolicyError as error:
        raise click.ClickException(str(error.message))
    # Development ran the job right after the commit; in production this runs the due jobs
    # (this mailing among them) here instead of waiting for the worker.
    run_due_jobs()
    mailing, job = db.session.get(Mailing, mailing_id), job_status(job_id)
    click.echo(f"Mailing {mailing.id}: {mailing.recipient_count} mails queued "
               f"for list {list_slug}.")
    if job.finished_at is None or job.last_error:
        click.echo(f"Not finished yet ({job.last_error or 'running elsewhere'}); the worker "
                   "(flask mail send-queued) goes on with it.", err=True)


@newsletter_group.command("ensure-lists")
@with_appcontext
@transactional
def ensure_lists_command() -> None:
    """Create the four standard lists (nieuwsbrief, e-zine, newsflash, uitnodigingen)."""
    from portal.newsletters.services import ensure_default_lists

    click.echo(f"{ensure_default_lists()} lists added.")


@newsletter_group.command("add-list")
@click.argument("slug")
@click.argument("name")
@click.option("--description", default=None, help="One sentence in Dutch, shown to readers.")
@with_appcontext
@transactional
def add_list_command(slug: str, name: str, description: str | None) -> None:
    """Add a list SLUG shown as NAME (Dutch); contacts with the right receive it by default."""
    from portal.newsletters.services import add_list

    try:
        newsletter_list = add_list(slug, name, description)
    except PolicyError as error:
        raise click.ClickException(str(error.message))
    click.echo(f"List {newsletter_list.slug} added.")
