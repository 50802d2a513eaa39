"""The benchmark's baseline: the 50-row contact table with nothing but Flask and SQLAlchemy.

No login, no CSRF, no Babel, no security headers: what any Flask page that reads the same
roster from the same database costs. The portal's pages are measured as a ratio to this.
Configured by environment variables (bench/run.py sets them):
    BASELINE_DATABASE_URL      the benchmark's database (SQLite file or PostgreSQL)
    BASELINE_ORGANISATION_ID   the organisation whose roster is shown
Run: gunicorn --chdir bench --workers 2 baseline_app:app
"""

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contacts: Mapped[list["Contact"]] = relationship(
        order_by="Contact.last_name, Contact.first_name, Contact.id"
    )


class Contact(db.Model):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    function: Mapped[str | None] = mapped_column(String(100))
    has_advice_right: Mapped[bool]
    has_newsletter_right: Mapped[bool]
    has_website_right: Mapped[bool]
    is_primary: Mapped[bool]


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["BASELINE_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)
    organisation_id = int(os.environ["BASELINE_ORGANISATION_ID"])

    @app.get("/")
    def roster():
        # Two queries, as the portal's roster needs at least: the organisation, its contacts.
        organisation = db.session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.contacts))
            .where(Organisation.id == organisation_id)
        ).one()
        return render_template("roster.html", organisation=organisation)

    return app


app = create_app() if "BASELINE_DATABASE_URL" in os.environ else None
