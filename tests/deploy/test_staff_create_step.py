"""Step 5 of deploy/README.md as an administrator follows it: `flask staff create`, the
invitation through the outbox, and the way back when that invitation is never used."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMail, User

PASSWORD = "een nieuwe lange zin voor de medewerker"  # noqa: S105 - test password


def _link(message, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({path}/\S+)", message.body).group(1)


def test_staff_create_queues_an_invitation_that_sets_the_password(app, client, outbox):
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False  # as in production: the worker sends it
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "beheer@sociare.be", "--name", "Bea Beheer"])
    assert result.exit_code == 0, result.output
    assert "Medewerkersaanmelding beheer@sociare.be aangemaakt" in result.output
    waiting = db.session.scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).all()
    assert [mail.recipient for mail in waiting] == ["beheer@sociare.be"]

    sent = app.test_cli_runner().invoke(args=["mail", "send-queued"])
    assert sent.exit_code == 0 and "1 sent" in sent.output, sent.output
    link = _link(outbox[-1], "/uitnodiging")
    response = client.post(link, data={"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/tweestapsverificatie")


def test_an_unused_staff_invitation_is_replaced_by_forgotten_password(app, client, outbox):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "beheer@sociare.be", "--name", "Bea Beheer"])
    assert result.exit_code == 0, result.output
    response = client.post("/wachtwoord-vergeten", data={"email": "beheer@sociare.be"})
    assert response.status_code in (200, 302)
    link = _link(outbox[-1], "/wachtwoord-herstellen")
    response = client.post(link, data={"password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "beheer@sociare.be"))
    db.session.refresh(user)
    assert user.is_staff and user.password_hash is not None
