"""Two gunicorn instances on two loopback ports, one PostgreSQL database, one Redis.

Runs only when TEST_DATABASE_URL is PostgreSQL and Redis answers (see the skip reason).
The fixture creates a fresh database, builds the schema with two concurrent
`flask db upgrade` runs (as two hosts deploying at once), starts both instances in the
production configuration as nginx would reach them, and drops everything afterwards.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import clock
from tests.deploy.services import REDIS_URL, redis_answers

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TOKEN = "eyJ1c2VyIjo0Mn0.Z3x9Qw.s3cr3t-s1gn4tur3"
IP_LIMIT = 12  # failed log-ins per client IP in the cluster (PORTAL_LOGIN_RATE_LIMIT)

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql") or not redis_answers(),
    reason="multi-process test needs TEST_DATABASE_URL=postgresql+psycopg://... and a Redis "
    f"answering on {REDIS_URL} (TEST_REDIS_URL); on SQLite there is one process by design",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A tiny HTTP client that keeps cookies, sending what nginx adds (X-Forwarded-*)."""

    def __init__(self, ip: str = "192.0.2.10"):
        self.cookies: dict[str, str] = {}
        self.ip = ip  # the client address nginx puts in X-Forwarded-For

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-For": self.ip,
                   "X-Forwarded-Proto": "https", "X-Forwarded-Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Flask-WTF checks the Referer on HTTPS, as a browser sends it (same-origin).
            headers["Referer"] = f"https://127.0.0.1{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if not morsel.value or "1970" in (morsel["expires"] or ""):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, page

    def csrf_token(self, port: int, path: str) -> str:
        status, _headers, page = self.request(port, "GET", path)
        assert status == 200, (status, page[:300])
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def log_in(self, port: int, email: str, password: str):
        token = self.csrf_token(port, "/aanmelden")
        return self.request(port, "POST", "/aanmelden",
                            {"csrf_token": token, "email": email, "password": password})


class SmtpSink:
    """An aiosmtpd server that counts every accepted recipient.

    `hold_at(n)`: the n-th message from now on never gets its answer, so the worker sending it
    hangs mid-send (with its batch leased) until it is killed; that message is not accepted.
    `delay`: seconds each answer takes (a real mail server's pace: concurrent runs overlap).
    """

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: Counter = Counter()
        self.held = threading.Event()
        self._hold_at: int | None = None
        self._seen = 0
        self.delay = 0.0
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
                import asyncio

                with sink._lock:
                    sink._seen += 1
                    hold = sink._seen == sink._hold_at
                if hold:
                    sink.held.set()
                    await asyncio.Event().wait()  # never answered: cancelled at stop
                if sink.delay:
                    await asyncio.sleep(sink.delay)
                with sink._lock:
                    sink.received.update(envelope.rcpt_tos)
                return "250 OK"

        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def hold_at(self, count: int) -> None:
        with self._lock:
            self._hold_at = self._seen + count
            self.held.clear()

    def total(self) -> int:
        with self._lock:
            return sum(self.received.values())

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Cluster:
    def __init__(self, database_url: str, env: dict, log_dir: Path):
        self.database_url = database_url
        self.env = env
        self.log_dir = log_dir
        self.instances: dict[str, tuple[int, subprocess.Popen]] = {}

    def flask(self, *args, env=None, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env or self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True, **kwargs)

    def start(self, name: str) -> int:
        port = _free_port()
        log = (self.log_dir / f"{name}.log").open("w")
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env={**self.env, "GUNICORN_WORKERS": "2"}, stdout=log, stderr=log,
            start_new_session=True)  # own process group: SIGKILL takes master and workers
        self.instances[name] = (port, process)
        return port

    def wait_healthy(self, name: str, timeout: float = 20) -> None:
        port, process = self.instances[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert process.poll() is None, self.log(name)
            try:
                status, _h, _p = Browser().request(port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{name} did not become healthy:\n{self.log(name)}")

    def kill(self, name: str) -> None:
        _port, process = self.instances[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for _port, process in self.instances.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _port, process in self.instances.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text()

    def port(self, name: str) -> int:
        return self.instances[name][0]


@pytest.fixture(scope="module")
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, smtp):
    import redis

    name = f"portal_mp_{os.getpid()}_{secrets.token_hex(3)}"
    admin_url = make_url(DATABASE_URL).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(DATABASE_URL).set(database=name).render_as_string(
        hide_password=False)
    prefix = f"portal-mp-{secrets.token_hex(4)}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "GUNICORN_"))},
        "PORTAL_CONFIG": "production",
        "DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_BASE_URL": "https://portaal.test",
        "PORTAL_PROXY_FIX_X_FOR": "1",
        "PORTAL_RATELIMIT_STORAGE_URI": REDIS_URL,
        "PORTAL_THROTTLE_KEY_PREFIX": prefix,
        # Fewer than the default 30 per IP: the same Redis counting, in less test time.
        "PORTAL_LOGIN_RATE_LIMIT": f"{IP_LIMIT} per 15 minutes",
        "PORTAL_MAIL_SERVER": "127.0.0.1",
        "PORTAL_MAIL_PORT": str(smtp.port),
        "PORTAL_LOG_FORMAT": "json",
        "GUNICORN_GRACEFUL_TIMEOUT": "3",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("LOG_FORMAT", None)
    env.pop("TEST_DATABASE_URL", None)
    cluster = Cluster(database_url, env, tmp_path_factory.mktemp("cluster"))
    try:
        # Two hosts deploying at the same moment: both upgrades must succeed.
        upgrades = [cluster.flask("db", "upgrade") for _ in range(2)]
        for upgrade in upgrades:
            out, err = upgrade.communicate(timeout=60)
            assert upgrade.returncode == 0, err[-2000:]
        for instance in ("a", "b"):
            cluster.start(instance)
        _create_member(database_url)
        for instance in ("a", "b"):
            cluster.wait_healthy(instance)
        yield cluster
    finally:
        cluster.stop_all()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


EMAIL = "primair@multi.be"
THROTTLED = "contact@multi.be"  # a second login of Multi vzw, for the throttle test
MEMBERS = [f"primair{n:02d}@campagne.be" for n in range(24)]
PRIMARIES = [EMAIL, *MEMBERS]  # every primary contact a campaign mails
DEADLINE = "2099-06-30"


def _app_on(database_url: str, **overrides):
    from portal import create_app

    return create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                       **overrides})


