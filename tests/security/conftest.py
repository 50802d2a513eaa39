"""The security suite's world: two organisations, every role logged in, CSRF switched ON.

`app` is overridden here so that every test of this directory runs with CSRF protection as in
production; helpers forge valid, foreign and expired CSRF tokens for the test clients.
"""

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, select

from portal import clock
from portal.extensions import db
from tests import factories
from tests.conftest import log_in, make_test_app, wipe_tables
from tests.security import figures

ROLES = ("anonymous", "deactivated", "participant", "contact_a", "primary_b", "staff",
         "primary_a")

# Outcomes of one request, as a user sees it.
LOGIN = "login"  # redirect to the login page
FORBIDDEN = "403"
NOT_FOUND = "404"
OK = "ok"  # served: 2xx or a redirect inside the portal that is not the login page
ERROR = "5xx"
DENIED = {LOGIN, FORBIDDEN, NOT_FOUND}


@pytest.fixture
def app(_schema, database_url, tmp_path):
    """As tests/conftest.py's app, but with CSRF protection on, as in production."""
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        _fast_sqlite(db.engine)
        yield app
        db.session.rollback()
        wipe_tables()
        db.session.remove()
        db.engine.dispose()


def _fast_sqlite(engine) -> None:
    """No fsync per commit on the throw-away SQLite file: the suite builds many worlds."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_sync(connection, _record):
        connection.execute("PRAGMA synchronous=OFF")

    engine.dispose()  # connections opened before this point would keep syncing


@pytest.fixture
def portal_log(caplog):
    """caplog on the portal's own logger, formatted as the portal writes its log.

    The logger may not propagate to the root, and alembic's fileConfig (migration tests)
    disables existing loggers: both would leave caplog empty and the checks vacuous.
    """
    import logging

    from portal.logs import TextFormatter

    logger = logging.getLogger("portal")
    was_disabled = logger.disabled
    logger.disabled = False
    logger.addHandler(caplog.handler)
    caplog.handler.setFormatter(TextFormatter())
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="portal")
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.disabled = was_disabled


def csrf_token_for(client, *, signer_time: float | None = None) -> str:
    """A valid CSRF token of this client's session, made as flask-wtf makes it."""
    app = client.application
    name = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with client.session_transaction() as session:
        raw = session.get(name) or hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
        session[name] = raw
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
    if signer_time is None:
        return serializer.dumps(raw)
    # An old signature: the timestamp is part of what is signed, so it cannot be edited later.
    serializer.default_signer = _fixed_time_signer(signer_time)
    return serializer.dumps(raw)


def _fixed_time_signer(moment: float):
    from itsdangerous import TimestampSigner

    class OldSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(moment)

    return OldSigner


def outcome(response) -> str:
    """Classify a response as the matrix expects it."""
    status = response.status_code
    if status >= 500:
        return ERROR
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers.get("Location", "")).path
        return LOGIN if path == "/aanmelden" else OK
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status >= 400:
        return str(status)
    return OK


@dataclass
class World:
    """Two organisations and one person per role; ids and tokens for every path argument."""

    app: object
    org_a: object
    org_b: object
    primary_a: object
    contact_a: object
    deactivated: object
    primary_b: object
    contact_b: object
    staff: object
    clients: dict = field(default_factory=dict)
    args: dict = field(default_factory=dict)  # path argument name -> value for A's objects
    b_args: dict = field(default_factory=dict)  # the same for B's objects

    def client(self, role: str):
        return self.clients[role]


def _tokens(world: World) -> dict:
    from portal.auth.invitations import invitation_fingerprint
    from portal.auth.resets import reset_fingerprint
    from portal.education_leave import services as leave_services
    from portal.models import Enrolment, PrimaryTransfer, Training, TrainingPeriod
    from portal.newsletters import services as news_services
    from portal.newsletters.services import Person
    from portal.tokens import make_token

    today = clock.today()
    training = Training(title="Arbeidsrecht", starts_on=today + timedelta(days=10),
                        ends_on=today + timedelta(days=30), hours=24, is_bev_recognised=True,
                        is_vov_recognised=False)
    training.periods = [TrainingPeriod(starts_on=training.starts_on, ends_on=training.ends_on)]
    db.session.add(training)
    db.session.flush()
    enrolment = Enrolment(
        training_id=training.id, contact_id=world.contact_a.id,
        organisation_id=world.org_a.id, participant_name="An Peeters",
        participant_email=world.contact_a.email, organisation_name=world.org_a.name,
        link_nonce="nonce-" + os.urandom(8).hex(),
    )
    db.session.add(enrolment)
    db.session.flush()
    lists = news_services.active_lists() or []
    slug = lists[0].slug if lists else "algemeen"
    invited_user = world.contact_a.user
    transfer = PrimaryTransfer(organisation_id=world.org_a.id,
                               from_contact_id=world.primary_a.id,
                               to_contact_id=world.contact_a.id,
                               **_transfer_extra())
    db.session.add(transfer)
    db.session.commit()
    from portal.models import Subscriber

    subscriber = Subscriber(name="Sara", email="sara@voorbeeld.be")
    db.session.add(subscriber)
    db.session.flush()
    confirm = make_token(news_services.CONFIRM_PURPOSE, {
        "k": news_services.key_of(Person(subscriber=subscriber)), "l": [slug],
        "v": news_services.text_version(news_services.SIGNUP_CONSENT_TEXT), "n": "An",
        "o": ""})
    unsubscribe = news_services.unsubscribe_token(Person(contact=world.contact_a), lists[0])
    db.session.commit()
    return {
        "training_id": training.id,
        "enrolment_id": enrolment.id,
        "slug": slug,
        "participant_token": leave_services.make_participant_token(enrolment),
        "invitation_token": make_token("invitation", {
            "user": invited_user.id,
            "check": invitation_fingerprint(invited_user)}),
        "reset_token": make_token("password-reset", {
            "user": invited_user.id,
            "check": reset_fingerprint(invited_user)}),
        "confirm_token": confirm,
        "unsubscribe_token": unsubscribe,
        "transfer_token": _transfer_token(transfer),
    }


