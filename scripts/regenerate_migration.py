"""Rebuild the single initial migration from the models (only until the first release).

Runs autogenerate against an empty temporary SQLite database, so the migration holds the
whole schema. After the first production deploy, add ordinary migrations instead.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "migrations" / "versions"


def main() -> int:
    for old in VERSIONS.glob("*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PORTAL_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/empty.db",
                   PORTAL_CONFIG="development")
        env.pop("DATABASE_URL", None)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi", "db"]
        subprocess.run([*flask, "migrate", "-m", "initial schema", "--rev-id", "0001"],
                       cwd=ROOT, env=env, check=True)
    print("migrations/versions rebuilt; review it and run the migration test.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