def _create_member(database_url: str) -> None:
    from portal.extensions import db
    from tests import factories

    app = _app_on(database_url)
    with app.app_context():
        organisation = factories.make_org("Multi vzw")
        factories.make_contact(organisation, primary=True, email=EMAIL)
        factories.make_contact(organisation, primary=False, email=THROTTLED)
        for number, email in enumerate(MEMBERS):
            factories.make_contact(factories.make_org(f"Campagne {number:02d} vzw"),
                                   primary=True, email=email)
        db.session.remove()
        db.engine.dispose()


def test_both_instances_are_healthy_with_the_shared_database_and_redis(cluster):
    for instance in ("a", "b"):
        status, headers, body = Browser().request(cluster.port(instance), "GET", "/healthz")
        assert status == 200
        assert json.loads(body) == {"status": "ok", "redis": "ok"}


def test_the_login_page_is_dutch_on_both(cluster):
    for instance in ("a", "b"):
        status, _headers, page = Browser().request(cluster.port(instance), "GET", "/aanmelden")
        assert status == 200
        assert "Aanmelden" in page and 'lang="nl' in page


def test_a_login_on_one_instance_is_valid_on_the_other(cluster):
    from tests.factories import PASSWORD

    browser = Browser()
    status, headers, _page = browser.log_in(cluster.port("a"), EMAIL, PASSWORD)
    assert status == 302 and headers["Location"] == "/"
    status, _headers, page = browser.request(cluster.port("b"), "GET", "/")
    assert status == 200, "the session from instance a is not valid on instance b"
    assert "Mijn portaal" in page


def test_a_logout_on_one_instance_ends_the_session_on_the_other(cluster):
    from tests.factories import PASSWORD

    browser = Browser()
    browser.log_in(cluster.port("a"), EMAIL, PASSWORD)
    copied = dict(browser.cookies)  # a second tab, or a cookie copied by malware
    status, _headers, page = browser.request(cluster.port("b"), "GET", "/")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"csrf_token": token.group(1)} if token else {}
    status, _headers, _page = browser.request(cluster.port("b"), "POST", "/afmelden", form)
    assert status == 302
    replay = Browser()
    replay.cookies = copied
    status, headers, _page = replay.request(cluster.port("a"), "GET", "/")
    assert status == 302 and headers["Location"].startswith("/aanmelden")


