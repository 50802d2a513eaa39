"""Races on PostgreSQL: two people save the same record, two primary-role hand-overs are
accepted at once, one email signs up twice at once. N runs each, threads released together.

SQLite serialises every writer (one file lock), so a race cannot happen there: skipped.
"""

import os
from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.errors import PolicyError, StaleDataError
from portal.extensions import db
from portal.models import Contact, PrimaryTransfer, Subscriber, User
from tests import factories
from tests.concurrency import run_together
from tests.conftest import app_in_context
from tests.security import figures
from tests.security.conftest import csrf_token_for
from tests.security.forms import post_forms

RUNS = 20
pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="races need concurrent writers: SQLite serialises every write with one file lock "
    "(set TEST_DATABASE_URL=postgresql+psycopg://...)",
)


@pytest.fixture
def race_app(_schema, database_url, tmp_path):
    with app_in_context(database_url, tmp_path, WTF_CSRF_ENABLED=True) as app:
        yield app


def test_two_people_save_the_same_contact(race_app):
    """The primary contact and the contact themselves save the same record from the same
    version: one wins, the other gets the Dutch 'changed meanwhile' refusal, no lost update."""
    from portal.roster import services

    outcomes = Counter()
    for run in range(RUNS):
        org = factories.make_org()
        primary = factories.make_contact(org, primary=True)
        contact = factories.make_contact(org)
        ids = (org.id, primary.user.id, contact.id, contact.user.id)
        version = contact.version
        base = {"first_name": contact.first_name, "last_name": contact.last_name,
                "phone": contact.phone, "function": contact.function}

        def by_primary(org_id=ids[0], user_id=ids[1], contact_id=ids[2], version=version,
                       base=base, run=run):
            actor = db.session.get(User, user_id)
            data = {**base, "function": f"Door primair {run}", "email": actor and
                    db.session.get(Contact, contact_id).email, "has_website_right": True,
                    "has_newsletter_right": True, "has_advice_right": False}
            return services.update_contact(org_id, actor, contact_id, data, version)

        def by_self(contact_id=ids[2], user_id=ids[3], version=version, base=base, run=run):
            actor = db.session.get(User, user_id)
            return services.update_own_details(contact_id, actor,
                                               {**base, "function": f"Door zelf {run}"},
                                               version)

        results = run_together(race_app, by_primary, by_self)
        winners = [r for r in results if isinstance(r, list)]
        refused = [r for r in results if isinstance(r, StaleDataError)]
        assert len(winners) == 1 and len(refused) == 1, results
        assert refused[0].message.startswith("Iemand anders wijzigde deze gegevens")
        db.session.rollback()
        saved = db.session.get(Contact, ids[2])
        winner_function = (f"Door primair {run}" if isinstance(results[0], list)
                           else f"Door zelf {run}")
        assert saved.function == winner_function  # the winner's value, not a mix
        assert saved.version == version + 1
        outcomes["runs"] += 1
    figures.add("races", scenarios=1, runs=outcomes["runs"])


def test_two_hand_overs_accepted_at_once_leave_one_primary(race_app):
    from datetime import UTC, datetime, timedelta

    from portal.roster import services

    for _run in range(RUNS):
        org = factories.make_org()
        primary = factories.make_contact(org, primary=True)
        first = factories.make_contact(org)
        second = factories.make_contact(org)
        transfers = []
        for target in (first, second):
            transfer = PrimaryTransfer(organisation_id=org.id, from_contact_id=primary.id,
                                       to_contact_id=target.id,
                                       expires_at=datetime.now(UTC) + timedelta(days=14))
            db.session.add(transfer)
            db.session.flush()
            transfers.append((transfer.id, target.user.id, target.id, target.version))
        db.session.commit()

        def accept(transfer_id, user_id, contact_id, version):
            def job():
                actor = db.session.get(User, user_id)
                contact = db.session.get(Contact, contact_id)
                data = {"first_name": contact.first_name, "last_name": contact.last_name,
                        "phone": contact.phone, "function": contact.function}
                return services.accept_primary_transfer(transfer_id, actor, data, version)
            return job

        results = run_together(race_app, *(accept(*transfer) for transfer in transfers))
        db.session.rollback()
        primaries = db.session.scalar(select(func.count()).select_from(Contact).where(
            Contact.organisation_id == org.id, Contact.is_primary))
        assert primaries == 1, results
        accepted = [r for r in results if isinstance(r, Contact)]
        refused = [r for r in results if isinstance(r, PolicyError)]
        assert len(accepted) == 1 and len(refused) == 1, results
    figures.add("races", scenarios=1, runs=RUNS)


def test_two_sign_ups_with_the_same_email(race_app):
    from portal.newsletters.services import active_lists, ensure_default_lists

    ensure_default_lists()
    db.session.commit()  # what `flask newsletter ensure-lists` does
    list_id = active_lists()[0].id
    clients = [race_app.test_client(), race_app.test_client()]
    for run in range(RUNS):
        email = f"dubbel{run}@voorbeeld.be"
        posts = []
        for client in clients:
            form = post_forms(client.get("/nieuwsbrief/inschrijven").get_data(as_text=True),
                              "/nieuwsbrief/inschrijven")[0]
            data = form.data(name="Sara Peeters", organisation="", email=email,
                             csrf_token=csrf_token_for(client))
            data["lists"] = str(list_id)
            data["consent"] = "y"
            posts.append((client, data))
        from portal.extensions import limiter

        limiter.reset()
        results = run_together(race_app, *(
            (lambda client=client, data=data: client.post("/nieuwsbrief/inschrijven",
                                                          data=data)) for client, data in posts))
        statuses = [getattr(r, "status_code", r) for r in results]
        assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
        db.session.rollback()
        rows = db.session.scalar(select(func.count()).select_from(Subscriber).where(
            Subscriber.email == email))
        assert rows == 1, statuses
    figures.add("races", scenarios=1, runs=RUNS)
