"""Open redirects: every parameter that leads to a redirect or a back link keeps the visitor on
the portal, whatever the payload."""

import re
from urllib.parse import urlsplit

import pyotp
import pytest

from portal.extensions import db, limiter
from tests import factories
from tests.conftest import log_in
from tests.security import figures
from tests.security.conftest import csrf_token_for
from tests.security.forms import post_forms

PAYLOADS = ["//evil.be", "///evil.be", "/\\evil.be", "\\\\evil.be", "/%5Cevil.be",
            "https:evil.be", "/\t/evil.be", " /evil.be", "https://portal@evil.be",
            "javascript:alert(1)", "data:text/html,x"]
# Links of the layout itself: the empty favicon and the federation's privacy policy.
SITE_LINKS = {"data:,", "https://www.sociare.be/privacy-policy"}
LINK = re.compile(r'(?:href|action)="([^"]*)"')


def on_portal(target: str) -> bool:
    """Would a browser stay on the portal when it follows `target`?"""
    if not target:
        return True
    if target != target.strip() or any(ord(ch) < 32 for ch in target) or "\\" in target:
        return False
    if "%5c" in target.lower():
        return False
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https"):
        return False
    if parts.netloc:
        return parts.netloc == "localhost"  # SERVER_NAME of the tests
    if parts.scheme:
        return False  # "https:evil.be": a scheme without a host
    return not target.startswith("//")


def _page_links(body: str) -> list[str]:
    import html

    return [html.unescape(link) for link in LINK.findall(body)]


def _check(response, entry: str, payload: str, problems: list, *, links=False) -> None:
    figures.add("redirects", attempts=1)
    if response.status_code >= 500:
        problems.append(f"{entry} {payload!r}: {response.status_code}")
    location = response.headers.get("Location")
    if location is not None and not on_portal(location):
        figures.add("redirects", external=1)
        problems.append(f"{entry} {payload!r}: Location {location!r}")
    if links:
        external = [link for link in _page_links(response.get_data(as_text=True))
                    if not on_portal(link) and link not in SITE_LINKS]
        if external:
            figures.add("redirects", external=1)
            problems.append(f"{entry} {payload!r}: links {external}")


def test_the_judge_is_strict():
    assert on_portal("/contactpersonen?x=1") and on_portal("http://localhost/")
    assert not any(on_portal(payload) for payload in PAYLOADS if payload != "/%5Cevil.be")
    assert not on_portal("/%5Cevil.be")


@pytest.fixture
def people(app):
    org = factories.make_org("Vzw Redirect")
    primary = factories.make_contact(org, primary=True)
    contact = factories.make_contact(org)
    return org, primary, contact


def test_next_on_login_page_when_logged_in(app, people):
    _org, primary, _contact = people
    client = app.test_client()
    log_in(client, primary.user)
    problems = []
    for payload in PAYLOADS:
        _check(client.get("/aanmelden", query_string={"next": payload}),
               "GET /aanmelden", payload, problems)
    figures.add("redirects", entry_points=1)
    assert not problems, problems


def test_next_on_login_post(app, people):
    _org, _primary, contact = people
    problems = []
    for payload in PAYLOADS:
        limiter.reset()
        client = app.test_client()
        response = client.post("/aanmelden", query_string={"next": payload}, data={
            "email": contact.email, "password": factories.PASSWORD,
            "csrf_token": csrf_token_for(client)})
        assert response.status_code == 302
        _check(response, "POST /aanmelden", payload, problems)
    figures.add("redirects", entry_points=1)
    assert not problems, problems


def test_next_after_second_factor(app, people):
    """Staff with TOTP: the `next` is kept in the session across the code step."""
    staff = factories.make_staff()
    secret = pyotp.random_base32()
    staff.totp_secret = secret
    from datetime import UTC, datetime

    staff.totp_enabled_at = datetime.now(UTC)
    db.session.commit()
    problems = []
    for step, payload in enumerate(PAYLOADS):
        limiter.reset()
        client = app.test_client()
        client.post("/aanmelden", query_string={"next": payload}, data={
            "email": staff.email, "password": factories.PASSWORD,
            "csrf_token": csrf_token_for(client)})
        # A code is accepted once: forget the last used one so that the same code works again.
        db.session.rollback()
        staff_row = db.session.get(type(staff), staff.id)
        staff_row.totp_last_step = None
        db.session.commit()
        response = client.post("/aanmelden/code", data={
            "code": pyotp.TOTP(secret).now(),
            "csrf_token": csrf_token_for(client)})
        assert response.status_code == 302, step
        _check(response, "POST /aanmelden/code", payload, problems)
    figures.add("redirects", entry_points=1)
    assert not problems, problems


def test_next_on_roster_edit_and_remove(app, people):
    org, primary, _contact = people
    client = app.test_client()
    log_in(client, primary.user)
    problems = []
    for payload in PAYLOADS:
        target = factories.make_contact(org, website=False)
        edit = f"/contactpersonen/{target.id}/bewerken"
        page = client.get(edit, query_string={"next": payload})
        _check(page, "GET edit (links)", payload, problems, links=True)
        form = post_forms(page.get_data(as_text=True), edit)[0]
        response = client.post(edit, query_string={"next": payload},
                               data=form.data(first_name="Nieuw",
                                              csrf_token=csrf_token_for(client)))
        assert response.status_code == 302
        _check(response, "POST edit", payload, problems)
        remove = f"/contactpersonen/{target.id}/verwijderen"
        _check(client.get(remove, query_string={"next": payload}), "GET remove (links)",
               payload, problems, links=True)
        response = client.post(remove, query_string={"next": payload},
                               data={"csrf_token": csrf_token_for(client), "next": payload})
        assert response.status_code == 302
        _check(response, "POST remove", payload, problems)
    figures.add("redirects", entry_points=4, payloads=len(PAYLOADS))
    assert not problems, problems


def test_next_after_totp_setup(app):
    """The continue link after the recovery codes follows `next`."""
    staff = factories.make_staff()
    client = app.test_client()
    log_in(client, staff)
    problems = []
    for payload in PAYLOADS:
        db.session.rollback()
        staff_row = db.session.get(type(staff), staff.id)
        staff_row.totp_enabled_at = None
        staff_row.totp_secret = None
        staff_row.totp_last_step = None
        db.session.commit()
        client.get("/account/tweestapsverificatie")
        db.session.rollback()
        secret = db.session.get(type(staff), staff.id).totp_secret
        response = client.post("/account/tweestapsverificatie", query_string={"next": payload},
                               data={"code": pyotp.TOTP(secret).now(),
                                     "csrf_token": csrf_token_for(client)})
        assert response.status_code == 200
        _check(response, "POST totp setup (links)", payload, problems, links=True)
    figures.add("redirects", entry_points=1)
    assert not problems, problems
