"""The roster fixtures (two organisations with their contacts) serve these tests too."""

from tests.roster.conftest import (  # noqa: F401 - fixtures
    contact_a,
    org_a,
    org_b,
    primary_a,
    primary_b,
)
