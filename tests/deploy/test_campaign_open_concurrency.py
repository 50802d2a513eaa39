"""Two hosts opening the same campaign at the same moment: one campaign, no error."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.confirmation import campaigns
from portal.extensions import db
from portal.models import Confirmation, ConfirmationCampaign
from tests.concurrency import failures, run_together
from tests.factories import make_org


def test_two_simultaneous_opens_make_one_campaign(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two hosts need PostgreSQL; on SQLite one run at a time")
    for number in range(5):
        make_org(f"Lid {number} vzw")
    deadline = clock.today() + timedelta(days=60)

    def host():
        added = campaigns.open_campaign(2040, deadline, actor=None)[1]
        db.session.commit()  # each host plays a request or a command
        return added

    results = run_together(app, host, host)
    assert failures(results) == []
    assert sorted(results) == [0, 5]  # the second one found the work done
    assert db.session.scalar(select(func.count(ConfirmationCampaign.id))) == 1
    assert db.session.scalar(select(func.count(Confirmation.id))) == 5
