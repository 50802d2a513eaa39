"""Attestations as documents: each kind holds its scheme's fields, the provider's data, and
nothing the privacy policy does not allow (never a national register number); a document
that is not due yet is refused."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from stdnum.be import nn

from portal.education_leave import documents, examples, rules
from portal.errors import PolicyError
from portal.extensions import db
from portal.models import AttendedHours

ROOT = Path(__file__).resolve().parents[2]
NATIONAL_NUMBER = re.compile(r"\d{2}\.?\d{2}\.?\d{2}\s*-?\s*\d{3}\s*\.?\s*\d{2}")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def assert_no_national_number(text: str) -> None:
    """Neither the shape of a national register number nor 11 digits with its checksum."""
    assert not NATIONAL_NUMBER.search(text)
    for run in re.findall(r"\d[\d.\- ]{9,18}\d", text):
        assert not nn.is_valid(re.sub(r"\D", "", run)), run


def of_kind(sample, kind):
    return next(a for a in documents.attestations_of(sample.enrolment) if a.kind == kind)


@pytest.fixture
def sample(app):
    return examples.example()


def test_vov_enrolment_attestation_holds_the_model_s_fields(sample):
    attestation = of_kind(sample, rules.VOV_ENROLMENT)
    text = pdf_text(documents.attestation_pdf(sample.enrolment, attestation,
                                              today=date(2026, 12, 15)))
    for expected in (
        "Inschrijvingsattest", "Vlaams opleidingsverlof",
        "Voornaam An", "Achternaam Vandenbroucke",  # first and last name
        "Sociare vzw", "0448.444.064",  # the provider's name and KBO number
        "Arbeidsrecht in de socioculturele sector",
        "Module 1: Arbeidsovereenkomsten",  # the modules enrolled for
        "ODB-nummer", "DV.O123456",
        "Aantal contacturen 36",
        "Begindatum 11 januari 2027", "Einddatum 28 mei 2027",
        "Datum van het examen 11 juni 2027",  # later than the end date
        "Ingeschreven op 14 december 2026",
    ):
        assert expected in text, expected
    # The national register number line is there, blank, and says why.
    assert "Rijksregisternummer" in text
    assert "zelf met de hand in" in text and "vraagt dit nummer niet en bewaart het niet" in text
    assert_no_national_number(text)
    # VOV asks for the name only: no birth data, residence, email or employer.
    for absent in ("Leuven", "1985", "9000 Gent", "@", "Demo vzw"):
        assert absent not in text, absent


def test_bev_certificates_hold_the_five_fields_and_no_more(sample):
    enrolment_text = pdf_text(documents.attestation_pdf(
        sample.enrolment, of_kind(sample, rules.BEV_ENROLMENT), today=date(2026, 12, 15)))
    attendance = of_kind(sample, rules.BEV_ATTENDANCE)
    attendance_text = pdf_text(documents.attestation_pdf(
        sample.enrolment, attendance, today=date(2027, 4, 11), issued_by="Mona Medewerker"))
    assert "Getuigschrift van regelmatige inschrijving" in enrolment_text
    assert "sinds 14 december 2026 regelmatig ingeschreven" in enrolment_text
    assert "Getuigschrift van nauwgezetheid" in attendance_text
    assert "van 11 januari 2027 tot en met 10 april 2027" in attendance_text
    assert "Aanwezige uren in deze periode 20" in attendance_text
    assert "Voor Sociare vzw: Mona Medewerker" in attendance_text
    for text in (enrolment_text, attendance_text):
        for expected in ("Betaald educatief verlof", "Achternaam Vandenbroucke", "Voornaam An",
                         "Geboorteplaats Leuven", "Geboortedatum 14 maart 1985",
                         "Woonplaats 9000 Gent", "Sociare vzw",
                         "Ravensteingalerij 28 bus 3, 1000 Brussel", "0448.444.064",
                         "Arbeidsrecht in de socioculturele sector"):
            assert expected in text, expected
        assert "Rijksregisternummer" not in text and "ODB" not in text
        assert "@" not in text and "Demo vzw" not in text
        assert_no_national_number(text)


def test_the_vov_attendance_list_shows_hours_per_period_and_what_is_missing(sample):
    text = pdf_text(documents.attendance_list_pdf(sample.training, today=date(2027, 5, 29)))
    assert "Aanwezigheidslijst" in text and "DV.O123456" in text
    assert "11/01/2027 – 10/04/2027" in text and "11/04/2027 – 28/05/2027" in text
    assert "Peeters Jonas 19 niet ingevuld 19" in text
    assert "Vandenbroucke An 20 15,5 35,5" in text
    assert "uiterlijk op 5 juni 2027" in text
    assert_no_national_number(text)
    csv = documents.attendance_list_csv(sample.training, today=date(2027, 5, 29))
    assert "Vandenbroucke;An;11/04/2027;28/05/2027;15,5" in csv
    assert "Peeters;Jonas;11/04/2027;28/05/2027;\r\n" in csv


@pytest.mark.parametrize(("kind", "today"), [
    (rules.BEV_ATTENDANCE, "2027-03-27"),  # two weeks before the period ends
    (rules.BEV_ATTENDANCE, "2027-04-10"),  # the period's last day: not ended yet
    (rules.VOV_ENROLMENT, "2026-12-13"),  # the day before enrolling
    (rules.BEV_ENROLMENT, "2026-12-13"),
])
def test_an_attestation_that_is_not_due_yet_is_refused(sample, kind, today):
    attestation = of_kind(sample, kind)
    with pytest.raises(PolicyError) as refused:
        documents.attestation_pdf(sample.enrolment, attestation,
                                  today=date.fromisoformat(today))
    assert "nog niet beschikbaar" in refused.value.message
    with pytest.raises(PolicyError):
        documents.attestation_html(sample.enrolment, attestation,
                                   today=date.fromisoformat(today))


def test_the_attendance_list_is_refused_before_the_training_ended(sample):
    for render in (documents.attendance_list_pdf, documents.attendance_list_csv):
        with pytest.raises(PolicyError):
            render(sample.training, today=date(2027, 5, 28))


def test_without_standing_consent_there_is_no_attestation(sample):
    attestation = of_kind(sample, rules.VOV_ENROLMENT)
    sample.enrolment.consent_withdrawn_at = datetime(2026, 12, 20, tzinfo=UTC)
    with pytest.raises(PolicyError) as refused:
        documents.attestation_html(sample.enrolment, attestation, today=date(2027, 1, 5))
    assert "geen gegevens" in refused.value.message.lower()


def test_an_attestation_of_another_scheme_is_refused(sample):
    sample.training.is_vov_recognised = False
    attestation = rules.Attestation(rules.VOV_ENROLMENT, date(2026, 12, 14),
                                    date(2026, 12, 22))
    with pytest.raises(PolicyError):
        documents.attestation_html(sample.enrolment, attestation, today=date(2027, 1, 5))
    assert documents.find_attestation(sample.enrolment, "vov_enrolment") is None
    assert documents.find_attestation(sample.enrolment, "bev_attendance:2027-01-11") is not None


def test_markup_in_stored_data_is_escaped(sample):
    sample.enrolment.given_name = "<script>alert(1)</script>"
    sample.training.title = "Recht & <b>orde</b>"
    html = str(documents.attestation_html(sample.enrolment, of_kind(sample, rules.VOV_ENROLMENT),
                                          today=date(2026, 12, 15)))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>orde" not in html and "Recht &amp; &lt;b&gt;orde" in html


def test_the_screen_page_shows_the_same_document(app, sample):
    from flask import render_template

    attestation = of_kind(sample, rules.BEV_ENROLMENT)
    with app.test_request_context("/"):
        fragment = documents.attestation_html(sample.enrolment, attestation,
                                              today=date(2026, 12, 15))
        page = render_template("education_leave/documents/screen.html", document=fragment,
                               title=documents.attestation_title(attestation.kind),
                               pdf_url="/x.pdf", back_url="/terug")
    assert "Getuigschrift van regelmatige inschrijving" in page
    assert "css/education_leave_documents.css" in page and "Downloaden als pdf" in page
    assert "<style" not in page  # the CSP allows stylesheets from the portal only


def test_hours_recorded_in_the_database_appear_on_the_certificate(app, make_training,
                                                                 make_enrolment):
    start = date(2027, 1, 4)
    training = make_training(starts_on=start, days=27, periods=[(start, start + timedelta(27))])
    enrolment = make_enrolment(training)
    enrolment.enrolled_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    enrolment.consent_given_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    for name, value in (("surname", "Claes"), ("given_name", "Lotte"), ("birthplace", "Genk"),
                        ("birth_date", date(1992, 5, 1)), ("residence", "3600 Genk")):
        setattr(enrolment, name, value)
    db.session.add(AttendedHours(enrolment_id=enrolment.id, period_starts_on=start,
                                 period_ends_on=start + timedelta(27), hours=Decimal("7.5")))
    db.session.commit()
    db.session.expire_all()
    attestation = documents.find_attestation(enrolment, "bev_attendance:2027-01-04")
    text = pdf_text(documents.attestation_pdf(enrolment, attestation, today=date(2027, 2, 1)))
    assert "Aanwezige uren in deze periode 7,5" in text and "Lotte" in text
    assert documents.attestation_filename(enrolment, attestation) == (
        f"getuigschrift-nauwgezetheid-bev-2027-01-04-inschrijving-{enrolment.id}.pdf")


def test_render_examples_makes_one_pdf_of_each_kind(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["attestations", "render-examples", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == ["aanwezigheidslijst-vov.pdf", "getuigschrift-inschrijving-bev.pdf",
                     "getuigschrift-nauwgezetheid-bev.pdf", "inschrijvingsattest-vov.pdf"]
    for name in names:
        text = pdf_text((tmp_path / "out" / name).read_bytes())
        assert "Voorbeeld met verzonnen gegevens" in text
        assert_no_national_number(text)


def test_the_committed_examples_are_there():
    folder = ROOT / "docs/attestations"
    for name in ("aanwezigheidslijst-vov.pdf", "getuigschrift-inschrijving-bev.pdf",
                 "getuigschrift-nauwgezetheid-bev.pdf", "inschrijvingsattest-vov.pdf"):
        assert "Vandenbroucke" in pdf_text((folder / name).read_bytes()), name


@pytest.mark.parametrize("text", ["Rijksregisternummer 85.07.30-033.28", "nr 85073003328"])
def test_the_national_number_check_can_fail(text):
    with pytest.raises(AssertionError):
        assert_no_national_number(text)