def test_tokens_and_addresses_stay_out_of_the_instances_logs(cluster):
    port = cluster.port("a")
    Browser().request(port, "GET", f"/uitnodiging/{TOKEN}?email={EMAIL}")
    time.sleep(0.3)  # let the worker flush its log line
    log = cluster.log("a")
    assert '"path": "/uitnodiging/<token>"' in log
    assert TOKEN not in log and EMAIL not in log


def _end_password_pauses(cluster) -> None:
    """As if LOGIN_RETRY_SECONDS had passed: the pauses after wrong passwords end (Redis)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    prefix = cluster.env["PORTAL_THROTTLE_KEY_PREFIX"]
    for key in client.scan_iter(f"*{prefix}/password-check/*"):
        client.delete(key)


def test_one_password_check_per_address_over_both_instances(cluster):
    """The pause after a wrong password lives in Redis: the other instance keeps it too, and
    attempts at the same moment on both instances get one check between them."""
    from tests.factories import PASSWORD

    ports = [cluster.port("a"), cluster.port("b")]
    _end_password_pauses(cluster)
    assert Browser("198.51.100.70").log_in(ports[0], THROTTLED, "fout wachtwoord")[0] == 200
    status, _headers, page = Browser("198.51.100.71").log_in(ports[1], THROTTLED, PASSWORD)
    assert status == 429 and "Wacht enkele seconden" in page

    _end_password_pauses(cluster)

    def attempt(number: int) -> int:
        return Browser(f"198.51.100.{80 + number}").log_in(
            ports[number % 2], THROTTLED, f"fout wachtwoord {number}")[0]

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(attempt, range(4)))
    # At most one check at a time; the others are refused without a password check.
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 429}
    _end_password_pauses(cluster)
    assert Browser("198.51.100.90").log_in(ports[1], THROTTLED, PASSWORD)[0] == 302


def test_failed_logins_spread_over_both_instances_lock_the_address_at_the_same_count(cluster):
    """Per address (the login_throttles table): wrong passwords alternating over the two
    instances lock the address at the fifth on both - no count is lost between processes.
    (Attempts at the same moment are checked one at a time: the test above.)"""
    from portal.auth.throttle import LOCK_THRESHOLD
    from tests.factories import PASSWORD

    ports = [cluster.port("a"), cluster.port("b")]
    _end_password_pauses(cluster)
    assert Browser("198.51.100.50").log_in(ports[0], THROTTLED, PASSWORD)[0] == 302  # count 0

    def wrong(number: int) -> int:  # every attempt from its own IP: only the address counts
        _end_password_pauses(cluster)
        browser = Browser(f"198.51.100.{number + 1}")
        return browser.log_in(ports[number % 2], THROTTLED, f"fout wachtwoord {number}")[0]

    for number in range(LOCK_THRESHOLD - 1):
        assert wrong(number) == 200
    _end_password_pauses(cluster)
    for port in ports:  # not locked yet: the right password still works on both
        assert Browser("198.51.100.50").log_in(port, THROTTLED, PASSWORD)[0] == 302
    # A success clears the count; the same number of failures again, and the last one locks
    # the address on both instances.
    for number in range(LOCK_THRESHOLD):
        assert wrong(number) == 200
    _end_password_pauses(cluster)
    for port in ports:
        status, _headers, page = Browser("198.51.100.60").log_in(port, THROTTLED, PASSWORD)
        assert status == 429 and "Te veel mislukte pogingen" in page


def test_failed_logins_from_one_ip_spread_over_both_instances_hit_the_ip_limit(cluster):
    """Per IP (Flask-Limiter in Redis): IP_LIMIT failures for as many addresses from one
    client, spread over both instances and their four workers, and the next attempt is
    refused everywhere (counted per process, no instance would refuse yet)."""
    from tests.factories import PASSWORD

    limit = IP_LIMIT
    ports = [cluster.port("a"), cluster.port("b")]
    ip = "203.0.113.7"

    def wrong(number: int) -> int:
        return Browser(ip).log_in(ports[number % 2], f"onbekend{number}@elders.be", "fout")[0]

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(wrong, range(limit))) == [200] * limit
    for port in ports:  # even the right password: this client has used up its attempts
        assert Browser(ip).log_in(port, EMAIL, PASSWORD)[0] == 429
    assert Browser("203.0.113.8").log_in(ports[0], EMAIL, PASSWORD)[0] == 302


def _campaign_open(cluster, year: int):
    return cluster.flask("campaign", "open", "--year", str(year), "--deadline", DEADLINE,
                         "--batch-size", "4")


def _confirmations(database_url: str, year: int) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text(
            "SELECT count(*) FROM confirmations c JOIN confirmation_campaigns k "
            "ON k.id = c.campaign_id WHERE k.year = :year"), {"year": year}).scalar()
    engine.dispose()
    return count


def test_two_concurrent_campaign_opens_mail_each_primary_contact_once(cluster, smtp):
    before = Counter(smtp.received)
    smtp.delay = 0.03  # a mail server's pace, so that the two runs overlap
    try:
        runs = [_campaign_open(cluster, 2031) for _ in range(2)]
        outputs = [run.communicate(timeout=60) for run in runs]
    finally:
        smtp.delay = 0.0
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err[-2000:]
    delivered = Counter(smtp.received) - before
    assert delivered == Counter(PRIMARIES), delivered
    assert _confirmations(cluster.database_url, 2031) == len(PRIMARIES)


def test_killing_a_campaign_run_and_an_instance_mid_campaign_loses_nothing(cluster, smtp):
    """SIGKILL `campaign open` while it hangs on a mail of its second batch, and instance a at
    the same moment; run the command again. Every primary contact gets the invitation once:
    the re-run mails the rest at once, the killed batch's unsent mails go out when their
    lease ends. The user logged in on a carries on on b, and on a restarted a."""
    from datetime import UTC, datetime, timedelta

    from portal.confirmation.jobs import MAILING_LEASE
    from portal.email import deliver_outbox
    from portal.extensions import db
    from tests.factories import PASSWORD

    browser = Browser("192.0.2.30")
    assert browser.log_in(cluster.port("a"), EMAIL, PASSWORD)[0] == 302
    before = Counter(smtp.received)
    smtp.hold_at(6)  # batches of 4: the run hangs on the 2nd mail of its 2nd batch
    first = _campaign_open(cluster, 2032)
    assert smtp.held.wait(timeout=30), first.poll() and first.communicate()
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    cluster.kill("a")

    status, _headers, page = browser.request(cluster.port("b"), "GET", "/bevestiging/organisatie")
    assert status == 200, "the session of the killed instance a does not work on b"

    again = _campaign_open(cluster, 2032)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err[-2000:]
    app = _app_on(cluster.database_url, SERVER_NAME=None, MAIL_SUPPRESS_SEND=False,
                  MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FILE_DIR=None)
    with app.app_context():
        later = datetime.now(UTC) + MAILING_LEASE + timedelta(seconds=2)
        # The killed run's delivery batch (4 mails) was never marked: all four go again.
        assert deliver_outbox(now=later) == (4, 0)
        db.session.remove()
        db.engine.dispose()
    delivered = Counter(smtp.received) - before
    assert set(delivered) == set(PRIMARIES), "an invitation was lost"
    # At least once: the one mail the server had taken before the kill arrives twice.
    assert sum(delivered.values()) == len(PRIMARIES) + 1, delivered
    assert _confirmations(cluster.database_url, 2032) == len(PRIMARIES)

    # As systemd would: a restarts, and the session still holds there.
    cluster.start("a")
    cluster.wait_healthy("a")
    status, _headers, page = browser.request(cluster.port("a"), "GET", "/")
    assert status == 200 and "Mijn portaal" in page


def test_two_concurrent_retention_runs_erase_once(cluster):
    """Both runs may start at the same moment on two hosts: the data goes once, and the audit
    log says so once (a second run either stands aside or finds nothing left)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import AuditEvent, Enrolment, Organisation, Training
    from tests import factories

    app = _app_on(cluster.database_url)
    with app.app_context():
        ended = clock.today() - timedelta(days=6 * 366)
        for number in range(3):
            organisation = factories.make_org(f"Gestopt {number} vzw", membership_ended_on=ended)
            factories.make_contact(organisation, primary=True, email=f"gestopt{number}@oud.be")
        last_day = clock.today() - timedelta(days=500)
        training = Training(title="Oude opleiding", starts_on=last_day - timedelta(days=3),
                            ends_on=last_day, hours=Decimal("12"), is_bev_recognised=True)
        db.session.add(training)
        db.session.flush()
        db.session.add_all(Enrolment(
            training_id=training.id, participant_name=f"Deelnemer {number}",
            participant_email=f"deelnemer{number}@oud.be", organisation_name="Andere vzw",
            link_nonce=secrets.token_urlsafe(24), surname="Peeters", given_name="An",
            birthplace="Leuven", birth_date=date(1985, 3, 14), residence="9000 Gent",
        ) for number in range(4))
        db.session.commit()
        training_id = training.id

    runs = [cluster.flask("retention", "run") for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err[-2000:]
    said = "".join(out for out, _err in outputs)
    assert said.count("organisations: erased 3") == 1, said
    assert said.count("education_leave: erased 4") == 1, said

    with app.app_context():
        actions = Counter(db.session.scalars(select(AuditEvent.action)))
        assert actions["retention.organisations_erased"] == 1
        assert actions["education_leave.erased_by_retention"] == 4
        assert not db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.name.like("Gestopt%")))
        assert not db.session.scalar(select(func.count(Enrolment.id)).where(
            Enrolment.training_id == training_id, Enrolment.surname.is_not(None)))
        db.session.remove()
        db.engine.dispose()


