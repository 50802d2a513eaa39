"""Two organisations, each with a primary contact, and an ordinary contact of the first."""

import pytest
from sqlalchemy import inspect, select

from portal.extensions import db


@pytest.fixture
def org_a(make_org):
    return make_org("Organisatie A vzw")


@pytest.fixture
def primary_a(org_a, make_contact):
    return make_contact(org_a, primary=True, first_name="Anna", last_name="Primair",
                        email="anna@a.be")


@pytest.fixture
def contact_a(org_a, primary_a, make_contact):
    return make_contact(org_a, first_name="Karel", last_name="Gewoon", email="karel@a.be")


@pytest.fixture
def org_b(make_org):
    return make_org("Organisatie B vzw")


@pytest.fixture
def primary_b(org_b, make_contact):
    return make_contact(org_b, primary=True, first_name="Bert", last_name="Anders",
                        email="bert@b.be")


def snapshot(obj) -> dict:
    """Every column of a row as stored now (read fresh from the database)."""
    db.session.rollback()
    model = type(obj)
    fresh = db.session.scalar(select(model).where(model.id == obj.id)
                              .execution_options(populate_existing=True))
    return {column.key: getattr(fresh, column.key) for column in inspect(model).columns}
