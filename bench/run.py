"""Benchmark: the portal against a bare Flask baseline, in the same run, on this machine.

    .venv/bin/python bench/run.py            (what `make bench` runs)
    .venv/bin/python bench/run.py --quick    (a smoke run: one short round)

For SQLite (always) and PostgreSQL (when BENCH_DATABASE_URL or TEST_DATABASE_URL is set; that
database is WIPED):
seeds the large demo data set (`flask seed-demo --organisations 900`), starts the portal
under gunicorn (2 sync workers, production configuration) and the baseline
(bench/baseline_app.py: the same 50-row roster with Flask + SQLAlchemy only) the same way,
logs virtual users in through /aanmelden, and drives both with a bounded load generator
(bench/loadgen.py) in alternating rounds. It prints per page requests/s, p50, p99, the
workers' CPU time per request and the ratios to the baseline, then every goal of issue #11
with PASS, FAIL or SKIP. Exit status 1 when a goal fails on SQLite.

Absolute figures on a shared machine move from run to run; the ratios within one run are
what the goals judge. A page is added by one line in PAGES; a page that does not exist yet
answers 404 and is reported as "SKIP: page not yet built".
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from loadgen import Result, Session, drive, hidden_inputs, text_inputs  # noqa: E402

DEMO_PASSWORD = "Demo-wachtwoord-2026"  # noqa: S105 - the documented demo password
WRONG_PASSWORD = "dit-is-niet-het-wachtwoord"  # noqa: S105


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str | None  # "primary" (of the 50-contact organisation), "staff" or None (anonymous)
    kind: str  # "member" pages have the baseline goals; "staff" pages the staff goals


# The measured pages ({campaign_id} and other facts of bench/prepare.py setup are filled in).
PAGES = [
    Page("dashboard", "/", "primary", "member"),
    Page("organisation", "/organisatie", "primary", "member"),
    Page("roster (50 contacts)", "/contactpersonen", "primary", "member"),
    Page("newsletter preferences", "/nieuwsbrieven", "primary", "member"),
    Page("confirmation step", "/bevestiging/organisatie", "primary", "member"),
    Page("staff progress (900 orgs)", "/beheer/campagnes/{campaign_id}", "staff", "staff"),
    Page("staff audit log", "/beheer/audit", "staff", "staff"),
    # The login page and /healthz have no goal: left out to keep the run under 10 minutes
    # (add Page("login page", "/aanmelden", None, "public") for a look at them).
]
ROSTER_PAGE = "roster (50 contacts)"
FALLBACK_FLOOD_PAGE = "dashboard"  # measured under the login flood until the roster exists

# Opening a campaign for every organisation and sending reminders, as `flask` arguments, timed
# with delivery to a local SMTP server (aiosmtpd); portal/confirmation/cli.py.
CAMPAIGN_OPEN: list[str] | None = ["campaign", "open", "--year", "{year}",
                                   "--deadline", "{deadline}"]
CAMPAIGN_REMIND: list[str] | None = ["campaign", "remind"]

GOAL_RPS_RATIO = 0.6
# On PostgreSQL each of the portal's statements is a network round trip: issue 16 sets the
# bar there at half the baseline's throughput.
GOAL_RPS_RATIO_POSTGRESQL = 0.5
GOAL_P99_RATIO = 2.0
GOAL_STAFF_P50_RATIO = 2.0
GOAL_FLOOD_P99_RATIO = 2.0
GOAL_CAMPAIGN_SECONDS = 30.0
GOAL_WORKER_RSS_MB = 150.0
GOAL_COST_CURVE_SLACK = 1.3  # measured noise: a flat page may look up to 30 % slower
GOAL_RUN_MINUTES = 10.0
FLOOD_ATTEMPTS = 500
FLOOD_CONNECTIONS = 4
FLOOD_TIMEOUT = 60.0  # an unthrottled flood costs ~0.1 s of CPU per attempt: bounded
COST_CURVE_ORGANISATIONS = 9000


@dataclass
class Settings:
    rounds: int = 3
    seconds: float = 3.0
    connections: int = 8
    max_requests: int = 50_000
    flood_attempts: int = FLOOD_ATTEMPTS
    workers: int = 2


@dataclass
class Outcome:
    """What one database's run measured and judged."""

    label: str
    facts: dict = field(default_factory=dict)
    results: dict[str, Result] = field(default_factory=dict)
    round_rps: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # worker CPU seconds used per page
    skipped: dict[str, str] = field(default_factory=dict)
    final_path: dict[str, str] = field(default_factory=dict)
    goals: list[tuple[str, str, str]] = field(default_factory=list)  # (status, goal, detail)
    notes: list[str] = field(default_factory=list)

    def goal(self, status: str, goal: str, detail: str = "") -> None:
        self.goals.append((status, goal, detail))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- processes


