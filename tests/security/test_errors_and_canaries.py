"""A forced error shows the Dutch 500 page without a trace; production runs without debug;
seeded canaries (a password, an IBAN, a birth date) never reach logs, audit events or error
pages."""


from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests import factories
from tests.conftest import make_test_app
from tests.security import figures
from tests.security.conftest import csrf_token_for
from tests.security.forms import post_forms
from tests.security.test_authz_matrix import SECURITY_HEADERS

CANARY_PASSWORD = "kanarie-Zin 7731 voor het portaal"  # noqa: S105 - a test canary
CANARY_IBAN = "BE71096123456769"
CANARY_IBAN_SPACED = "BE71 0961 2345 6769"
CANARY_BIRTH = "17/07/1977"
CANARIES = [CANARY_PASSWORD, CANARY_IBAN, CANARY_IBAN_SPACED, CANARY_BIRTH, "1977-07-17",
            "17.07.1977", "BE71096"]


def _boom_app(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)

    def boom():
        from flask import request
        from sqlalchemy import text

        # A realistic failure: the database refuses a statement that carries what was
        # posted. Neither the page nor the log may repeat the posted value.
        db.session.execute(text("INSERT INTO organisations (iban) VALUES (:iban)"),
                           {"iban": request.form.get("iban", "")})

    boom._public = True  # noqa: SLF001
    app.add_url_rule("/boem", "boom", boom, methods=["GET", "POST"])
    return app


def test_a_forced_exception_shows_the_dutch_500_page_without_trace(app, database_url,
                                                                   tmp_path, portal_log):
    caplog = portal_log
    boom_app = _boom_app(database_url, tmp_path)
    client = boom_app.test_client()
    response = client.post("/boem", data={"iban": CANARY_IBAN,
                                          "csrf_token": csrf_token_for(client)})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in body
    assert "Er werd niets opgeslagen" in body
    for trace in ("Traceback", "IntegrityError", "INSERT", "File \"", CANARY_IBAN):
        assert trace not in body
    for name, value in SECURITY_HEADERS.items():
        assert value in response.headers.get(name, "")
    assert "Unhandled error" in caplog.text  # the team still learns about it
    assert "IntegrityError" in caplog.text
    assert CANARY_IBAN not in caplog.text  # SQL parameters stay out of the log
    figures.add("errors", forced=1)


def test_production_runs_without_debug(monkeypatch):
    from portal import create_app
    from portal.config import ProductionConfig

    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portaal.sociare.be")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "k" * 64)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    production = create_app({"PORTAL_CONFIG": "production"})
    assert ProductionConfig.DEBUG is False
    assert production.debug is False
    assert production.config["TESTING"] is False
    assert production.config["SESSION_COOKIE_SECURE"] is True


def _all_audit_text() -> str:
    db.session.rollback()
    rows = db.session.execute(select(*AuditEvent.__table__.columns)).all()
    return "\n".join(repr(tuple(row)) for row in rows)


def test_canaries_never_reach_logs_audit_or_error_pages(app, world, portal_log, database_url,
                                                       tmp_path):
    caplog = portal_log
    pages = []
    client = world.client("primary_a")

    # The password canary: set it, log in with it, fail with it.
    path = "/wachtwoord-wijzigen"
    form = post_forms(client.get(path).get_data(as_text=True), path)[0]
    response = client.post(path, data=form.data(
        current_password=factories.PASSWORD, password=CANARY_PASSWORD,
        password_again=CANARY_PASSWORD, csrf_token=csrf_token_for(client)))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    for attempt in (CANARY_PASSWORD, CANARY_PASSWORD + "x"):
        anonymous = app.test_client()
        pages.append(anonymous.post("/aanmelden", data={
            "email": world.primary_a.email, "password": attempt,
            "csrf_token": csrf_token_for(anonymous)}))
    pages.append(app.test_client().post("/aanmelden", data={
        "email": world.primary_a.email, "password": CANARY_PASSWORD}))  # CSRF error page

    # The IBAN canary: saved through the organisation form, then a refused (stale) save.
    path = "/organisatie"
    form = post_forms(client.get(path).get_data(as_text=True), path)[0]
    response = client.post(path, data=form.data(iban=CANARY_IBAN_SPACED,
                                                csrf_token=csrf_token_for(client)))
    assert response.status_code == 302
    pages.append(client.post(path, data=form.data(iban=CANARY_IBAN,
                                                  csrf_token=csrf_token_for(client))))

    # The birth date canary: given on the personal education-leave link, then withdrawn.
    participant = app.test_client()
    link = f"/opleidingsverlof/{world.args['participant_token']}"
    form = post_forms(participant.get(link).get_data(as_text=True), link)[0]
    data = form.data(surname="Kanarie", given_name="An", birthplace="Leuven",
                     birth_date=CANARY_BIRTH, residence="9000 Gent", consent="y",
                     csrf_token=csrf_token_for(participant))
    response = participant.post(link, data=data)
    assert response.status_code in (200, 302)

    # Staff look at the person's data and the exports.
    staff = world.client("staff")
    pages.append(staff.get(f"/beheer/organisaties/{world.org_a.id}"))
    # A forced error while the canaries are posted.
    boom = _boom_app(database_url, tmp_path).test_client()
    pages.append(boom.post("/boem", data={"iban": CANARY_IBAN, "password": CANARY_PASSWORD,
                                          "csrf_token": csrf_token_for(boom)}))
    error_pages = [page for page in pages if page.status_code >= 400]
    assert {page.status_code for page in error_pages} >= {400, 500}
    assert "Unhandled error" in caplog.text  # the log was captured: the check below can fail
    leaks = []
    audit = _all_audit_text()
    for canary in CANARIES:
        if canary in caplog.text:
            leaks.append(f"log: {canary}")
        if canary in audit:
            leaks.append(f"audit: {canary}")
        for page in error_pages:
            if page.status_code >= 400 and canary in page.get_data(as_text=True):
                leaks.append(f"error page {page.status_code}: {canary}")
    figures.add("canaries", values=len(CANARIES), leaks=len(leaks),
                pages=len(error_pages))
    assert not leaks, leaks
