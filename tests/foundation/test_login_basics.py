"""Log in and out with the professional email address."""

from tests.factories import PASSWORD


def _login(client, email, password, **query):
    return client.post("/aanmelden", query_string=query,
                       data={"email": email, "password": password})


def test_contact_logs_in_with_email_in_any_case_and_out_again(client, make_org, make_contact):
    contact = make_contact(make_org(), email="lies@organisatie.be")
    response = _login(client, "Lies@Organisatie.BE", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = client.post("/afmelden")
    assert response.headers["Location"] == "/aanmelden"
    assert client.get("/").status_code == 302
    assert contact.id


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_org, make_contact):
    make_contact(make_org(), email="bekend@organisatie.be")
    wrong = _login(client, "bekend@organisatie.be", "fout wachtwoord")
    unknown = _login(client, "onbekend@organisatie.be", "fout wachtwoord")
    assert wrong.status_code == unknown.status_code == 200
    assert "E-mailadres of wachtwoord is onjuist." in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace("bekend@", "X@") == unknown.get_data(
        as_text=True
    ).replace("onbekend@", "X@")


def test_contact_without_website_right_cannot_log_in(client, make_org, make_contact):
    contact = make_contact(make_org(), email="geen@organisatie.be")
    contact.has_website_right = False
    from portal.extensions import db

    db.session.commit()
    response = _login(client, "geen@organisatie.be", PASSWORD)
    assert "E-mailadres of wachtwoord is onjuist." in response.get_data(as_text=True)


def test_next_leads_to_a_local_page_only(client, make_org, make_contact):
    make_contact(make_org(), email="n@organisatie.be")
    response = _login(client, "n@organisatie.be", PASSWORD, next="//evil.be/x")
    assert response.headers["Location"] == "/"
    client.post("/afmelden")
    response = _login(client, "n@organisatie.be", PASSWORD, next="/healthz")
    assert response.headers["Location"] == "/healthz"
