"""Every /beheer route, of every blueprint, is for staff only."""

import pytest

from portal.extensions import db


def _beheer_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/beheer")]
    assert len(rules) >= 13
    return rules


def _url(rule) -> str:
    """A concrete URL for any rule: 1 for number arguments, a uuid or "x" for the others."""
    values = {}
    for argument in rule.arguments:
        converter = type(rule._converters[argument]).__name__  # noqa: SLF001
        values[argument] = {"IntegerConverter": 1, "FloatConverter": 1.0,
                            "UUIDConverter": "00000000-0000-4000-8000-000000000001"
                            }.get(converter, "x")
    return rule.build(values, append_unknown=False)[1]


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_a_contact_gets_403_on_every_beheer_route(app, client, login_as, make_org, make_contact):
    primary = make_contact(make_org(), primary=True)
    login_as(primary.user)
    for rule in _beheer_rules(app):
        response = client.open(_url(rule), method=_method(rule))
        assert response.status_code == 403, f"{rule.rule} gave {response.status_code}"


def test_anonymous_visitors_are_sent_to_login_on_every_beheer_route(app, client):
    for rule in _beheer_rules(app):
        response = client.open(_url(rule), method=_method(rule))
        assert response.status_code == 302, rule.rule
        assert "/aanmelden" in response.headers["Location"]


def test_a_disabled_staff_login_is_not_let_in(app, client, login_as, make_staff):
    staff = make_staff()
    client = login_as(staff)
    staff.is_enabled = False
    db.session.commit()
    assert client.get("/beheer").status_code == 302


@pytest.mark.parametrize("path", ["/beheer", "/beheer/organisaties", "/beheer/audit",
                                  "/beheer/datalekken", "/beheer/datalekken/nieuw",
                                  "/beheer/organisaties/nieuw"])
def test_staff_open_the_back_office_pages(staff_client, path):
    client, _ = staff_client
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.get_data(as_text=True)


def test_the_index_lists_every_staff_nav_item_also_of_other_blueprints(app, staff_client):
    from flask_babel import lazy_gettext as _l

    from portal.navigation import NAV_ITEMS, add_nav_item

    client, _ = staff_client

    @app.get("/beheer/test-pagina")
    def test_page():
        return "ok"

    add_nav_item("test_page", _l("Organisations"), is_visible=lambda user: user.is_staff)
    try:
        page = client.get("/beheer").get_data(as_text=True)
        assert 'href="/beheer/test-pagina"' in page
        assert 'href="/beheer/audit"' in page and 'href="/beheer/datalekken"' in page
    finally:
        NAV_ITEMS[:] = [item for item in NAV_ITEMS if item.endpoint != "test_page"]


def test_the_back_office_is_not_in_a_contacts_menu(client, login_as, make_org, make_contact):
    page = login_as(make_contact(make_org()).user).get("/").get_data(as_text=True)
    assert "/beheer" not in page
    assert "/mijn-gegevens" in page
