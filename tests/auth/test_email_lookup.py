"""One normal form of an email address, stored and looked up; the login searches the index."""

import pytest
from email_validator import EmailNotValidError
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from portal.auth.throttle import throttle_key
from portal.auth.users import find_user_by_email, user_by_email_statement
from portal.extensions import db
from portal.models import User
from portal.validators import check_email, normalise_email
from tests.auth.conftest import post_login


@pytest.mark.parametrize("typed,stored", [
    ("lies@organisatie.be", "lies@organisatie.be"),
    ("  Lies@Organisatie.BE \n", "lies@organisatie.be"),
    ("\u00a0lies@organisatie.be\u00a0", "lies@organisatie.be"),  # no-break spaces
    ("\uff4c\uff49\uff45\uff53\uff20organisatie.be", "lies@organisatie.be"),  # full width
    ("An.De\ufb01ets@organisatie.be", "an.defiets@organisatie.be"),  # the "fi" ligature
    ("Ren\u0065\u0301@organisatie.be", "ren\u00e9@organisatie.be"),  # one é, however typed
    ("", ""),
    (None, ""),
])
def test_normalise_email_edge_cases(typed, stored):
    assert normalise_email(typed) == stored


@given(st.text())
def test_normalise_email_never_raises_and_is_stable(typed):
    once = normalise_email(typed)
    assert normalise_email(once) == once
    assert once == once.strip() and once == once.lower()


@pytest.mark.parametrize("typed", ["geen adres", "lies@", "@organisatie.be", "lies@localhost",
                                   "lies@@organisatie.be", ""])
def test_check_email_refuses_what_is_no_address(typed):
    with pytest.raises(EmailNotValidError):
        check_email(typed)


def test_check_email_gives_the_normal_form():
    assert check_email(" \uff2c\uff49\uff45\uff53@Organisatie.be ") == "lies@organisatie.be"


def test_a_roster_address_typed_oddly_is_the_login_address(app, make_org, make_contact):
    from portal.roster.services import add_contact

    organisation = make_org()
    primary = make_contact(organisation, primary=True)
    contact = add_contact(organisation.id, primary.user, dict(
        first_name="Lies", last_name="Peeters", email=" \uff2c\uff49\uff45\uff53@Organisatie.BE",
        phone="", function="", has_advice_right=False, has_newsletter_right=False,
        has_website_right=True))
    db.session.commit()
    assert contact.email == contact.user.email == "lies@organisatie.be"
    for typed in ("lies@organisatie.be", "LIES@organisatie.be ",
                  "\uff4c\uff49\uff45\uff53@organisatie.be"):
        assert find_user_by_email(typed) is contact.user


def test_every_spelling_of_an_address_counts_towards_one_lock(client, make_org, make_contact):
    make_contact(make_org(), email="lies@organisatie.be")
    spellings = ["lies@organisatie.be", "LIES@organisatie.be", " Lies@Organisatie.be",
                 "\uff4c\uff49\uff45\uff53@organisatie.be", "lies@ORGANISATIE.BE"]
    assert len({throttle_key(spelling) for spelling in spellings}) == 1
    for spelling in spellings:
        assert post_login(client, spelling, "een verkeerd wachtwoord").status_code == 200
    assert post_login(client, "lies@organisatie.be").status_code == 429


def _plan(statement) -> str:
    """The database's plan for a statement, as one lower-case string."""
    sql = str(statement.compile(dialect=db.engine.dialect,
                                compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return " | ".join(row[-1] for row in rows).lower()
    # PostgreSQL prefers a scan on a table this small; forbid it to see whether an index
    # can answer the statement at all.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = db.session.execute(text(f"EXPLAIN {sql}")).all()
    return " | ".join(row[0] for row in rows).lower()


def test_the_login_look_up_searches_the_email_index(app, make_org, make_contact):
    for _ in range(3):
        make_contact(make_org())
    db.session.commit()
    plan = _plan(user_by_email_statement("Lies@Organisatie.BE"))
    if db.engine.dialect.name == "sqlite":
        # The unique constraint's index (SQLite names it sqlite_autoindex_users_N).
        assert plan.startswith("search users using index") and "(email=?)" in plan, plan
        assert "scan users" not in plan, plan
    else:
        assert "index scan using uq_users_email" in plan, plan
        assert "seq scan" not in plan, plan
    db.session.rollback()


def test_the_plan_check_would_see_a_scan(app):
    # lower(email), as the login once had it, reads every row: the check above would fail.
    plan = _plan(select(User).where(func.lower(User.email) == "lies@organisatie.be"))
    assert ("scan users" in plan) if db.engine.dialect.name == "sqlite" else ("seq scan" in plan)
    db.session.rollback()