class Server:
    """A gunicorn started in its own process group, stopped by its own id only."""

    def __init__(self, name: str, args: list[str], env: dict, cwd: Path, logfile: Path):
        self.name = name
        self.port = free_port()
        self.logfile = logfile
        command = [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=logfile.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} stopped at start-up; see {self.logfile}")
            try:
                response = asyncio.run(Session(self.port).request("GET", path))
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer {path} within {timeout:.0f} s")

    def _workers(self) -> list[tuple[Path, list[str]]]:
        """(/proc folder, fields of its stat) of each worker: the master's children."""
        workers = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == str(self.process.pid):
                workers.append((stat.parent, fields))
        return workers

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker, from /proc."""
        sizes = []
        for folder, _ in self._workers():
            try:
                status = (folder / "status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sorted(sizes)

    def cpu_seconds(self) -> float:
        """User + system CPU time the workers have used so far.

        CPU time per request is steadier than requests/s on a shared machine: other
        processes slow the workers down but do not make them use more CPU per request.
        """
        ticks = os.sysconf("SC_CLK_TCK")
        # stat fields after the name: state is [0], utime [11], stime [12].
        return sum(int(f[11]) + int(f[12]) for _, f in self._workers()) / ticks

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def run_checked(command: list[str], env: dict, what: str, logfile: Path) -> str:
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    with logfile.open("a") as handle:
        handle.write(f"$ {' '.join(command)}\n{completed.stdout}{completed.stderr}\n")
    if completed.returncode != 0:
        raise SystemExit(f"{what} failed (exit {completed.returncode}); see {logfile}\n"
                         + completed.stderr[-2000:])
    log(f"{what}: {time.monotonic() - started:.1f} s")
    return completed.stdout


def base_env() -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PORTAL_") and key not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


# ---------------------------------------------------------------- sessions


async def login(port: int, email: str, totp_secret: str | None = None) -> tuple[Session, str]:
    """Log in through /aanmelden like a person; returns the session and where it landed."""
    session = Session(port)
    form_page = await session.request("GET", "/aanmelden")
    form = hidden_inputs(form_page.text)
    form.update(email=email, password=DEMO_PASSWORD)
    response = await session.request("POST", "/aanmelden", form)
    if response.status != 302:
        return session, f"login answered {response.status}"
    location = response.header("Location") or ""
    # A second factor: answer its form with the current one-time code when we know the secret.
    for _ in range(2):
        path = location.split("://", 1)[-1].split("/", 1)[-1]
        path = "/" + path if not path.startswith("/") else path
        if path in ("/", "") or totp_secret is None:
            break
        step = await session.request("GET", path)
        fields = text_inputs(step.text)
        if step.status != 200 or not fields:
            break
        import pyotp

        form = hidden_inputs(step.text)
        form[fields[0]] = pyotp.TOTP(totp_secret).now()
        answer = await session.request("POST", path, form)
        location = answer.header("Location") or ""
        if answer.status != 302:
            break
    await session.close()
    return session, location


async def probe(session: Session, path: str) -> tuple[int, str, str]:
    """GET a page, following local redirects: (status, final path, reason when not 200)."""
    for _ in range(4):
        response = await session.request("GET", path)
        if response.status in (301, 302, 303, 307, 308):
            target = response.header("Location") or "/"
            target = "/" + target.split("://", 1)[-1].split("/", 1)[-1] if "://" in target \
                else target
            if target.startswith("/aanmelden"):
                await session.close()
                return response.status, path, f"redirects to {target}: the session is refused"
            path = target
            continue
        await session.close()
        if response.status == 404:
            return 404, path, "page not yet built"
        if response.status != 200:
            return response.status, path, f"answers {response.status}"
        return 200, path, ""
    await session.close()
    return 0, path, "too many redirects"


# ---------------------------------------------------------------- measuring


def measure_rounds(outcome: Outcome, portal: Server, baseline: Server, users: dict,
                   pages: list[Page], settings: Settings) -> None:
    """B A1 A2 ... An, then the next round with the pages in reverse order (drift cancels)."""
    targets = [("baseline", baseline, None, "/")]
    for page in pages:
        if page.name not in outcome.skipped:
            targets.append((page.name, portal, page.who, outcome.final_path[page.name]))
    for name, *_ in targets:
        outcome.results[name] = Result(name)
        outcome.round_rps[name] = []
        outcome.cpu[name] = 0.0
    for number in range(settings.rounds):
        order = targets[1:] if number % 2 == 0 else list(reversed(targets[1:]))
        for name, server, who, path in [targets[0], *order]:
            sessions = ([user.copy() for user in users[who]] if who else
                        [Session(server.port) for _ in range(settings.connections)])
            cpu_before = server.cpu_seconds()
            result = asyncio.run(drive(sessions, path, duration=settings.seconds,
                                       max_requests=settings.max_requests, label=name))
            outcome.cpu[name] += server.cpu_seconds() - cpu_before
            outcome.results[name].merge(result)
            outcome.round_rps[name].append(result.rps)
        log(f"round {number + 1}/{settings.rounds} done")


async def _flood(port: int, email: str, attempts: int, connections: int,
                 done: asyncio.Event, stats: dict) -> None:
    starter = Session(port)
    page = await starter.request("GET", "/aanmelden")
    form = hidden_inputs(page.text)
    form.update(email=email, password=WRONG_PASSWORD)
    await starter.close()
    remaining = [attempts]
    started = time.perf_counter()

    async def attacker() -> None:
        session = starter.copy()
        while remaining[0] > 0 and time.perf_counter() - started < FLOOD_TIMEOUT:
            remaining[0] -= 1
            t0 = time.perf_counter()
            try:
                response = await session.request("POST", "/aanmelden", form)
            except (OSError, asyncio.IncompleteReadError):
                stats["errors"] = stats.get("errors", 0) + 1
                await session.close()
                continue
            stats["latencies"].append(time.perf_counter() - t0)
            stats["statuses"][response.status] = stats["statuses"].get(response.status, 0) + 1
        await session.close()

    await asyncio.gather(*(attacker() for _ in range(connections)))
    stats["elapsed"] = time.perf_counter() - started
    done.set()


def measure_flood(outcome: Outcome, portal: Server, users: dict, pages: list[Page],
                  settings: Settings) -> None:
    """A logged-in page's p99, quiet and then while one client fails to log in N times."""
    if settings.flood_attempts <= 0:
        outcome.goal("SKIP", "login flood", "--flood-attempts 0")
        return
    by_name = {page.name: page for page in pages}
    name = ROSTER_PAGE if ROSTER_PAGE in outcome.results else FALLBACK_FLOOD_PAGE
    if name not in outcome.results:
        outcome.goal("SKIP", "login flood", "no logged-in page to watch yet")
        return
    page, path = by_name[name], outcome.final_path[name]

    def quiet_run() -> Result:
        return asyncio.run(drive([u.copy() for u in users[page.who]], path,
                                 duration=max(settings.seconds, 4.0),
                                 max_requests=settings.max_requests, label="quiet"))

    quiet_before = quiet_run()

    async def both() -> tuple[Result, dict]:
        done = asyncio.Event()
        stats = {"latencies": [], "statuses": {}}
        flood = asyncio.create_task(_flood(portal.port, outcome.facts["flood_email"],
                                           settings.flood_attempts, FLOOD_CONNECTIONS, done,
                                           stats))
        loaded = await drive([u.copy() for u in users[page.who]], path,
                             duration=FLOOD_TIMEOUT + 5, max_requests=10**7, label="flood",
                             stop=done, min_duration=2.0)
        await flood
        return loaded, stats

    loaded, stats = asyncio.run(both())
    quiet_after = quiet_run()
    # Quiet is measured before and after the flood; the lower p99 is the quiet value, so a
    # noisy moment on the shared machine cannot hide the flood's effect.
    quiet_p99 = min(quiet_before.percentile(0.99), quiet_after.percentile(0.99))
    flood_p99 = loaded.percentile(0.99)
    attempts = len(stats["latencies"])
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(stats["statuses"].items()))
    mean_attempt = sum(stats["latencies"]) / attempts * 1000 if attempts else float("nan")
    cut = (f", stopped at the {FLOOD_TIMEOUT:.0f} s limit"
           if attempts < settings.flood_attempts else "")
    outcome.notes.append(
        f"login flood: {attempts} failed logins in {stats.get('elapsed', 0):.1f} s from one "
        f"client ({FLOOD_CONNECTIONS} connections; answers {statuses}; "
        f"{mean_attempt:.0f} ms per attempt{cut}); {name} p99 quiet "
        f"{quiet_before.percentile(0.99) * 1000:.1f} ms before and "
        f"{quiet_after.percentile(0.99) * 1000:.1f} ms after, during the flood "
        f"{flood_p99 * 1000:.1f} ms ({loaded.requests} requests)"
    )
    ratio = flood_p99 / quiet_p99
    outcome.goal("PASS" if ratio <= GOAL_FLOOD_P99_RATIO else "FAIL",
                 f"login flood ({attempts} failed logins) keeps {name} p99 <= "
                 f"{GOAL_FLOOD_P99_RATIO:g}x quiet",
                 f"{ratio:.2f}x ({quiet_p99 * 1000:.1f} -> {flood_p99 * 1000:.1f} ms)")


