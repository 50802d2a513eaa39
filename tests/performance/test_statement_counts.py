"""SQL statements per request: constant whatever the roster size, and at most eight.

An N+1 query (one statement per contact, per organisation) shows here long before it shows
in a benchmark. Each page is requested by its user in a world of 5 and then of 50 (contacts
in the organisation, organisations in the federation); both counts must be equal and within
the budget. A page of a flow joins the table below with one line once its route exists.
"""

import pytest

from tests.conftest import log_in

BUDGET = 8
SIZES = (5, 50)

# (path, who requests it). Add a flow's pages here, one line each.
PAGES = [
    ("/", "primary"),
    ("/", "contact"),
    ("/organisatie", "primary"),
    ("/organisatie", "contact"),
    ("/contactpersonen", "primary"),
    ("/nieuwsbrieven", "primary"),
    ("/nieuwsbrieven", "contact"),
    ("/bevestiging/organisatie", "primary"),
    ("/bevestiging/contactpersonen", "primary"),
    ("/beheer", "staff"),
    ("/beheer/organisaties", "staff"),
    ("/beheer/audit", "staff"),
    ("/beheer/campagnes", "staff"),
]


def _statements_for(client, count_statements, path):
    with count_statements() as log:
        response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return log


@pytest.mark.parametrize(("path", "role"), PAGES, ids=[f"{p} {r}" for p, r in PAGES])
def test_statements_per_request_are_few_and_do_not_grow(
    client, world, count_statements, path, role
):
    counts = {}
    for size in SIZES:
        world.grow(size)
        log_in(client, world.user(role))
        client.get(path)  # first request of a session may warm caches; measure the second
        log = _statements_for(client, count_statements, path)
        counts[size] = log
        assert len(log) <= BUDGET, (
            f"{path} ({role}, {size}) sends {len(log)} statements, budget {BUDGET}:\n"
            + log.report()
        )
    small, large = (counts[size] for size in SIZES)
    assert len(small) == len(large), (
        f"{path} ({role}) grows with the data: {len(small)} statements at {SIZES[0]}, "
        f"{len(large)} at {SIZES[1]}:\n{large.report()}"
    )


def test_the_counter_sees_an_n_plus_one(app, client, world, count_statements):
    """The counter itself: a page that loads each contact's login one by one is caught."""
    from flask import jsonify

    from portal.extensions import db
    from portal.models import Contact
    from portal.security import public_endpoint

    @app.get("/n-plus-een")
    @public_endpoint
    def n_plus_one():
        contacts = db.session.query(Contact).all()
        return jsonify([contact.user.email if contact.user else None for contact in contacts])

    world.grow(5)
    small = len(_statements_for(client, count_statements, "/n-plus-een"))
    world.grow(50)
    large = len(_statements_for(client, count_statements, "/n-plus-een"))
    assert large > small + 40
