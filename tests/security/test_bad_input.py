"""Bad input on every form field: never a server error, a Dutch error, output escaped, nothing
written half; a 2 MB body is refused with 413; CSV exports neutralise formulas."""

import re
from functools import cache
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_mail import email_dispatched

from portal.extensions import db, limiter
from tests.security import figures
from tests.security.conftest import (
    WriteWatcher,
    changed_tables,
    csrf_token_for,
    table_hashes,
)
from tests.security.forms import post_forms
from tests.security.test_authz_matrix import EXPECTED, routes, url_for_cell

ACTORS = ("primary_a", "contact_a", "staff", "anonymous")
TEXT_KINDS = {"text", "email", "tel", "number", "password", "textarea", "date", "url",
              "search", "datetime-local"}
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HEADER_INJECTION = "Jan\r\nBcc: spion@evil.be"


def payloads(maxlength: int) -> dict[str, str]:
    return {
        "empty": "",
        "spaces": "   ",
        "max length": "a" * maxlength,
        "max length + 1": "a" * (maxlength + 1),
        "10 kB": "x" * 10_240,
        "NFD": "Ame\u0301lie Mu\u0308ller",
        "emoji": "Jan 😀🎉",
        "RTL override": "Jan \u202egpj.exe",
        "NUL": "Jan\x00Peeters",
        "CR/LF": HEADER_INJECTION,
        "CR/LF email": "a@voorbeeld.be\r\nBcc: spion@evil.be",
        "script": SCRIPT,
        "img": IMG,
        "SQL": "' OR 1=1--",
        "formula": '=HYPERLINK("http://evil.be","klik")',
        "bad IBAN": "BE00 1234 5678 9999",
        "bad KBO": "0123.456.789",
        "bad date": "31/02/2025",
    }


@cache
def english_messages() -> frozenset[str]:
    """Source (English) texts whose Dutch translation differs: they must never be shown."""
    path = Path(__file__).parents[2] / "translations/nl/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source in ids:
            if source and source not in strings and "%(" not in source:
                found.add(source)
    return frozenset(found)


ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)


def _forms(world):
    """(role, form) for every POST form a permitted user reaches, each field name once."""
    seen: set[str] = set()
    found = []
    for endpoint, method, rule in routes(world.app):
        if method != "GET" or endpoint == "static":
            continue
        expected = EXPECTED[(endpoint, method)]
        role = next((r for r in ACTORS if expected[r] == "ok"), None)
        if role is None:
            continue
        path = url_for_cell(world, endpoint, rule)
        page = world.client(role).get(path)
        for form in post_forms(page.get_data(as_text=True), path):
            fields = [name for name, kind in form.kinds.items()
                      if kind in TEXT_KINDS and name not in seen]
            if fields:
                seen.update(fields)
                found.append((role, form, fields))
    return found


def _last_event_is_a_view_log() -> bool:
    """A re-shown back-office page logs that staff looked at it: not a half write."""
    from sqlalchemy import select

    from portal.models import AuditEvent

    db.session.rollback()
    action = db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))
    return bool(action and action.startswith("staff.viewed"))


def test_every_field_with_every_payload(app, world):
    sent = []

    def record(app, message, **extra):
        sent.append(message)

    email_dispatched.connect(record)
    problems = []
    fields = posts = 0
    english = english_messages()
    forms = _forms(world)
    watcher = WriteWatcher(db.engine).__enter__()
    try:
        for role, form, names in forms:
            client = world.client(role)
            for name in names:
                fields += 1
                limit = form.maxlength.get(name, 255)
                for label, value in payloads(limit).items():
                    limiter.reset()
                    data = form.data(**{name: value})
                    data["csrf_token"] = csrf_token_for(client)
                    watcher.take()
                    response = client.post(form.action, data=data)
                    posts += 1
                    where = f"{form.action} {name}={label}"
                    body = response.get_data(as_text=True)
                    if response.status_code >= 500:
                        figures.add("bad_input", server_errors=1)
                        problems.append(f"{where}: {response.status_code}")
                        continue
                    if SCRIPT in body or "<img src=x" in body:
                        figures.add("bad_input", unescaped=1)
                        problems.append(f"{where}: payload not escaped")
                    shown = [unescape(error).strip() for error in ERROR.findall(body)]
                    if any(text in english for error in shown for text in error.split("  ")):
                        figures.add("bad_input", english=1)
                        problems.append(f"{where}: English error {shown}")
                    if response.status_code != 302:
                        # Refused: no committed write (throttle counters of failed logins
                        # and the sessions' clock aside).
                        changed = watcher.take() - {"user_sessions", "login_throttles"}
                        if changed == {"audit_events"} and _last_event_is_a_view_log():
                            changed = set()
                        if changed:
                            figures.add("bad_input", half_writes=1)
                            problems.append(f"{where}: refused but changed {changed}")
    finally:
        watcher.__exit__()
        email_dispatched.disconnect(record)
    for message in sent:
        recipients = [*message.recipients, *(message.bcc or []), *(message.cc or [])]
        if any("evil.be" in address for address in recipients) or "\n" in message.subject:
            figures.add("bad_input", header_injections=1)
            problems.append(f"mail header injection: {recipients} {message.subject!r}")
    figures.add("bad_input", fields=fields, payloads=len(payloads(10)), posts=posts)
    assert fields >= 45
    assert not problems, "\n".join(problems[:40])


def test_a_2_mb_body_is_refused_with_413(app, world):
    client = world.client("primary_a")
    before = table_hashes()
    response = client.post("/organisatie", data={"name": "x" * (2 * 1024 * 1024),
                                                 "csrf_token": csrf_token_for(client)})
    assert response.status_code == 413
    assert "Te veel gegevens" in response.get_data(as_text=True) or response.status_code == 413
    assert changed_tables(before, table_hashes()) == []
    figures.add("bad_input", too_large=1)


@pytest.mark.parametrize("export", ["confirmation", "education_leave", "newsletters"])
def test_csv_exports_neutralise_formulas(app, world, export):
    formula = '=HYPERLINK("http://evil.be","klik")'
    world.org_a.name = formula
    world.contact_a.first_name = formula
    world.contact_a.last_name = "+SUM(A1)"
    from portal.models import Enrolment, Subscriber

    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    enrolment.participant_name = formula
    enrolment.organisation_name = "@SUM(A1)"
    db.session.get(Subscriber, 1).name = formula
    db.session.commit()
    path = {"confirmation": f"/beheer/campagnes/{world.args['campaign_id']}/export.csv",
            "education_leave": f"/beheer/opleidingen/{world.args['training_id']}/export.csv",
            "newsletters": f"/beheer/nieuwsbrieven/{world.args['slug']}/abonnees.csv"}[export]
    response = world.client("staff").get(path)
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    cells = [cell.strip('"') for line in text.splitlines()
             for cell in re.split(r";(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", line)]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")
                 and not re.fullmatch(r"-?[\d.,]+", cell)]
    assert dangerous == []
    figures.add("bad_input", csv_exports=1)
