"""`flask seed-demo`: the documented demo logins and a realistic large data set."""

from schwifty import IBAN
from sqlalchemy import func, select
from stdnum.be import vat

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Contact, Organisation, User
from portal.passwords import verify_password


def test_seed_demo_creates_the_documented_logins_once(app):
    runner = app.test_cli_runner()
    assert "Demo data created" in runner.invoke(args=["seed-demo"]).output
    assert "already present" in runner.invoke(args=["seed-demo"]).output
    for email in ("primair@voorbeeld.be", "contact@voorbeeld.be", "primair2@voorbeeld.be",
                  "medewerker@voorbeeld.be"):
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.is_active, email
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    primary = db.session.scalar(select(Contact).where(Contact.email == "primair@voorbeeld.be"))
    assert primary.is_primary and primary.organisation.name == "Demo vzw"
    staff = db.session.scalar(select(User).where(User.email == "medewerker@voorbeeld.be"))
    assert staff.is_staff


def test_seed_demo_makes_a_large_valid_data_set(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--organisations", "40"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 40
    for organisation in db.session.scalars(select(Organisation)):
        assert vat.is_valid(organisation.enterprise_number)
        IBAN(organisation.iban)
        assert len([c for c in organisation.contacts if c.is_primary]) == 1
    biggest = max(len(o.contacts) for o in db.session.scalars(select(Organisation)))
    assert biggest == 50


def test_seed_demo_refuses_production(app):
    app.config["IS_PRODUCTION"] = True
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "refuses" in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
