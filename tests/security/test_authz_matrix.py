"""Authorization matrix: every endpoint x method x role of `app.url_map` has an expected outcome.

A route that is not in EXPECTED fails the suite, so a new route cannot ship unchecked.
Path arguments point at organisation A's objects (A's contact, A's tokens...), so the primary
contact of B must get 404, a contact without the right 403, and anonymous visitors the login.
"""

import os
import re

import pytest

from tests.security import figures
from tests.security.conftest import DENIED, ERROR, ROLES, World, csrf_token_for, outcome

L, F, N, K = "login", "403", "404", "ok"


def row(anonymous, deactivated, participant, contact_a, primary_b, staff, primary_a):
    return dict(zip(ROLES, (anonymous, deactivated, participant, contact_a, primary_b, staff,
                            primary_a), strict=True))


# Common shapes, spelled out per role (the table below names one per endpoint x method).
PUBLIC = row(K, K, K, K, K, K, K)
LOGGED_IN = row(L, L, L, K, K, K, K)
CONTACT = row(L, L, L, K, K, F, K)
PRIMARY_OWN = row(L, L, L, F, K, F, K)  # about one's own organisation (no object id)
PRIMARY_A_OBJECT = row(L, L, L, F, N, F, K)  # an object of A in the path
STAFF = row(L, L, L, F, F, K, F)

EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    # --- public pages and personal links (the token in the path is A's / the participant's)
    ("static", "GET"): PUBLIC,
    ("public.healthz", "GET"): PUBLIC,
    ("privacy.privacy", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    # Logging out always ends on the login page, whoever asks.
    ("auth.logout", "POST"): row(L, L, L, L, L, L, L),
    # Without a pending password step the code page sends everybody to the login.
    ("auth.second_factor", "GET"): row(L, L, L, L, L, L, L),
    ("auth.second_factor", "POST"): row(L, L, L, L, L, L, L),
    ("auth.forgot_password", "GET"): PUBLIC,
    ("auth.forgot_password", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    ("auth.accept_invitation", "GET"): PUBLIC,
    ("auth.accept_invitation", "POST"): PUBLIC,
    ("education_leave.participant", "GET"): PUBLIC,
    ("education_leave.participant", "POST"): PUBLIC,
    ("education_leave.participant_attestation", "GET"): PUBLIC,
    ("education_leave.withdraw", "GET"): PUBLIC,
    ("education_leave.withdraw", "POST"): PUBLIC,
    ("newsletters.confirm", "GET"): PUBLIC,
    ("newsletters.confirm", "POST"): PUBLIC,
    ("newsletters.unsubscribe", "GET"): PUBLIC,
    ("newsletters.unsubscribe", "POST"): PUBLIC,
    ("newsletters.request_link", "GET"): PUBLIC,
    ("newsletters.request_link", "POST"): PUBLIC,
    ("newsletters.sign_up", "GET"): PUBLIC,
    ("newsletters.sign_up", "POST"): PUBLIC,
    # --- any logged-in person (own account)
    ("public.dashboard", "GET"): LOGGED_IN,
    ("auth.account_security", "GET"): LOGGED_IN,
    ("auth.change_password", "GET"): LOGGED_IN,
    ("auth.change_password", "POST"): LOGGED_IN,
    ("auth.log_out_elsewhere", "POST"): LOGGED_IN,
    ("auth.renew_recovery_codes", "POST"): LOGGED_IN,
    ("auth.totp_setup", "GET"): LOGGED_IN,
    ("auth.totp_setup", "POST"): LOGGED_IN,
    # Staff must keep their second factor: they may not switch it off.
    ("auth.disable_totp", "POST"): CONTACT,
    ("privacy.my_data", "GET"): LOGGED_IN,
    ("privacy.download_my_data", "GET"): LOGGED_IN,
    # --- contacts, about their own organisation or themselves
    ("organisation.show_organisation", "GET"): CONTACT,
    ("organisation.show_organisation", "POST"): PRIMARY_OWN,
    ("roster.edit_own_details", "GET"): CONTACT,
    ("roster.edit_own_details", "POST"): CONTACT,
    ("newsletters.preferences", "GET"): CONTACT,
    ("newsletters.preferences", "POST"): CONTACT,
    # The proposal in the path is addressed to contact A: only that person may answer it.
    ("roster.accept_primary", "GET"): row(L, L, L, K, N, F, N),
    ("roster.accept_primary", "POST"): row(L, L, L, K, N, F, N),
    ("roster.decline_primary", "POST"): row(L, L, L, K, N, F, N),
    # --- primary contacts: own organisation, or one of A's contacts in the path
    ("roster.list_contacts", "GET"): PRIMARY_OWN,
    ("roster.new_contact", "GET"): PRIMARY_OWN,
    ("roster.new_contact", "POST"): PRIMARY_OWN,
    ("roster.withdraw_transfer", "POST"): PRIMARY_OWN,
    ("roster.edit_contact", "GET"): PRIMARY_A_OBJECT,
    ("roster.edit_contact", "POST"): PRIMARY_A_OBJECT,
    ("roster.remove_contact", "GET"): PRIMARY_A_OBJECT,
    ("roster.remove_contact", "POST"): PRIMARY_A_OBJECT,
    ("roster.resend_invitation", "POST"): PRIMARY_A_OBJECT,
    ("roster.propose_primary", "GET"): PRIMARY_A_OBJECT,
    ("roster.propose_primary", "POST"): PRIMARY_A_OBJECT,
    ("confirmation.start", "GET"): PRIMARY_OWN,
    ("confirmation.organisation_step", "GET"): PRIMARY_OWN,
    ("confirmation.organisation_step", "POST"): PRIMARY_OWN,
    ("confirmation.contacts_step", "GET"): PRIMARY_OWN,
    ("confirmation.confirm", "GET"): PRIMARY_OWN,
    ("confirmation.confirm", "POST"): PRIMARY_OWN,
    ("confirmation.contact_step", "GET"): PRIMARY_A_OBJECT,
    ("confirmation.contact_correct", "POST"): PRIMARY_A_OBJECT,
    ("confirmation.contact_edit", "GET"): PRIMARY_A_OBJECT,
    ("confirmation.contact_edit", "POST"): PRIMARY_A_OBJECT,
    ("confirmation.contact_remove", "GET"): PRIMARY_A_OBJECT,
    ("confirmation.contact_remove", "POST"): PRIMARY_A_OBJECT,
    # --- back office (staff with their second factor)
    ("staff.index", "GET"): STAFF,
    ("staff.organisations", "GET"): STAFF,
    ("staff.organisation", "GET"): STAFF,
    ("staff.create_organisation", "GET"): STAFF,
    ("staff.create_organisation", "POST"): STAFF,
    ("staff.end_membership", "GET"): STAFF,
    ("staff.end_membership", "POST"): STAFF,
    ("staff.resend_invitation", "POST"): STAFF,
    ("staff.person_data", "GET"): STAFF,
    ("staff.audit_log", "GET"): STAFF,
    ("staff.breaches", "GET"): STAFF,
    ("staff.breach", "GET"): STAFF,
    ("staff.create_breach", "GET"): STAFF,
    ("staff.create_breach", "POST"): STAFF,
    # An empty form is refused with 400 (bad request), after the access check.
    ("staff.notify_authority", "POST"): row(L, L, L, F, F, "400", F),
    ("staff.notify_subjects", "POST"): STAFF,
    ("staff.close_breach", "POST"): STAFF,
    ("confirmation.staff_campaigns", "GET"): STAFF,
    ("confirmation.staff_campaigns", "POST"): STAFF,
    ("confirmation.staff_progress", "GET"): STAFF,
    ("confirmation.staff_export", "GET"): STAFF,
    ("education_leave.staff_trainings", "GET"): STAFF,
    ("education_leave.staff_training", "GET"): STAFF,
    ("education_leave.staff_new_training", "GET"): STAFF,
    ("education_leave.staff_new_training", "POST"): STAFF,
    ("education_leave.staff_enrol", "GET"): STAFF,
    ("education_leave.staff_enrol", "POST"): STAFF,
    ("education_leave.staff_export", "GET"): STAFF,
    ("education_leave.staff_attestation", "GET"): STAFF,
    ("education_leave.staff_mark_delivered", "POST"): row(L, L, L, F, F, "400", F),
    ("education_leave.staff_renew_link", "POST"): STAFF,
    ("newsletters.staff_lists", "GET"): STAFF,
    ("newsletters.staff_export", "GET"): STAFF,
}

MATRIX_DUMP = os.environ.get("MATRIX_DUMP")


def expected_for(endpoint: str, method: str) -> dict[str, str] | None:
    return EXPECTED.get((endpoint, method))


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route of the app, HEAD/OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


def missing_from_table(app) -> list[str]:
    return [f"{endpoint} {method} {rule}" for endpoint, method, rule in routes(app)
            if expected_for(endpoint, method) is None]


def build_path(app, world: World, rule_text: str) -> str:
    def value(match):
        return str(world.args[match.group(1)])

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: value(m) if m.group(1) != "token"
                  else "{token}", rule_text)


