"""IDOR: the primary contact of B tries A's ids in paths, query strings and hidden fields.

Every attempt must be refused (404 for A's objects) or ignored, show none of A's data, and
leave every table byte for byte as it was.
"""

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Contact, User
from tests.security import figures
from tests.security.conftest import changed_tables, csrf_token_for, outcome, table_hashes
from tests.security.forms import post_forms
from tests.security.test_authz_matrix import EXPECTED, routes

MEMBER_OBJECT_RULE = re.compile(r"<int:contact_id>")


def _a_markers(world) -> list[str]:
    """Values that only A's pages show: they must never reach B."""
    return [world.org_a.name, world.primary_a.email, world.contact_a.email,
            world.org_a.enterprise_number]


def _foreign_ids(world) -> list[int]:
    """A's contact ids, ids next to B's real ones that are not B's, and ids that do not exist."""
    b_ids = set(db.session.scalars(select(Contact.id).where(
        Contact.organisation_id == world.org_b.id)))
    highest = db.session.scalar(select(func.max(Contact.id)))
    candidates = {world.primary_a.id, world.contact_a.id, world.deactivated.id,
                  highest + 1, 0, 2**31 - 1}
    for real in b_ids:
        candidates.update({real - 1, real + 1})
    return sorted(candidates - b_ids)


def _member_object_routes(app):
    return [(endpoint, method, rule) for endpoint, method, rule in routes(app)
            if MEMBER_OBJECT_RULE.search(rule) and not rule.startswith("/beheer")]


def _own_form_data(client, world) -> dict:
    """A realistic, valid contact form (B's own contact) to post against A's ids."""
    path = f"/contactpersonen/{world.contact_b.id}/bewerken"
    form = post_forms(client.get(path).get_data(as_text=True), path)[0]
    return form.data(first_name="Overgenomen", email="kaper@voorbeeld.be")


def test_a_ids_in_the_path_are_404_and_change_nothing(app, world):
    client = world.client("primary_b")
    payload = _own_form_data(client, world)
    before = table_hashes()
    attempts = 0
    problems = []
    for _endpoint, method, rule in _member_object_routes(app):
        for foreign in _foreign_ids(world):
            path = rule.replace("<int:contact_id>", str(foreign))
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={**payload,
                                                   "csrf_token": csrf_token_for(client)})
            attempts += 1
            body = response.get_data(as_text=True)
            if response.status_code != 404:
                problems.append(f"{method} {path}: {response.status_code}")
            if any(marker in body for marker in _a_markers(world)):
                figures.add("idor", leaks=1)
                problems.append(f"{method} {path}: shows A's data")
    changed = changed_tables(before, table_hashes())
    figures.add("idor", attempts=attempts, changes=len(changed))
    assert attempts > 20
    assert not problems, problems
    assert changed == []


def test_a_ids_in_the_query_string_show_nothing_of_a(app, world):
    """Every page B may open, with A's ids added as query parameters (exports included)."""
    client = world.client("primary_b")
    query = {"organisation_id": world.org_a.id, "contact_id": world.contact_a.id,
             "id": world.contact_a.id, "user_id": world.contact_a.user.id,
             "org": world.org_a.id}
    before_a = _a_slice(world)
    attempts = 0
    problems = []
    for endpoint, method, rule in routes(app):
        if method != "GET" or "<" in rule or EXPECTED[(endpoint, method)]["primary_b"] != "ok":
            continue
        before = table_hashes()
        response = client.get(rule, query_string=query)
        changed = set(changed_tables(before, table_hashes()))
        attempts += 1
        body = response.get_data(as_text=True)
        if response.status_code >= 500:
            problems.append(f"{rule}: {response.status_code}")
        leaked = [marker for marker in _a_markers(world) if marker in body]
        if leaked:
            figures.add("idor", leaks=1)
            problems.append(f"{rule}: shows {leaked}")
        if changed - OWN_WRITES.get(rule, set()):
            figures.add("idor", changes=1)
            problems.append(f"{rule}: changed {changed}")
    figures.add("idor", attempts=attempts)
    assert attempts >= 10
    assert not problems, problems
    assert _a_slice(world) == before_a
    # The one export B made is logged as B's own, never as A's.
    export = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert export.organisation_id == world.org_b.id


