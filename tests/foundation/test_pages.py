"""The shell: anonymous users go to the login page, Dutch error pages, health check, headers."""

from portal.extensions import db
from tests.conftest import make_test_app


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/aanmelden")


def test_dashboard_greets_the_logged_in_contact(login_as, make_org, make_contact):
    organisation = make_org(name="Kunstenhuis vzw")
    contact = make_contact(organisation, primary=True, first_name="Lotte")
    page = login_as(contact.user).get("/").get_data(as_text=True)
    assert "Mijn portaal" in page
    assert "Welkom, Lotte" in page
    assert "Kunstenhuis vzw" in page
    assert "primaire contactpersoon" in page


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_page_gives_a_dutch_404(login_as, make_org, make_contact):
    client = login_as(make_contact(make_org()).user)
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Pagina niet gevonden" in page and "Not Found" not in page


def test_wrong_method_gives_a_dutch_405(client):
    response = client.get("/afmelden")
    assert response.status_code == 405
    assert "Methode niet toegestaan" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_the_dutch_500_page_without_a_trace(
    database_url, tmp_path, _schema
):
    app = make_test_app(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boem")
    def boom():
        raise RuntimeError("geheim detail van de fout")

    from portal.security import PUBLIC_ENDPOINTS

    PUBLIC_ENDPOINTS.add("boom")
    try:
        response = app.test_client().get("/boem")
    finally:
        PUBLIC_ENDPOINTS.discard("boom")
        with app.app_context():
            db.engine.dispose()
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in page
    assert "geheim detail" not in page and "Traceback" not in page


def test_security_headers_on_every_response(client):
    for path in ("/aanmelden", "/healthz", "/bestaat-niet"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_with_personal_data_are_not_cached(login_as, make_org, make_contact):
    client = login_as(make_contact(make_org()).user)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_post_without_csrf_token_is_refused_in_dutch(database_url, tmp_path, _schema):
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        response = app.test_client().post(
            "/aanmelden", data={"email": "a@b.be", "password": "x"}
        )
    finally:
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secrets(monkeypatch):
    import pytest

    from portal import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(SystemExit) as refused:
        create_app("production")
    assert "SECRET_KEY" in str(refused.value) and "DATABASE_URL" in str(refused.value)