def measure_campaign(outcome: Outcome, env: dict, database_url: str, workdir: Path) -> None:
    if CAMPAIGN_OPEN is None:
        outcome.goal("SKIP", f"open a campaign for {COST_CURVE_ORGANISATIONS} organisations "
                     f"< {GOAL_CAMPAIGN_SECONDS:g} s",
                     "page not yet built (set CAMPAIGN_OPEN in bench/run.py)")
        outcome.goal("SKIP", f"reminders < {GOAL_CAMPAIGN_SECONDS:g} s",
                     "page not yet built (set CAMPAIGN_REMIND in bench/run.py)")
        return
    from aiosmtpd.controller import Controller

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Counter.received += 1
            return "250 OK"

    port = free_port()
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail_env = dict(env, PORTAL_MAIL_SERVER="127.0.0.1", PORTAL_MAIL_PORT=str(port))
        year = time.gmtime().tm_year + 2
        for label, arguments in (("open a campaign", CAMPAIGN_OPEN),
                                 ("reminders", CAMPAIGN_REMIND)):
            if arguments is None:
                outcome.goal("SKIP", label, "not yet built")
                continue
            if arguments is CAMPAIGN_REMIND:
                # Reminders fall due some days after the invitations: move those back.
                run_checked([sys.executable, str(BENCH / "prepare.py"), "age", "--database-url",
                             database_url, "--year", str(year), "--days", "15"],
                            base_env(), "invitations 15 days ago", workdir / "commands.log")
            before = Counter.received
            started = time.monotonic()
            args = [a.format(year=year, deadline=f"{year}-01-31") for a in arguments]
            run_checked(flask(*args), mail_env, label, workdir / "commands.log")
            run_checked(flask("mail", "send-queued"), mail_env, "deliver mail",
                        workdir / "commands.log")
            seconds = time.monotonic() - started
            sent = Counter.received - before
            outcome.goal("PASS" if seconds < GOAL_CAMPAIGN_SECONDS and sent else "FAIL",
                         f"{label} for every organisation ({COST_CURVE_ORGANISATIONS}) "
                         f"< {GOAL_CAMPAIGN_SECONDS:g} s",
                         f"{seconds:.1f} s, {sent} mails delivered to aiosmtpd")
    finally:
        controller.stop()