def _transfer_extra() -> dict:
    from datetime import UTC, datetime

    from portal.models import PrimaryTransfer

    extra = {}
    columns = PrimaryTransfer.__table__.columns
    if "expires_at" in columns:
        extra["expires_at"] = datetime.now(UTC) + timedelta(days=7)
    return extra


def _transfer_token(transfer) -> str:
    from portal.roster.transfer import transfer_token

    return transfer_token(transfer)


def build_world(app) -> World:
    from portal.auth.sessions import end_all_sessions
    from portal.confirmation import campaigns
    from portal.models import DataBreach

    org_a = factories.make_org("Vzw Alfa")
    org_b = factories.make_org("Vzw Beta")
    primary_a = factories.make_contact(org_a, primary=True, first_name="Pia")
    contact_a = factories.make_contact(org_a, first_name="Koen")
    deactivated = factories.make_contact(org_a, first_name="Dirk")
    primary_b = factories.make_contact(org_b, primary=True, first_name="Tom")
    contact_b = factories.make_contact(org_b, first_name="Els")
    staff = factories.make_staff()
    world = World(app, org_a, org_b, primary_a, contact_a, deactivated, primary_b, contact_b,
                  staff)

    campaign, _added = campaigns.open_campaign(
        clock.today().year + 1, clock.today() + timedelta(days=60), actor=None)
    from datetime import UTC, datetime
    breach = DataBreach(title="Laptop gestolen", description="Een laptop is gestolen.",
                        discovered_at=datetime.now(UTC) - timedelta(hours=2),
                        data_categories="namen", risk_level="low", created_by_user_id=staff.id)
    db.session.add(breach)
    db.session.commit()
    tokens = _tokens(world)

    world.args = {
        "contact_id": contact_a.id,
        "organisation_id": org_a.id,
        "campaign_id": campaign.id,
        "breach_id": breach.id,
        "training_id": tokens["training_id"],
        "enrolment_id": tokens["enrolment_id"],
        "slug": tokens["slug"],
        "filename": "css/portal.css",
        **{k: v for k, v in tokens.items() if k.endswith("_token")},
    }
    world.b_args = {"contact_id": contact_b.id, "organisation_id": org_b.id}

    for role in ROLES:
        world.clients[role] = app.test_client()
    for role, person in (("contact_a", contact_a), ("primary_a", primary_a),
                         ("primary_b", primary_b), ("deactivated", deactivated)):
        log_in(world.clients[role], person.user)
    log_in(world.clients["staff"], staff)
    deactivated.user.is_enabled = False  # switched off after logging in: sessions end
    end_all_sessions(deactivated.user)
    db.session.commit()
    return world


@pytest.fixture
def world(app) -> World:
    return build_world(app)


def table_hashes(ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """A digest of every table's rows (sorted), to prove that nothing changed; columns named
    in `ignore` are left out."""
    db.session.rollback()
    digests = {}
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if column.name not in ignore]
        rows = db.session.execute(select(*columns)).all()
        lines = sorted(repr(tuple(row)) for row in rows)
        digests[table.name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return digests


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


class WriteWatcher:
    """Names the tables a request wrote and committed (cheaper than hashing every table).

    Writes that were rolled back do not count: a refused request may try and roll back.
    """

    WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)

    def __init__(self, engine):
        self.engine = engine
        self.pending: dict[int, set[str]] = {}
        self.committed: set[str] = set()

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        match = self.WRITE.match(statement)
        if match:
            self.pending.setdefault(id(conn), set()).add(match.group(1))

    def _commit(self, conn):
        self.committed |= self.pending.pop(id(conn), set())

    def _rollback(self, conn):
        self.pending.pop(id(conn), None)

    def take(self) -> set[str]:
        """The tables committed since the last call."""
        written, self.committed = self.committed, set()
        return written


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in figures.summary_lines():
        terminalreporter.write_line(line)

