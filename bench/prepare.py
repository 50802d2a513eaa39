"""Database steps of the benchmark, run by bench/run.py in a subprocess of its own.

    python bench/prepare.py wipe   --database-url URL   empty a PostgreSQL database
    python bench/prepare.py setup  --database-url URL   after `flask seed-demo`: logins, campaign,
                                                         audit trail; prints JSON facts
    python bench/prepare.py age    --database-url URL --year Y --days 15
                                                         move the invitations of campaign Y
                                                         back in time: reminders are due
    python bench/prepare.py grow   --database-url URL --organisations 9000
                                                         copy organisations (with contacts,
                                                         subscriptions, confirmations, audit
                                                         events) until there are that many

`setup` and `grow` touch only the benchmark's own database: they refuse a production config.
"""

import argparse
import json
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AUDIT_EVENTS_PER_ORGANISATION = 3


def _app(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["PORTAL_CONFIG"] = "development"
    from portal import create_app

    return create_app({"MAIL_FILE_DIR": None})


def wipe(database_url: str) -> None:
    """Drop every table of the portal (and Alembic's) so `flask db upgrade` starts afresh."""
    from sqlalchemy import text

    from portal.extensions import db

    app = _app(database_url)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()


def setup(database_url: str) -> dict:
    """Give the 50-contact organisation's primary contact a login, put every organisation in
    the open campaign, and write an audit trail: the data the measured pages show."""
    from sqlalchemy import func, insert, select

    from portal.extensions import db
    from portal.models import (
        AuditEvent,
        Confirmation,
        ConfirmationCampaign,
        Contact,
        Organisation,
        User,
    )

    app = _app(database_url)
    with app.app_context():
        demo = db.session.scalar(select(User).where(User.email == "primair@voorbeeld.be"))
        staff = db.session.scalar(select(User).where(User.is_staff.is_(True)).order_by(User.id))
        roster_sizes = (
            select(Contact.organisation_id, func.count(Contact.id).label("size"))
            .group_by(Contact.organisation_id)
            .order_by(func.count(Contact.id).desc(), Contact.organisation_id)
            .limit(1)
        )
        organisation_id, size = db.session.execute(roster_sizes).one()
        primary = db.session.scalar(
            select(Contact).where(Contact.organisation_id == organisation_id,
                                  Contact.is_primary.is_(True))
        )
        if primary.user is None:
            # The seed gives big rosters no logins; reuse the demo password's hash (no scrypt).
            primary.has_website_right = True
            db.session.add(User(email=primary.email, contact=primary,
                                password_hash=demo.password_hash,
                                password_changed_at=datetime.now(UTC)))
        totp_secret = None
        if staff is not None:
            # Staff log in with a second factor: enrol one whose codes the benchmark can make.
            import pyotp

            totp_secret = staff.totp_secret or pyotp.random_base32()
            staff.totp_secret = totp_secret
            staff.totp_enabled_at = staff.totp_enabled_at or datetime.now(UTC)
        campaign = db.session.scalar(
            select(ConfirmationCampaign).order_by(ConfirmationCampaign.year.desc())
        )
        db.session.flush()
        _campaign_for_all(db, campaign, Organisation, Confirmation)
        _audit_trail(db, AuditEvent, Organisation, insert, select, func)
        db.session.commit()
        organisations = db.session.scalar(select(func.count(Organisation.id)))
        return {
            "organisation_id": organisation_id,
            "organisation_name": db.session.get(Organisation, organisation_id).name,
            "roster_size": size,
            "primary_email": primary.email,
            "demo_email": demo.email,
            "staff_email": staff.email if staff else None,
            "staff_totp_secret": totp_secret,
            "campaign_id": campaign.id if campaign else 0,
            "organisations": organisations,
        }


def _campaign_for_all(db, campaign, Organisation, Confirmation) -> None:  # noqa: N803
    from sqlalchemy import insert, select

    if campaign is None:
        return
    missing = db.session.scalars(
        select(Organisation.id)
        .where(Organisation.membership_ended_on.is_(None))
        .where(~Organisation.id.in_(
            select(Confirmation.organisation_id).where(Confirmation.campaign_id == campaign.id)
        ))
        .order_by(Organisation.id)
    ).all()
    now = datetime.now(UTC)
    rows = [
        {"campaign_id": campaign.id, "organisation_id": org_id, "invited_at": now,
         "progress": {}, "changes": [],
         # About four in ten have confirmed: the progress page has both kinds to count.
         "confirmed_at": now - timedelta(days=org_id % 20) if org_id % 5 < 2 else None}
        for org_id in missing
    ]
    if rows:
        db.session.execute(insert(Confirmation), rows)


def _audit_trail(db, AuditEvent, Organisation, insert, select, func) -> None:  # noqa: N803
    have = db.session.scalar(select(func.count(AuditEvent.id))) or 0
    org_ids = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    wanted = len(org_ids) * AUDIT_EVENTS_PER_ORGANISATION
    if have >= wanted:
        return
    now = datetime.now(UTC)
    actions = ("organisation.updated", "contact.updated", "login.success")
    rows = [
        {"at": now - timedelta(minutes=n), "actor_label": "systeem", "action": actions[n % 3],
         "target_type": "organisations", "target_id": org_id, "organisation_id": org_id,
         "fields": ["name"] if n % 3 == 0 else []}
        for n, org_id in enumerate(org_ids * AUDIT_EVENTS_PER_ORGANISATION)
    ][: wanted - have]
    db.session.execute(insert(AuditEvent), rows)


def age(database_url: str, year: int, days: int) -> int:
    """Pretend the invitations of campaign `year` went out `days` ago, so `flask campaign
    remind` has a reminder due for every organisation that has not confirmed."""
    from sqlalchemy import select, update

    from portal.extensions import db
    from portal.models import Confirmation, ConfirmationCampaign

    app = _app(database_url)
    with app.app_context():
        campaign_id = db.session.scalar(
            select(ConfirmationCampaign.id).where(ConfirmationCampaign.year == year)
        )
        when = datetime.now(UTC) - timedelta(days=days)
        changed = db.session.execute(
            update(Confirmation)
            .where(Confirmation.campaign_id == campaign_id,
                   Confirmation.invited_at.is_not(None))
            .values(invited_at=when)
        ).rowcount
        db.session.commit()
        return changed


def grow(database_url: str, target: int) -> int:
    """Copy existing organisations with everything that hangs off them until there are
    `target`. Plain multi-row INSERTs: seeding 9,000 with Faker would take minutes."""
    from sqlalchemy import func, insert, select, text

    from portal.demo import make_enterprise_number
    from portal.extensions import db
    from portal.models import AuditEvent, Confirmation, Contact, Organisation, Subscription

    app = _app(database_url)
    with app.app_context():
        existing = db.session.scalar(select(func.count(Organisation.id)))
        if existing >= target:
            return 0
        rng = random.Random(9000)
        used_kbo = set(db.session.scalars(select(Organisation.enterprise_number)))

        def rows_of(table, *where):
            return [dict(row._mapping) for row in db.session.execute(select(table).where(*where))]

        contacts = rows_of(Contact.__table__)
        by_org: dict[int, list] = {}
        for row in contacts:
            by_org.setdefault(row["organisation_id"], []).append(row)
        # Copy the ordinary organisations: not the demo ones (logins) nor the big rosters.
        sources = [row for row in rows_of(Organisation.__table__)
                   if 0 < len(by_org.get(row["id"], [])) <= 6 and "Demo" not in row["name"]]
        subscriptions = rows_of(Subscription.__table__, Subscription.contact_id.isnot(None))
        confirmations = rows_of(Confirmation.__table__)
        events = rows_of(AuditEvent.__table__, AuditEvent.organisation_id.isnot(None))
        subs_by_contact: dict[int, list] = {}
        for row in subscriptions:
            subs_by_contact.setdefault(row["contact_id"], []).append(row)
        confirmation_of = {row["organisation_id"]: row for row in confirmations}
        events_of: dict[int, list] = {}
        for row in events:
            events_of.setdefault(row["organisation_id"], []).append(row)

        next_id = {
            model: (db.session.scalar(select(func.max(model.id))) or 0) + 1
            for model in (Organisation, Contact, Subscription, Confirmation, AuditEvent)
        }
        batch = {model: [] for model in next_id}

        def add(model, row):
            row["id"] = next_id[model]
            next_id[model] += 1
            batch[model].append(row)
            return row["id"]

        def flush():
            for model in (Organisation, Contact, Subscription, Confirmation, AuditEvent):
                if batch[model]:
                    db.session.execute(insert(model.__table__), batch[model])
                    batch[model] = []

        for copy in range(target - existing):
            source = sources[copy % len(sources)]
            kbo = make_enterprise_number(rng)
            while kbo in used_kbo:
                kbo = make_enterprise_number(rng)
            used_kbo.add(kbo)
            org_id = add(Organisation, dict(source, enterprise_number=kbo,
                                            name=f"{source['name']} {copy + 1}",
                                            email=f"info@kopie{copy + 1}.example.be"))
            for contact in by_org.get(source["id"], []):
                contact_id = add(Contact, dict(contact, organisation_id=org_id,
                                               email=f"k{copy + 1}.{contact['email']}"))
                for subscription in subs_by_contact.get(contact["id"], []):
                    add(Subscription, dict(subscription, contact_id=contact_id))
            if source["id"] in confirmation_of:
                add(Confirmation, dict(confirmation_of[source["id"]], organisation_id=org_id,
                                       confirmed_by_contact_id=None))
            for event in events_of.get(source["id"], []):
                add(AuditEvent, dict(event, organisation_id=org_id, target_id=org_id))
            if copy % 500 == 499:
                flush()
        flush()
        if db.engine.dialect.name == "postgresql":
            for model in next_id:
                table = model.__tablename__
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                ))
        db.session.commit()
        from portal.planner import analyze

        analyze()  # after a bulk load, as `flask seed-demo` and `import organisations` do
        return target - existing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("wipe", "setup", "age", "grow"))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--organisations", type=int, default=9000)
    parser.add_argument("--year", type=int)
    parser.add_argument("--days", type=int, default=15)
    args = parser.parse_args()
    if args.command == "wipe":
        wipe(args.database_url)
    elif args.command == "age":
        print(json.dumps({"aged": age(args.database_url, args.year, args.days)}))
    elif args.command == "setup":
        print(json.dumps(setup(args.database_url)))
    else:
        print(json.dumps({"added": grow(args.database_url, args.organisations)}))


if __name__ == "__main__":
    main()
