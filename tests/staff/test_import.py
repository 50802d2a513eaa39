"""`flask import organisations`: all rows validated, nothing imported when one is bad."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Contact, Organisation, User

HEADER = ("naam;ondernemingsnummer;straat;postcode;gemeente;telefoon;email;iban;bic;"
          "aantal_werknemers;paritair_comite;vte;lid_sinds;contact_voornaam;contact_achternaam;"
          "contact_email;contact_telefoon;contact_functie;contact_primair;contact_website;"
          "contact_nieuwsbrieven;contact_advies")
KUNST = ("Kunstenhuis vzw;0448.444.064;Kerkstraat 1;9000;Gent;02 511 22 33;info@kunst.be;"
         "BE68 5390 0754 7034;GEBABEBB;12;329.01;9,5;01/01/2015")
SPORT = ("Sportclub vzw;0202.239.951;Dorp 2;2000;Antwerpen;;;;;;;;2019-09-01")
ROWS = [
    f"{KUNST};Pia;Peeters;pia@kunst.be;0470 12 34 56;Coördinator;ja;ja;ja;ja",
    f"{KUNST};Koen;Claes;koen@kunst.be;;Boekhouder;nee;nee;ja;nee",
    f"{SPORT};Tom;Wouters;tom@sport.be;;;ja;;;",
]


def _write(tmp_path, rows, header=HEADER):
    path = tmp_path / "leden.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return path


def _import(app, path, *flags):
    return app.test_cli_runner().invoke(
        args=["import", "organisations", str(path), *flags])


def _organisations() -> int:
    return db.session.scalar(select(func.count(Organisation.id)))


def test_a_valid_file_imports_organisations_contacts_and_invites(app, tmp_path, outbox):
    result = _import(app, _write(tmp_path, ROWS))
    assert result.exit_code == 0, result.output
    assert "2 organisaties en 3 contactpersonen ingelezen" in result.output
    kunst = db.session.scalar(select(Organisation).where(
        Organisation.enterprise_number == "0448444064"))
    assert kunst.name == "Kunstenhuis vzw" and str(kunst.fte) == "9.50"
    assert kunst.membership_started_on.isoformat() == "2015-01-01"
    assert kunst.primary_contact.email == "pia@kunst.be"
    koen = db.session.scalar(select(Contact).where(Contact.email == "koen@kunst.be"))
    assert not koen.is_primary and not koen.has_website_right and not koen.has_advice_right
    assert db.session.scalar(select(User).where(User.email == "koen@kunst.be")) is None
    assert sorted(message.recipients[0] for message in outbox) == ["pia@kunst.be",
                                                                   "tom@sport.be"]


def test_one_bad_row_imports_nothing_and_names_the_line(app, tmp_path, outbox):
    rows = [*ROWS]
    rows[1] = rows[1].replace("koen@kunst.be", "koen-at-kunst")
    result = _import(app, _write(tmp_path, rows))
    assert result.exit_code != 0
    assert "Regel 3: kolom contact_email:" in result.output
    assert "Er is niets ingelezen. Regels met fouten: 1." in result.output
    assert _organisations() == 0
    assert db.session.scalar(select(func.count(Contact.id))) == 0
    assert len(outbox) == 0


def test_skip_invalid_imports_the_good_rows(app, tmp_path):
    rows = [*ROWS]
    rows[2] = rows[2].replace("0202.239.951", "0202.239.952")
    result = _import(app, _write(tmp_path, rows), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Regel 4: kolom ondernemingsnummer:" in result.output
    assert "1 organisaties en 2 contactpersonen ingelezen" in result.output
    assert _organisations() == 1


def test_group_rules_and_existing_data_are_reported_per_line(app, tmp_path, make_org,
                                                             make_contact):
    make_contact(make_org(), email="tom@sport.be")
    rows = [*ROWS]
    rows[1] = rows[1].replace(";nee;nee;ja;nee", ";ja;nee;ja;nee")  # two primaries
    rows.append(rows[0].replace("Pia;Peeters", "Piet;Peeters"))  # same email twice
    result = _import(app, _write(tmp_path, rows))
    assert result.exit_code != 0
    assert "Regel 4: contact_email hoort al bij een contactpersoon" in result.output
    assert "Regel 5: contact_email staat al op regel 2" in result.output
    assert "Regel 2: een organisatie heeft precies één regel met contact_primair ja" \
        in result.output
    assert _organisations() == 1  # only the one made by the test


def test_missing_columns_are_named(app, tmp_path):
    result = _import(app, _write(tmp_path, ["x;y"], header="naam;gemeente"))
    assert result.exit_code != 0
    assert "Regel 1: deze kolommen ontbreken: ondernemingsnummer" in result.output
