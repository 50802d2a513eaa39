"""CSRF: every state-changing route refuses a post without a token, with another session's
token and with an expired one; GET on them changes nothing; the RFC 8058 one-click
unsubscribe is the only exemption."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.extensions import csrf
from tests.security import figures
from tests.security.conftest import DENIED, changed_tables, csrf_token_for, table_hashes
from tests.security.forms import post_forms
from tests.security.test_authz_matrix import EXPECTED, _matrix_params, url_for_cell

EXEMPT = {"newsletters.unsubscribe"}
REFUSAL = "Het formulier is verlopen"
# Who may use a route: the first role of this list that the matrix lets through.
ACTOR_PREFERENCE = ("primary_a", "contact_a", "staff", "anonymous")


def _state_changing():
    return [(endpoint, cells) for endpoint, cells in _matrix_params()
            if any(method == "POST" for method, _rule in cells) and endpoint not in EXEMPT]


def _actor(endpoint: str) -> str:
    expected = EXPECTED[(endpoint, "POST")]
    # Routes that send everybody to the login (log out, the code step) are tried logged in.
    return next((role for role in ACTOR_PREFERENCE if expected[role] not in DENIED),
                "primary_a")


def test_the_exemption_list_is_exactly_the_one_click_unsubscribe(app):
    exempt_endpoints = {endpoint for endpoint, view in app.view_functions.items()
                        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views}  # noqa: SLF001
    assert exempt_endpoints == EXEMPT
    assert csrf._exempt_blueprints == set()  # noqa: SLF001
    assert app.config["WTF_CSRF_ENABLED"] is True


def _payload(client, path: str) -> dict:
    """The form the page itself shows (real field values), or an empty post."""
    page = client.get(path)
    if page.status_code == 200:
        for form in post_forms(page.get_data(as_text=True), path):
            if form.action == path:
                data = form.data()
                data.pop("csrf_token", None)
                return data
    return {}


@pytest.mark.parametrize(("endpoint", "cells"), _state_changing(),
                         ids=[endpoint for endpoint, _ in _state_changing()])
def test_state_changing_route_refuses_forged_posts(app, world, endpoint, cells):
    rule = next(rule for method, rule in cells if method == "POST")
    role = _actor(endpoint)
    client = world.client(role)
    path = url_for_cell(world, endpoint, rule)
    data = _payload(client, path)

    # GET (where the route has one) changes nothing; POST-only routes answer 405.
    before = table_hashes()
    response = client.get(path)
    assert response.status_code < 500
    if not any(method == "GET" for method, _ in cells):
        assert response.status_code == 405
    get_changes = changed_tables(before, table_hashes())
    if endpoint == "auth.totp_setup":
        get_changes = [name for name in get_changes if name != "users"]  # pending secret
    assert get_changes == []

    other = app.test_client()
    other.get("/aanmelden")
    # A token from before the time limit (WTF_CSRF_TIME_LIMIT, 12 hours in production).
    age = app.config["WTF_CSRF_TIME_LIMIT"] + 3600
    with time_machine.travel(datetime.now(UTC) - timedelta(seconds=age)):
        expired = csrf_token_for(client)
    forged = {"no token": {}, "another session's token": {"csrf_token": csrf_token_for(other)},
              "expired token": {"csrf_token": expired},
              "garbage token": {"csrf_token": "abc.def.ghi"}}
    before = table_hashes()
    refused = 0
    for label, token in forged.items():
        response = client.post(path, data={**data, **token})
        body = response.get_data(as_text=True)
        assert response.status_code == 400, f"{label}: {response.status_code}"
        assert REFUSAL in body, label
        refused += 1
    changed = changed_tables(before, table_hashes())
    figures.add("csrf", attempts=refused, changes=len(changed))
    assert changed == []

    # The same post with this session's fresh token is not refused for its token: the check
    # above is about the token only.
    response = client.post(path, data={**data, "csrf_token": csrf_token_for(client)})
    assert REFUSAL not in response.get_data(as_text=True)
    figures.add("csrf", routes=1, refusing=1)


def test_one_click_unsubscribe_works_without_a_token(app, world):
    """RFC 8058: the mail client posts List-Unsubscribe=One-Click, no cookie, no token."""
    client = app.test_client()
    response = client.post(f"/nieuwsbrieven/afmelden/{world.args['unsubscribe_token']}",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    figures.add("csrf", exempt=1)