def measure_cost_curve(outcome: Outcome, portal: Server, users: dict, pages: list[Page],
                       settings: Settings, database_url: str, workdir: Path) -> None:
    staff = [p for p in pages if p.kind == "staff" and p.name not in outcome.skipped]
    label = (f"cost curve: staff pages at {outcome.facts['organisations']} vs "
             f"{COST_CURVE_ORGANISATIONS} organisations")
    if not staff:
        outcome.goal("SKIP", label, "page not yet built")
        return
    run_checked([sys.executable, str(BENCH / "prepare.py"), "grow", "--database-url",
                 database_url, "--organisations", str(COST_CURVE_ORGANISATIONS)],
                base_env(), f"grow to {COST_CURVE_ORGANISATIONS} organisations",
                workdir / "commands.log")
    for page in staff:
        large = Result(page.name)
        cpu_before = portal.cpu_seconds()
        for _ in range(max(1, settings.rounds - 1)):
            large.merge(asyncio.run(drive([u.copy() for u in users["staff"]],
                                          outcome.final_path[page.name],
                                          duration=settings.seconds,
                                          max_requests=settings.max_requests)))
        small = outcome.results[page.name]
        # CPU time per request judges (steadier than latency on a shared machine).
        cpu_small = outcome.cpu[page.name] / small.requests
        cpu_large = (portal.cpu_seconds() - cpu_before) / max(1, large.requests)
        cost_ratio = cpu_large / cpu_small if cpu_small else float("inf")
        size_ratio = large.body_bytes / small.body_bytes if small.body_bytes else 1.0
        allowed = max(1.0, size_ratio) * GOAL_COST_CURVE_SLACK
        outcome.goal("PASS" if cost_ratio <= allowed else "FAIL",
                     f"{label}: {page.name} grows no faster than its page",
                     f"CPU per request x{cost_ratio:.2f} ({cpu_small * 1000:.2f} -> "
                     f"{cpu_large * 1000:.2f} ms), p50 {small.percentile(0.5) * 1000:.1f} -> "
                     f"{large.percentile(0.5) * 1000:.1f} ms, for a page x{size_ratio:.2f} "
                     f"the size (allowed x{allowed:.2f})")


