"""Profile one portal page in-process: CPU time per request, SQL statements, a call tree.

    .venv/bin/python bench/run.py --sqlite-only --sqlite-file /tmp/bench.db --quick
    .venv/bin/python bench/profile.py /tmp/bench.db /contactpersonen [--as EMAIL] [--tree]

Uses the production configuration on a copy of a seeded SQLite file (bench/run.py keeps one
with --sqlite-file) after the benchmark's own set-up (`bench/prepare.py setup`: the campaign,
the audit trail), logs the user in by writing the session as the login would (with its
user_sessions row), and requests the page through the test client (no gunicorn, no
network). `--tree` prints a pyinstrument call tree (`pip install pyinstrument` in .venv;
otherwise cProfile's top list).
"""

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sqlite_file", type=Path)
    parser.add_argument("path", nargs="+")
    parser.add_argument("--as", dest="email", default=None,
                        help="login (default: the primary contact of the biggest roster)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--tree", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of one request")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ledenportaal-profile-")) / "profile.db"
    atexit.register(shutil.rmtree, work.parent, True)
    shutil.copyfile(args.sqlite_file, work)
    database_url = f"sqlite:///{work}"
    subprocess.run([sys.executable, str(ROOT / "bench" / "prepare.py"), "setup",
                    "--database-url", database_url], check=True, stdout=subprocess.DEVNULL)
    os.environ.update(PORTAL_CONFIG="production",
                      DATABASE_URL=database_url,
                      PORTAL_SECRET_KEY="profile-only-" + os.urandom(8).hex(),
                      PORTAL_BASE_URL="http://127.0.0.1")
    from flask import session as flask_session
    from flask_login import login_user
    from sqlalchemy import event, func, select

    from portal import create_app
    from portal.extensions import db
    from portal.models import Contact, User

    app = create_app()
    client = app.test_client()
    with app.app_context():
        if args.email:
            user = db.session.scalar(select(User).where(User.email == args.email.lower()))
        else:
            biggest = (select(Contact.organisation_id).group_by(Contact.organisation_id)
                       .order_by(func.count(Contact.id).desc()).limit(1).scalar_subquery())
            user = db.session.scalar(select(User).join(User.contact).where(
                Contact.organisation_id == biggest, Contact.is_primary.is_(True)))
        if user is None:
            raise SystemExit("No such login (run bench/run.py on this file first).")
        user_id = user.get_id()
        engine = db.engine
        # Server-side sessions: a row in user_sessions whose key the cookie carries (staff
        # count as having passed the second factor).
        from portal.auth.sessions import SESSION_KEY, open_session

        session_key = open_session(user, second_factor=True)
        db.session.commit()
    with app.test_request_context(environ_base=client.environ_base):
        login_user(db.session.get(User, int(user_id.split(":")[0])))
        values = dict(flask_session)
    with client.session_transaction() as session:
        session.update(values)
        session[SESSION_KEY] = session_key

    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, sql, params, context, many: statements.append(sql))
    for path in args.path:
        response = client.get(path)
        if response.status_code != 200:
            print(f"{path}: answers {response.status_code}")
            continue
        for _ in range(30):
            client.get(path)
        statements.clear()
        client.get(path)
        count = len(statements)
        if args.sql:
            for sql in statements:
                print("    " + " ".join(sql.split())[:240])
        samples = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(max(1, args.requests // 5)):
                client.get(path)
            samples.append((time.process_time() - started) / max(1, args.requests // 5))
        samples.sort()
        print(f"{path}: {count} SQL statements; CPU per request min {samples[0] * 1000:.2f} ms, "
              f"median {samples[2] * 1000:.2f} ms; {len(response.data)} bytes")
        if args.tree:
            _tree(client, path, args.requests)


def _tree(client, path: str, requests: int) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