TOKEN_OF = {
    "auth.accept_invitation": "invitation_token",
    "auth.reset_password": "reset_token",
    "education_leave.participant": "participant_token",
    "education_leave.participant_attestation": "participant_token",
    "education_leave.withdraw": "participant_token",
    "newsletters.confirm": "confirm_token",
    "newsletters.unsubscribe": "unsubscribe_token",
    "roster.accept_primary": "transfer_token",
    "roster.decline_primary": "transfer_token",
}


def url_for_cell(world: World, endpoint: str, rule_text: str) -> str:
    path = build_path(world.app, world, rule_text)
    if "{token}" in path:
        path = path.replace("{token}", world.args[TOKEN_OF[endpoint]])
    return path


def request_cell(world: World, role: str, endpoint: str, method: str, rule_text: str):
    from portal.extensions import limiter

    limiter.reset()  # throttling is tested elsewhere; here every role starts with a clean slate
    client = world.client(role)
    path = url_for_cell(world, endpoint, rule_text)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token_for(client)})
    check_security_headers(response, endpoint)
    return response


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=()",
}
CACHEABLE = {"static", "public.healthz"}  # no personal data: may be cached


def check_security_headers(response, endpoint: str) -> None:
    """Every response of the matrix (denials, redirects and errors too) carries them."""
    figures.add("headers", responses=1)
    missing = [name for name, value in SECURITY_HEADERS.items()
               if value not in response.headers.get(name, "")]
    if endpoint not in CACHEABLE and response.headers.get("Cache-Control") != "no-store":
        missing.append("Cache-Control: no-store")
    if missing:
        figures.add("headers", missing=1)
    assert not missing, f"{endpoint} {response.status_code}: missing {missing}"


def test_every_route_has_a_table_entry(app):
    assert missing_from_table(app) == []


def test_a_route_without_a_table_entry_fails_the_matrix(database_url, tmp_path, _schema):
    from tests.conftest import make_test_app

    fresh = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    fresh.add_url_rule("/geheime-pagina", "extra.secret", lambda: "geheim")
    assert missing_from_table(fresh) == ["extra.secret GET /geheime-pagina"]


def _matrix_params():
    from portal import create_app

    app = create_app({"PORTAL_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    by_endpoint: dict[str, list] = {}
    for endpoint, method, rule in routes(app):
        by_endpoint.setdefault(endpoint, []).append((method, rule))
    return sorted(by_endpoint.items())


@pytest.mark.parametrize(("endpoint", "cells"), _matrix_params(),
                         ids=[e for e, _ in _matrix_params()])
def test_matrix(world, endpoint, cells):
    """Each role in turn (the primary of A, who may change things, last)."""
    problems = []
    observed_rows = {}
    for method, rule in cells:
        expected = expected_for(endpoint, method)
        observed = {}
        for role in ROLES:
            response = request_cell(world, role, endpoint, method, rule)
            observed[role] = outcome(response)
            figures.add("authz", cells=1)
            if expected is None:
                continue
            want = expected[role]
            if observed[role] == ERROR or observed[role] != want:
                if want in DENIED and observed[role] not in DENIED:
                    figures.add("authz", unexpected_allows=1)
                else:
                    figures.add("authz", mismatches=1)
                problems.append(f"{endpoint} {method} as {role}: expected {want}, "
                                f"got {observed[role]} ({response.status_code} "
                                f"{response.headers.get('Location', '')})")
        observed_rows[method] = observed
    figures.add("authz", routes=1)
    if MATRIX_DUMP:
        with open(MATRIX_DUMP, "a") as dump:
            for method, observed in observed_rows.items():
                dump.write(f"{endpoint} {method} {[observed[r] for r in ROLES]}\n")
    assert not problems, "\n".join(problems)