def judge_pages(outcome: Outcome, pages: list[Page]) -> None:
    base = outcome.results["baseline"]
    rps_goal = (GOAL_RPS_RATIO_POSTGRESQL if outcome.label.lower().startswith("postgres")
                else GOAL_RPS_RATIO)
    for page in pages:
        if page.kind != "member":
            continue
        if page.name in outcome.skipped:
            outcome.goal("SKIP", f"{page.name}: >= {GOAL_RPS_RATIO:g}x baseline requests/s, "
                         f"p99 <= {GOAL_P99_RATIO:g}x", outcome.skipped[page.name])
            continue
        result = outcome.results[page.name]
        rps_ratio = result.rps / base.rps
        p99_ratio = result.percentile(0.99) / base.percentile(0.99)
        outcome.goal("PASS" if rps_ratio >= rps_goal else "FAIL",
                     f"{page.name}: requests/s >= {rps_goal:g}x baseline",
                     f"{rps_ratio:.2f}x ({result.rps:.0f} vs {base.rps:.0f}/s)")
        outcome.goal("PASS" if p99_ratio <= GOAL_P99_RATIO else "FAIL",
                     f"{page.name}: p99 <= {GOAL_P99_RATIO:g}x baseline",
                     f"{p99_ratio:.2f}x ({result.percentile(0.99) * 1000:.1f} vs "
                     f"{base.percentile(0.99) * 1000:.1f} ms)")
    staff = [p for p in pages if p.kind == "staff"]
    for page in staff:
        goal = f"{page.name}: p50 <= {GOAL_STAFF_P50_RATIO:g}x the roster page's p50"
        missing = [n for n in (page.name, ROSTER_PAGE) if n not in outcome.results]
        if missing:
            outcome.goal("SKIP", goal, f"page not yet built ({', '.join(missing)})")
            continue
        ratio = (outcome.results[page.name].percentile(0.5)
                 / outcome.results[ROSTER_PAGE].percentile(0.5))
        outcome.goal("PASS" if ratio <= GOAL_STAFF_P50_RATIO else "FAIL", goal, f"{ratio:.2f}x")