# GET pages that write for the visitor themselves: the TOTP page keeps a pending secret for
# the user, the download of one's data is logged. Anything else written by a GET is a bug.
OWN_WRITES = {"/account/tweestapsverificatie": {"users"},
              "/mijn-gegevens/download": {"audit_events"}}


HIDDEN_FIELD_FORMS = ("/organisatie", "/contactpersonen/nieuw", "/mijn-contactgegevens",
                      "/contactpersonen/{b_contact}/bewerken", "/bevestiging/organisatie",
                      "/nieuwsbrieven")


def _a_slice(world) -> list:
    """A's organisation, contacts and logins plus every staff flag, as they are now."""
    db.session.rollback()
    organisation = db.session.execute(
        select(*world.org_a.__table__.columns).where(world.org_a.__table__.c.id == world.org_a.id)
    ).all()
    contacts = db.session.execute(select(*Contact.__table__.columns).where(
        Contact.organisation_id == world.org_a.id).order_by(Contact.id)).all()
    users = db.session.execute(select(User.id, User.email, User.is_staff, User.is_enabled,
                                      User.password_hash).order_by(User.id)).all()
    return [organisation, contacts, users]


def test_hidden_fields_cannot_reach_a_or_raise_rights(app, world):
    """B's own forms, posted with A's organisation_id/contact_id, is_primary, is_staff and an
    old or forged version: A is untouched, nobody becomes staff or a second primary."""
    client = world.client("primary_b")
    before_a = _a_slice(world)
    injected = {"organisation_id": str(world.org_a.id), "contact_id": str(world.contact_a.id),
                "user_id": str(world.contact_a.user.id), "is_primary": "y", "is_staff": "y",
                "has_website_right": "y"}
    attempts = accepted = 0
    problems = []
    for template in HIDDEN_FIELD_FORMS:
        path = template.format(b_contact=world.contact_b.id)
        for version in (None, "0", "-1", "999999", "abc"):
            page = client.get(path)
            forms = post_forms(page.get_data(as_text=True), path)
            assert forms, f"no form on {path}"
            data = forms[0].data(**injected)
            data["csrf_token"] = csrf_token_for(client)
            if version is not None:
                if "version" not in data:
                    continue
                data["version"] = version
            tables_before = table_hashes()
            response = client.post(forms[0].action, data=data)
            attempts += 1
            if version is None and response.status_code == 302:
                accepted += 1  # B's own change went through, the injected fields ignored
            if response.status_code >= 500:
                problems.append(f"{path} version={version}: {response.status_code}")
            if version is not None and version != forms[0].fields.get("version"):
                # A stale or forged version must be refused whole.
                changed = changed_tables(tables_before, table_hashes())
                if changed:
                    figures.add("idor", changes=1)
                    problems.append(f"{path} version={version} changed {changed}")
    figures.add("idor", attempts=attempts)
    after_a = _a_slice(world)
    if after_a != before_a:
        figures.add("idor", changes=1)
        problems.append("A's rows or somebody's rights changed")
    primaries_b = db.session.scalar(select(func.count()).select_from(Contact).where(
        Contact.organisation_id == world.org_b.id, Contact.is_primary))
    assert primaries_b == 1
    assert db.session.scalar(select(func.count()).select_from(Contact).where(
        Contact.organisation_id == world.org_a.id)) == 3
    assert not problems, problems
    assert accepted >= 4  # the posts were real submissions, not refused for another reason
    assert outcome(client.get("/beheer")) == "403"  # B did not become staff