def test_killing_one_instance_and_one_mail_worker_mid_way_loses_nothing(cluster, smtp):
    """SIGKILL instance a, and a mail worker in the middle of a batch while a second worker
    runs: instance b keeps serving the user logged in on a, and after the lease time every
    one of 60 mails has been delivered.

    Delivery commits once per batch: a worker killed mid-batch leaves its whole batch leased
    and unmarked, so the mails the server had already taken from that batch go again after
    the lease: at least once, never lost.
    """
    from portal.email import deliver_outbox, queue_mail
    from portal.extensions import db
    from tests.factories import PASSWORD

    browser = Browser()
    browser.log_in(cluster.port("a"), EMAIL, PASSWORD)

    app = _app_on(cluster.database_url, SERVER_NAME=None, MAIL_SUPPRESS_SEND=False,
                  MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FILE_DIR=None)
    recipients = [f"lid{n:03d}@multi.be" for n in range(60)]
    with app.app_context():
        for recipient in recipients:
            queue_mail(recipient, "test_notice", "Bericht", name="Lid")
        db.session.commit()
        db.session.info.pop("outbox_or_jobs_committed", None)

    before = Counter(smtp.received)
    smtp.hold_at(3)  # the first worker hangs on its 3rd mail, two more of its batch leased
    first = cluster.flask("mail", "send-queued", "--limit", "5")
    assert smtp.held.wait(timeout=30), first.poll() and first.communicate()
    second = cluster.flask("mail", "send-queued", "--limit", "5")
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err[-2000:]
    assert first.poll() is None
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    cluster.kill("a")

    # Instance b serves the session that was started on the killed instance a.
    status, _headers, page = browser.request(cluster.port("b"), "GET", "/")
    assert status == 200 and "Mijn portaal" in page
    assert Browser().request(cluster.port("b"), "GET", "/healthz")[0] == 200

    with app.app_context():
        stranded = db.session.execute(text(
            "SELECT count(*) FROM outbox_mails WHERE sent_at IS NULL")).scalar()
        assert stranded == 5, "the killed worker should hold exactly its own batch"
        # The next worker round after the lease time (10 minutes) takes them over.
        from datetime import UTC, datetime, timedelta

        from portal.email import LEASE_TIME

        assert deliver_outbox(now=datetime.now(UTC) + LEASE_TIME + timedelta(seconds=2)) == (5, 0)
        unsent = db.session.execute(text(
            "SELECT count(*) FROM outbox_mails WHERE sent_at IS NULL")).scalar()
        db.session.remove()
        db.engine.dispose()

    delivered = Counter(smtp.received) - before
    assert unsent == 0
    assert set(delivered) == set(recipients), "a mail was lost"
    # Only the two mails the killed worker had handed over arrive twice.
    assert sorted(delivered.values()).count(2) == 2 and max(delivered.values()) == 2