# ---------------------------------------------------------------- one database


def bench_database(label: str, database_url: str, settings: Settings, workdir: Path,
                   pages: list[Page], reuse: bool = False,
                   before_measuring=lambda: None, after_seeding=lambda: None) -> Outcome:
    outcome = Outcome(label)
    logs = workdir / f"{label.lower()}-commands.log"
    env = base_env()
    env.update(DATABASE_URL=database_url, PORTAL_CONFIG="development")
    if not reuse:
        if database_url.startswith("postgresql"):
            run_checked([sys.executable, str(BENCH / "prepare.py"), "wipe", "--database-url",
                         database_url], base_env(), "wipe PostgreSQL database", logs)
        run_checked(flask("db", "upgrade"), env, "flask db upgrade", logs)
        run_checked(flask("seed-demo", "--organisations", "900"), env,
                    "flask seed-demo --organisations 900", logs)
        after_seeding()
    facts = json.loads(run_checked([sys.executable, str(BENCH / "prepare.py"), "setup",
                                    "--database-url", database_url], base_env(),
                                   "bench set-up (login for the big roster, campaign, audit)",
                                   logs).strip().splitlines()[-1])
    facts["flood_email"] = "primair2@voorbeeld.be"
    outcome.facts = facts
    before_measuring()  # the statement-count test, started with the seeding, is done

    portal_env = base_env()
    portal_env.update(PORTAL_CONFIG="production", DATABASE_URL=database_url,
                      PORTAL_SECRET_KEY=os.urandom(24).hex(), PORTAL_BASE_URL="http://127.0.0.1")
    if redis_reachable():
        # As deployed (deploy/ledenportaal.env.example): the workers share their throttle
        # counts in Redis; a prefix of this run's own keeps other runs' counts out.
        portal_env.update(PORTAL_RATELIMIT_STORAGE_URI=REDIS_URL,
                          PORTAL_THROTTLE_KEY_PREFIX=f"bench-{os.getpid()}-{label.lower()}")
    else:
        outcome.notes.append("Redis not reachable: throttle counts are kept per worker")
    gunicorn_args = ["--workers", str(settings.workers), "--worker-class", "sync",
                     "--log-level", "warning", "--timeout", "120"]
    baseline_env = base_env()
    baseline_env.update(BASELINE_DATABASE_URL=database_url,
                        BASELINE_ORGANISATION_ID=str(facts["organisation_id"]))
    portal = Server("portal", [*gunicorn_args, "wsgi:app"], portal_env, ROOT,
                    workdir / f"{label.lower()}-portal.log")
    baseline = Server("baseline", [*gunicorn_args, "--chdir", str(BENCH), "baseline_app:app"],
                      baseline_env, BENCH, workdir / f"{label.lower()}-baseline.log")
    try:
        portal.wait_ready("/healthz")
        baseline.wait_ready("/")
        log(f"portal on 127.0.0.1:{portal.port}, baseline on 127.0.0.1:{baseline.port}")

        # One login per role through /aanmelden; every virtual user carries a copy of that
        # session cookie (a login throttle on 127.0.0.1 must not stop the benchmark itself).
        users: dict[str, list[Session]] = {}
        for who, email, secret in (("primary", facts["primary_email"], None),
                                   ("staff", facts["staff_email"], facts["staff_totp_secret"])):
            session, landed = asyncio.run(login(portal.port, email, secret))
            users[who] = [session.copy() for _ in range(settings.connections)]
            if landed not in ("/", f"http://127.0.0.1:{portal.port}/"):
                outcome.notes.append(f"login of {email} landed on {landed}")
        for page in pages:
            session = users[page.who][0].copy() if page.who else Session(portal.port)
            status, path, reason = asyncio.run(probe(session, page.path.format(**facts)))
            outcome.final_path[page.name] = path
            if status != 200:
                outcome.skipped[page.name] = reason
        measure_rounds(outcome, portal, baseline, users, pages, settings)
        judge_pages(outcome, pages)
        measure_flood(outcome, portal, users, pages, settings)
        measure_cost_curve(outcome, portal, users, pages, settings, database_url, workdir)
        # After the growth to COST_CURVE_ORGANISATIONS: the one mail path at full size.
        measure_campaign(outcome, portal_env, database_url, workdir)
        rss = portal.worker_rss_mb()
        outcome.notes.append("RSS after the run: portal workers "
                             + ", ".join(f"{mb:.0f} MB" for mb in rss) + "; baseline workers "
                             + ", ".join(f"{mb:.0f} MB" for mb in baseline.worker_rss_mb()))
        worst = max(rss) if rss else float("nan")
        outcome.goal("PASS" if worst < GOAL_WORKER_RSS_MB else "FAIL",
                     f"memory: every gunicorn worker < {GOAL_WORKER_RSS_MB:g} MB RSS",
                     f"largest {worst:.0f} MB")
    finally:
        portal.stop()
        baseline.stop()
    return outcome


