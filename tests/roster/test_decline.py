"""Declining the primary role: the proposed person says no, the proposal ends, nothing else."""

import pytest
from sqlalchemy import select

from portal.errors import PolicyError
from portal.extensions import db
from portal.models import AuditEvent, Contact, PrimaryTransfer
from portal.roster import transfer as transfers
from tests.conftest import log_in
from tests.roster.test_transfer import _primaries, proposed  # noqa: F401 - the fixture


def _decline_path(accept_path: str) -> str:
    return accept_path.replace("/primair/aanvaarden/", "/primair/weigeren/")


def test_the_proposed_person_declines_from_the_dashboard(app, proposed, primary_a,  # noqa: F811
                                                         contact_a, outbox):
    karel = app.test_client()
    log_in(karel, contact_a.user)
    dashboard = karel.get("/").get_data(as_text=True)
    # The dashboard signs its own link (its timestamp may differ from the mail's by a second).
    assert 'action="/contactpersonen/primair/weigeren/' in dashboard
    assert "Weigeren" in dashboard and "Lezen en aanvaarden" in dashboard

    response = karel.post(_decline_path(proposed), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Je hebt het voorstel geweigerd. Anna Primair blijft primaire contactpersoon" in page
    assert "Weigeren" not in page  # the task is gone

    assert _primaries(primary_a.organisation_id) == [primary_a.id]
    transfer = db.session.scalar(select(PrimaryTransfer))
    assert transfer.withdrawn_at is not None and transfer.accepted_at is None
    assert transfers.pending_transfer(primary_a.organisation_id) is None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "primary_transfer.declined"))
    assert event.actor_user_id == contact_a.user.id
    told = [m for m in outbox if m.recipients == ["anna@a.be"]]
    assert len(told) == 1
    assert told[0].subject == "Karel Gewoon neemt de rol van primaire contactpersoon niet op"
    assert "je blijft primaire contactpersoon" in told[0].body
    # The link no longer works for accepting either.
    assert karel.get(proposed).status_code == 400


def test_only_the_proposed_person_can_decline(app, proposed, primary_a, contact_a):  # noqa: F811
    anna = app.test_client()
    log_in(anna, primary_a.user)
    assert anna.post(_decline_path(proposed)).status_code == 404
    assert transfers.pending_transfer(primary_a.organisation_id) is not None
    transfer = transfers.pending_transfer(primary_a.organisation_id)
    with pytest.raises(PolicyError):
        transfers.decline_primary_transfer(transfer.id, primary_a.user)


def test_a_withdrawn_proposal_cannot_be_declined(app, login_as, proposed,  # noqa: F811
                                                 primary_a, contact_a, outbox):
    login_as(primary_a.user).post("/contactpersonen/overdracht/intrekken")
    karel = app.test_client()
    log_in(karel, contact_a.user)
    response = karel.post(_decline_path(proposed), follow_redirects=True)
    assert "Dit voorstel geldt niet meer" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "primary_transfer.declined")) is None
    assert db.session.get(Contact, contact_a.id).is_primary is False
