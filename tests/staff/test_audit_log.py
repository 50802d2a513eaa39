"""The audit log: filters, pagination, and never a secret value."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.auth.invitations import accept_invitation
from portal.extensions import db
from portal.models import AuditEvent, User
from tests.staff.conftest import VALID_ORGANISATION


def _event(action, *, at, organisation_id=None, actor=None, label="systeem"):
    db.session.add(AuditEvent(action=action, at=at, organisation_id=organisation_id,
                              actor_user_id=actor.id if actor else None, actor_label=label,
                              fields=[]))


def test_filters_by_organisation_actor_action_and_date(staff_client, make_org, make_staff):
    client, _ = staff_client
    kunst = make_org(name="Kunstenhuis vzw")
    sport = make_org(name="Sportclub vzw")
    colleague = make_staff(email="collega@sociare.be")
    _event("alfa.done", at=datetime(2026, 3, 1, 10, tzinfo=UTC), organisation_id=kunst.id)
    _event("bravo.done", at=datetime(2026, 3, 5, 10, tzinfo=UTC), organisation_id=sport.id,
           actor=colleague, label=f"medewerker #{colleague.id}")
    _event("charlie.done", at=datetime(2026, 4, 1, 10, tzinfo=UTC), organisation_id=sport.id)
    db.session.commit()

    def actions(**filters):
        page = client.get("/beheer/audit", query_string=filters).get_data(as_text=True)
        # Rows show the action as <code>; the filter's drop-down lists every action anyway.
        return {name for name in ("alfa.done", "bravo.done", "charlie.done")
                if f"<code>{name}</code>" in page}

    assert actions() == {"alfa.done", "bravo.done", "charlie.done"}
    assert actions(organisation="kunstenhuis") == {"alfa.done"}
    assert actions(actor="collega@sociare.be") == {"bravo.done"}
    assert actions(actor=f"medewerker #{colleague.id}") == {"bravo.done"}
    assert actions(action="charlie.done") == {"charlie.done"}
    assert actions(date_from="2026-03-02", date_to="2026-03-31") == {"bravo.done"}
    assert actions(date_to="2026-03-01") == {"alfa.done"}


def test_the_log_is_paginated_newest_first(staff_client):
    client, _ = staff_client
    for number in range(120):
        _event(f"event.{number:03d}",
               at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number))
    db.session.commit()
    first = client.get("/beheer/audit", query_string={"action": ""}).get_data(as_text=True)
    assert "<code>event.119</code>" in first and "<code>event.070</code>" in first
    assert "<code>event.069</code>" not in first
    assert "pagina 1 van 3" in first
    assert "pagina=2" in first
    third = client.get("/beheer/audit", query_string={"pagina": 3}).get_data(as_text=True)
    assert "<code>event.019</code>" in third and "<code>event.020</code>" not in third
    assert "pagina=2" in third


def test_a_long_log_is_counted_up_to_a_limit(staff_client, monkeypatch):
    # Counting the whole log grew with it on every view: beyond the limit (and beyond the
    # page asked for) the page says "more than" and still offers the older events.
    from portal.staff import audit_log

    monkeypatch.setattr(audit_log, "AUDIT_COUNT_LIMIT", 60)
    client, _ = staff_client
    for number in range(120):
        _event(f"event.{number:03d}",
               at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number))
    db.session.commit()
    first = client.get("/beheer/audit").get_data(as_text=True)
    assert "Meer dan 60 gebeurtenissen · pagina 1" in first
    assert "<code>event.119</code>" in first and "pagina=2" in first
    third = client.get("/beheer/audit", query_string={"pagina": 3}).get_data(as_text=True)
    # Page 3 is within the count again (up to 150 events): the exact number shows.
    assert "pagina 3 van 3" in third and "<code>event.000</code>" in third
    assert "pagina=4" not in third


def test_the_audit_log_holds_no_secret_values(staff_client, make_org, make_contact, outbox):
    client, staff = staff_client
    client.post("/beheer/organisaties/nieuw", data=VALID_ORGANISATION)
    invitation = outbox[0].body
    token = invitation.split("/uitnodiging/")[1].split()[0]
    user = db.session.scalar(select(User).where(User.email == "nele@nieuwekunst.be"))
    password = "een geheim wachtwoord van nele 2026"
    accept_invitation(user, password)
    db.session.commit()  # the test plays the request
    organisation = make_org()
    contact = make_contact(organisation)
    client.get(f"/beheer/organisaties/{organisation.id}")
    client.get(f"/beheer/organisaties/{organisation.id}/contactpersonen/{contact.id}/gegevens")
    client.get("/mijn-gegevens/download")

    stored = json.dumps([
        [event.actor_label, event.action, event.target_type, event.fields]
        for event in db.session.scalars(select(AuditEvent))
    ])
    page = client.get("/beheer/audit").get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    secrets = [password, token, user.password_hash, "BE68539007547034", "BE68 5390 0754 7034",
               "+3225112233", "Nieuwland", "nele@nieuwekunst.be"]
    for secret in secrets:
        assert secret not in stored, f"{secret!r} is stored in the audit log"
        assert secret not in page, f"{secret!r} is shown in the audit log"
    assert "iban" in stored  # the field name, not its value
    for action in ("organisation.created", "invitation.sent", "invitation.accepted",
                   "staff.viewed_organisation", "staff.viewed_personal_data"):
        assert f"<code>{action}</code>" in page


def test_the_log_escapes_every_value_it_shows(staff_client, make_org):
    # The rows are written with autoescaping off and each value escaped on its own.
    client, _ = staff_client
    hostile = make_org(name="<script>alert(1)</script> vzw")
    db.session.add(AuditEvent(action="x.<b>done</b>", at=datetime(2026, 2, 1, tzinfo=UTC),
                              organisation_id=hostile.id, actor_label="<i>iemand</i>",
                              target_type="<u>t</u>", target_id=7, fields=["<em>veld</em>"]))
    db.session.commit()
    page = client.get("/beheer/audit").get_data(as_text=True)
    for raw in ("<script>", "<b>done</b>", "<i>iemand</i>", "<u>t</u>", "<em>veld</em>"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; vzw" in page
    assert "<code>x.&lt;b&gt;done&lt;/b&gt;</code>" in page
    assert "&lt;u&gt;t&lt;/u&gt; #7" in page and "&lt;em&gt;veld&lt;/em&gt;" in page
