"""Bugs the security suite found, each pinned by a focused test."""

from tests.security.conftest import csrf_token_for
from tests.security.forms import post_forms


def test_a_bad_period_line_is_shown_escaped(app, world):
    """The error 'This line is not a period: <line>' repeated the line as raw HTML (XSS in the
    back office): the lazy translation counted as safe markup."""
    client = world.client("staff")
    path = "/beheer/opleidingen/nieuw"
    form = post_forms(client.get(path).get_data(as_text=True), path)[0]
    response = client.post(path, data=form.data(periods="<script>alert(1)</script>",
                                                 csrf_token=csrf_token_for(client)))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    assert "Deze regel is geen periode: &lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_database_error_keeps_the_values_out_of_the_log(app, portal_log):
    """A failing statement's exception text listed its parameters (personal data) and the
    error handler logged it."""
    import logging

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from portal.extensions import db

    try:
        db.session.execute(text("INSERT INTO organisations (iban) VALUES (:iban)"),
                           {"iban": "BE71096123456769"})
    except IntegrityError:
        logging.getLogger("portal").exception("Unhandled error")
    db.session.rollback()
    assert "IntegrityError" in portal_log.text
    assert "BE71096123456769" not in portal_log.text


def test_a_nul_byte_in_the_email_is_not_a_server_error(app, world):
    """PostgreSQL refuses NUL in a query: the login and reset forms answered 500."""
    for path in ("/wachtwoord-vergeten", "/aanmelden"):
        client = app.test_client()
        response = client.post(path, data={"email": "Jan\x00Peeters@voorbeeld.be",
                                           "password": "x", "csrf_token": csrf_token_for(client)})
        assert response.status_code < 500