# ---------------------------------------------------------------- report


def report(outcome: Outcome, pages: list[Page]) -> str:
    facts = outcome.facts
    lines = [
        "",
        f"== {outcome.label}: {facts['organisations']} organisations; the measured roster is "
        f"{facts['organisation_name']} with {facts['roster_size']} contacts ==",
        f"{'page':<28} {'path':<22} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'x base':>7} {'p99 x':>6} {'CPU ms':>7} {'x base':>6} {'rounds req/s':>18}",
    ]

    def cpu_ms(name: str) -> float:
        requests = outcome.results[name].requests
        return outcome.cpu[name] / requests * 1000 if requests else float("nan")

    base = outcome.results["baseline"]
    for name, path in [("baseline", "(bench/baseline_app)")] + [
        (p.name, outcome.final_path.get(p.name, p.path)) for p in pages
    ]:
        if name in outcome.skipped:
            lines.append(f"{name:<28} {path:<22} SKIP: {outcome.skipped[name]}")
            continue
        result = outcome.results[name]
        rounds = "/".join(f"{rps:.0f}" for rps in outcome.round_rps[name])
        lines.append(
            f"{name:<28} {path:<22} {result.rps:>7.0f} {result.percentile(0.5) * 1000:>7.1f} "
            f"{result.percentile(0.99) * 1000:>7.1f} {result.rps / base.rps:>7.2f} "
            f"{result.percentile(0.99) / base.percentile(0.99):>6.2f} "
            f"{cpu_ms(name):>7.2f} {cpu_ms(name) / cpu_ms('baseline'):>6.2f} {rounds:>18}"
            + (f"  ({result.errors} errors: {result.statuses})" if result.errors else "")
        )
    lines += ["  (CPU ms: worker CPU time per request, steadier than req/s on a busy machine; "
              "x base: ratio to the baseline)"]
    lines += ["", *[f"  {note}" for note in outcome.notes], "", "Goals:"]
    for status, goal, detail in outcome.goals:
        lines.append(f"  {status:<4} {goal}" + (f": {detail}" if detail else ""))
    return "\n".join(lines)


