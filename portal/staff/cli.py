"""Commands: `flask staff create`, `flask import organisations`, `flask backup`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.errors import PolicyError
from portal.i18n import gettext as _
from portal.unit_of_work import transactional


@click.group("staff")
def staff_group() -> None:
    """Staff logins of the federation (they exist only through this command)."""


@staff_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name of the staff member.")
@with_appcontext
@transactional
def create_staff_command(email: str, name: str) -> None:
    """Create a staff login and mail an invitation to set a password."""
    from email_validator import EmailNotValidError

    from portal.staff.services import create_staff_user

    try:
        user = create_staff_user(email, name)
    except EmailNotValidError:
        raise click.ClickException(_("This is not a valid email address."))
    except PolicyError as error:
        raise click.ClickException(error.message)
    click.echo(_("Staff login %(email)s created; an invitation was mailed.", email=user.email))


@click.group("import")
def import_group() -> None:
    """Load data from files."""


@import_group.command("organisations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and skip the bad ones (default: import nothing).")
@with_appcontext
def import_organisations_command(file: Path, skip_invalid: bool) -> None:
    """Import member organisations and contacts from a CSV file (columns: see README)."""
    from portal.staff.importer import import_organisations

    try:
        text = file.read_text("utf-8-sig")
    except UnicodeDecodeError:
        text = file.read_text("cp1252")  # older CRM exports from Excel
    report = transactional(import_organisations)(text, skip_invalid=skip_invalid)
    for line, message in report.errors:
        if line:
            click.echo(_("Line %(line)d: %(message)s", line=line, message=message), err=True)
        else:
            click.echo(message, err=True)
    if report.imported:
        from portal.planner import analyze

        analyze()  # a bulk load: the query planner's statistics are behind
        click.echo(_("%(organisations)d organisations and %(contacts)d contacts imported.",
                     organisations=report.organisations, contacts=report.contacts))
        if report.errors:
            click.echo(_("Lines skipped: %(count)d.", count=len(report.bad_lines)))
    else:
        raise click.ClickException(
            _("Nothing was imported. Lines with errors: %(count)d. Correct them, or use "
              "--skip-invalid to import only the valid lines.", count=len(report.bad_lines)))


@click.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The backup file (default: instance/backups/portal-<time>.db).")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Back up the SQLite database while the portal runs (PostgreSQL: use pg_dump)."""
    from portal.staff.backup import backup

    try:
        target = backup(output)
    except ValueError:
        raise click.ClickException(
            _("This command backs up the SQLite database. For PostgreSQL use pg_dump, "
              "as described in the README."))
    click.echo(_("Backup written to %(path)s.", path=str(target)))
