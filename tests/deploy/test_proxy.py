"""Behind a proxy: X-Forwarded-* only from a trusted hop, only known host names, mail links
from BASE_URL whatever the request says."""

import pytest

from portal import create_app

SPOOF = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https",
         "X-Forwarded-Host": "evil.example"}


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(build_app):
    app = build_app(PROXY_FIX_X_FOR=0)
    client = app.test_client()
    seen = client.get("/_probe", headers=SPOOF,
                      environ_base={"REMOTE_ADDR": "203.0.113.9"}).get_json()
    assert seen["remote_addr"] == "203.0.113.9"
    assert seen["scheme"] == "http"
    assert seen["host"] == "localhost"


def test_with_one_trusted_hop_only_the_proxys_own_entry_counts(build_app):
    app = build_app(PROXY_FIX_X_FOR=1)
    client = app.test_client()
    # The client forged 6.6.6.6; nginx appended the address it really saw.
    headers = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "portaal.sociare.be"}
    seen = client.get("/_probe", headers=headers,
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_json()
    assert seen["remote_addr"] == "198.51.100.7"
    assert seen["scheme"] == "https"
    assert seen["host"] == "portaal.sociare.be"


def test_a_forged_address_does_not_escape_the_rate_limit(build_app):
    """The login throttle counts per address: changing X-Forwarded-For must not reset it."""
    from portal.extensions import limiter

    app = build_app(PROXY_FIX_X_FOR=0, RATELIMIT_STORAGE_URI="memory://")
    app.view_functions["probe"] = limiter.limit("3/minute")(app.view_functions["probe"])
    client = app.test_client()
    statuses = [
        client.get("/_probe", headers={"X-Forwarded-For": f"10.0.0.{n}"},
                   environ_base={"REMOTE_ADDR": "203.0.113.50"}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_unknown_host_names_are_refused(build_app):
    app = build_app(TRUSTED_HOSTS="portaal.sociare.be, localhost", SERVER_NAME=None,
                    BASE_URL="https://www.sociare.be/portaal")
    client = app.test_client()
    assert client.get("/_probe", headers={"Host": "portaal.sociare.be"}).status_code == 200
    assert client.get("/_probe", headers={"Host": "evil.example"}).status_code == 400
    # The host of BASE_URL is always added, or mail links could not be built.
    assert app.config["TRUSTED_HOSTS"] == ["portaal.sociare.be", "localhost", "www.sociare.be"]
    seen = client.get("/_probe", headers={"Host": "localhost"}).get_json()
    assert seen["mail_link"] == "https://www.sociare.be/portaal/aanmelden"


def test_production_trusts_the_base_url_host_by_default(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"PORTAL_CONFIG": "production", "SECRET_KEY": "x" * 32,
                      "BASE_URL": "https://portaal.sociare.be"})
    assert app.config["TRUSTED_HOSTS"] == ["portaal.sociare.be", "localhost", "127.0.0.1"]
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


@pytest.mark.parametrize("hops", [0, 1])
def test_mail_links_come_from_base_url_not_from_the_request(build_app, hops):
    """A forged Host on a reset request must not put another site in the mailed link."""
    app = build_app(PROXY_FIX_X_FOR=hops, SERVER_NAME=None,
                    BASE_URL="https://portaal.sociare.be")
    client = app.test_client()
    seen = client.get("/_probe", headers={"Host": "evil.example", **SPOOF}).get_json()
    assert seen["mail_link"] == "https://portaal.sociare.be/aanmelden"


def test_mail_links_outside_a_request_keep_a_path_prefix(build_app):
    app = build_app(SERVER_NAME=None, BASE_URL="https://www.sociare.be/portaal")
    with app.app_context():
        from portal.email import external_url

        assert external_url("auth.login") == "https://www.sociare.be/portaal/aanmelden"