def start_statement_count_test() -> subprocess.Popen:
    """The statement-count goal is a test in `make test`; run it here too (on SQLite), while
    the first database is seeded: it must be done before anything is measured."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
         "tests/performance/test_statement_counts.py"],
        cwd=ROOT, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def statement_count_goal(process: subprocess.Popen) -> tuple[str, str, str]:
    stdout, _ = process.communicate()
    lines = stdout.strip().splitlines() or ["no output"]
    summary = next((line for line in reversed(lines) if " passed" in line or " failed" in line
                    or "error" in line), lines[-1])
    return ("PASS" if process.returncode == 0 else "FAIL",
            "SQL statements per request constant (5 vs 50 contacts) and <= 8",
            f"tests/performance/test_statement_counts.py: {summary}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=Settings.rounds)
    parser.add_argument("--seconds", type=float, default=Settings.seconds,
                        help="length of one measurement of one page")
    parser.add_argument("--connections", type=int, default=Settings.connections)
    parser.add_argument("--flood-attempts", type=int, default=FLOOD_ATTEMPTS)
    parser.add_argument("--quick", action="store_true", help="one short round (smoke test)")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--page", action="append", help="measure only pages with this name")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, db)")
    parser.add_argument("--sqlite-file", type=Path,
                        help="keep the freshly seeded SQLite database in this file and start "
                             "from a copy of it when it exists (before/after runs on the same "
                             "data; bench/profile.py reads it)")
    args = parser.parse_args()
    settings = Settings(rounds=args.rounds, seconds=args.seconds, connections=args.connections,
                        flood_attempts=args.flood_attempts)
    if args.quick:
        settings.rounds, settings.seconds, settings.flood_attempts = 1, 1.5, 100
    pages = [p for p in PAGES if not args.page or any(n in p.name for n in args.page)]
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="ledenportaal-bench-"))
    log(f"work folder {workdir}")
    # The run changes its database (set-up, campaign, growth to 9,000 organisations): with
    # --sqlite-file it works on a copy, so that file stays the freshly seeded 900.
    sqlite_file = workdir / "bench.db"
    kept = args.sqlite_file.resolve() if args.sqlite_file else None
    reuse = bool(kept and kept.exists())
    if reuse:
        shutil.copyfile(kept, sqlite_file)

    def keep_seeded() -> None:
        if kept:
            shutil.copyfile(sqlite_file, kept)

    databases = [("SQLite", f"sqlite:///{sqlite_file}")]
    # The PostgreSQL database is wiped: BENCH_DATABASE_URL picks another one than the tests'.
    postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if postgres and not args.sqlite_only:
        databases.append(("PostgreSQL", postgres))
    outcomes = []
    statement_test = start_statement_count_test()
    for label, url in databases:
        log(f"== {label} ==")
        outcomes.append(bench_database(label, url, settings, workdir, pages,
                                       reuse=reuse and label == "SQLite",
                                       before_measuring=statement_test.wait,
                                       after_seeding=keep_seeded if label == "SQLite"
                                       else lambda: None))
    statement_goal = statement_count_goal(statement_test)
    outcomes[0].goals.insert(0, statement_goal)
    minutes = (time.monotonic() - started) / 60
    for outcome in outcomes:
        print(report(outcome, pages))
    print()
    print(f"Whole run: {minutes:.1f} min "
          f"({'PASS' if minutes < GOAL_RUN_MINUTES else 'FAIL'}: goal < {GOAL_RUN_MINUTES:g} min; "
          f"{settings.rounds} rounds of {settings.seconds:g} s per page, "
          f"{settings.connections} connections, {settings.workers} sync workers)")
    failed = [goal for status, goal, _ in outcomes[0].goals if status == "FAIL"]
    print(f"SQLite goals failed: {len(failed)}" + (f" ({'; '.join(failed)})" if failed else ""))
    if not args.keep:
        for item in sorted(workdir.glob("*"), reverse=True):
            if item.suffix in (".db", ".log") or item.name.startswith("bench.db"):
                item.unlink()
        try:
            workdir.rmdir()
        except OSError:
            pass
    else:
        print(f"Logs and database kept in {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
