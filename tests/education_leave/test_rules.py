"""The deadlines of VOV and BEV, table by table: month ends, leap years, late enrolments,
trainings of exactly 3 months and 3 months + 1 day, and a school year."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.education_leave import rules
from portal.education_leave.rules import Attestation, Period
from portal.errors import PolicyError


def d(text: str) -> date:
    return date.fromisoformat(text)


def periods(*pairs: tuple[str, str]) -> list[Period]:
    return [Period(d(start), d(end)) for start, end in pairs]


def training(starts: str, ends: str, *, bev=True, vov=False, explicit=(),
             per_school_year=False):
    return SimpleNamespace(
        starts_on=d(starts), ends_on=d(ends), is_bev_recognised=bev, is_vov_recognised=vov,
        is_per_school_year=per_school_year,
        periods=[SimpleNamespace(starts_on=d(s), ends_on=d(e)) for s, e in explicit],
    )


@pytest.mark.parametrize(("start", "months", "last_day"), [
    ("2027-01-01", 3, "2027-03-31"),  # a plain quarter
    ("2027-01-31", 1, "2027-02-28"),  # 31 Jan + 1 month: February is shorter
    ("2028-01-31", 1, "2028-02-29"),  # ... and in a leap year
    ("2028-01-30", 1, "2028-02-29"),
    ("2028-01-29", 1, "2028-02-28"),  # 29 Feb exists in 2028: the day before it
    ("2026-11-30", 3, "2027-02-28"),
    ("2027-11-30", 3, "2028-02-29"),  # leap year across the year end
    ("2028-02-29", 3, "2028-05-28"),
    ("2028-02-29", 12, "2029-02-28"),  # from the leap day into a common year
    ("2027-12-15", 3, "2028-03-14"),
    ("2027-08-31", 1, "2027-09-30"),
])
def test_a_term_of_months_ends_by_the_civil_rule(start, months, last_day):
    assert rules.months_period_end(d(start), months) == d(last_day)


@pytest.mark.parametrize(("enrolled", "due"), [
    ("2027-03-03", "2027-03-11"),
    ("2027-01-31", "2027-02-08"),  # over a month end
    ("2027-02-25", "2027-03-05"),
    ("2028-02-25", "2028-03-04"),  # leap year: 29 Feb counts
    ("2027-12-28", "2028-01-05"),  # over the year end
])
def test_vov_enrolment_attestation_is_due_8_days_after_the_enrolment(enrolled, due):
    assert rules.vov_enrolment_due(d(enrolled)) == d(due)


@pytest.mark.parametrize(("starts", "enrolled", "due"), [
    ("2027-01-11", "2026-12-15", "2027-01-31"),  # enrolled ahead: 20 days after the start
    ("2027-01-11", "2027-01-11", "2027-01-31"),  # on the first day: not late
    ("2027-01-11", "2027-01-12", "2027-01-20"),  # late by a day: 8 days after enrolling
    ("2027-03-01", "2027-03-02", "2027-03-10"),  # late, and earlier than start + 20
    ("2027-01-11", "2027-02-25", "2027-03-05"),  # late, over the end of February
    ("2028-02-01", "2028-02-25", "2028-03-04"),  # late, in a leap February
    ("2027-02-10", "2027-01-20", "2027-03-02"),
    ("2028-02-10", "2028-01-20", "2028-03-01"),  # leap year: one day earlier
    ("2027-01-31", "2027-01-02", "2027-02-20"),
])
def test_bev_enrolment_is_due_20_days_after_the_start_or_8_after_a_late_enrolment(
        starts, enrolled, due):
    assert rules.bev_enrolment_due(d(starts), d(enrolled)) == d(due)


@pytest.mark.parametrize(("kwargs", "expected"), [
    # at most 3 months: the whole training is one period
    (dict(starts="2027-01-04", ends="2027-01-29"), [("2027-01-04", "2027-01-29")]),
    (dict(starts="2027-01-01", ends="2027-03-31"), [("2027-01-01", "2027-03-31")]),
    # 3 months + 1 day: a second period of one day
    (dict(starts="2027-01-01", ends="2027-04-01"),
     [("2027-01-01", "2027-03-31"), ("2027-04-01", "2027-04-01")]),
    # starting on the 31st: every end counted from the first day, so no drift
    (dict(starts="2027-01-31", ends="2027-08-31"),
     [("2027-01-31", "2027-04-30"), ("2027-05-01", "2027-07-30"),
      ("2027-07-31", "2027-08-31")]),
    # across a leap February
    (dict(starts="2027-11-30", ends="2028-06-30"),
     [("2027-11-30", "2028-02-29"), ("2028-03-01", "2028-05-29"),
      ("2028-05-30", "2028-06-30")]),
    # starting on the leap day
    (dict(starts="2028-02-29", ends="2028-12-31"),
     [("2028-02-29", "2028-05-28"), ("2028-05-29", "2028-08-28"),
      ("2028-08-29", "2028-11-28"), ("2028-11-29", "2028-12-31")]),
    # organised per school year: by trimester
    (dict(starts="2027-09-13", ends="2028-06-24", per_school_year=True),
     [("2027-09-13", "2027-12-31"), ("2028-01-01", "2028-03-31"),
      ("2028-04-01", "2028-06-24")]),
    (dict(starts="2028-02-01", ends="2028-07-15", per_school_year=True),
     [("2028-02-01", "2028-03-31"), ("2028-04-01", "2028-06-30"),
      ("2028-07-01", "2028-07-15")]),
    # explicit periods set by staff override the rule
    (dict(starts="2027-01-04", ends="2027-06-30",
          explicit=[("2027-03-01", "2027-06-30"), ("2027-01-04", "2027-02-28")]),
     [("2027-01-04", "2027-02-28"), ("2027-03-01", "2027-06-30")]),
    # ... but one period covering the whole training (the first version's default) does not
    (dict(starts="2027-01-04", ends="2027-06-30", explicit=[("2027-01-04", "2027-06-30")]),
     [("2027-01-04", "2027-04-03"), ("2027-04-04", "2027-06-30")]),
])
def test_bev_attendance_periods_by_the_3_month_rule(kwargs, expected):
    kwargs = dict(kwargs)
    explicit = [Period(d(s), d(e)) for s, e in kwargs.pop("explicit", [])]
    found = rules.attendance_periods(d(kwargs.pop("starts")), d(kwargs.pop("ends")),
                                     explicit=explicit, **kwargs)
    assert found == periods(*expected)


@pytest.mark.parametrize(("period_end", "due"), [
    ("2027-03-31", "2027-04-08"),
    ("2028-02-29", "2028-03-08"),
    ("2027-02-28", "2027-03-08"),
    ("2027-12-28", "2028-01-05"),
])
def test_bev_attendance_is_due_8_days_after_its_period(period_end, due):
    assert rules.bev_attendance_due(Period(d("2027-01-01"), d(period_end))) == d(due)


def row(attestation: Attestation) -> tuple:
    period = attestation.period
    return (attestation.kind, attestation.opens_on.isoformat(), attestation.due_on.isoformat(),
            (period.starts_on.isoformat(), period.ends_on.isoformat()) if period else None)


@pytest.mark.parametrize(("the_training", "enrolled", "expected"), [
    # both schemes, enrolled ahead
    (training("2027-01-04", "2027-02-26", vov=True), "2026-12-15", [
        ("vov_enrolment", "2026-12-15", "2026-12-23", None),
        ("bev_enrolment", "2026-12-15", "2027-01-24", None),
        ("bev_attendance", "2027-02-27", "2027-03-06", ("2027-01-04", "2027-02-26")),
    ]),
    # both schemes, a late enrolment
    (training("2027-01-04", "2027-02-26", vov=True), "2027-01-20", [
        ("vov_enrolment", "2027-01-20", "2027-01-28", None),
        ("bev_enrolment", "2027-01-20", "2027-01-28", None),
        ("bev_attendance", "2027-02-27", "2027-03-06", ("2027-01-04", "2027-02-26")),
    ]),
    # VOV only: no BEV getuigschriften
    (training("2027-01-04", "2027-02-26", bev=False, vov=True), "2027-01-02", [
        ("vov_enrolment", "2027-01-02", "2027-01-10", None),
    ]),
    # BEV, late into a long training: the period that ended before enrolling is not theirs
    (training("2027-01-04", "2027-06-30"), "2027-04-10", [
        ("bev_enrolment", "2027-04-10", "2027-04-18", None),
        ("bev_attendance", "2027-07-01", "2027-07-08", ("2027-04-04", "2027-06-30")),
    ]),
    # BEV per school year: one getuigschrift van nauwgezetheid per trimester
    (training("2027-09-13", "2028-06-24", per_school_year=True), "2027-09-01", [
        ("bev_enrolment", "2027-09-01", "2027-10-03", None),
        ("bev_attendance", "2028-01-01", "2028-01-08", ("2027-09-13", "2027-12-31")),
        ("bev_attendance", "2028-04-01", "2028-04-08", ("2028-01-01", "2028-03-31")),
        ("bev_attendance", "2028-06-25", "2028-07-02", ("2028-04-01", "2028-06-24")),
    ]),
    # not recognised: nothing
    (training("2027-01-04", "2027-02-26", bev=False), "2027-01-02", []),
])
def test_attestations_owed_per_scheme(the_training, enrolled, expected):
    assert [row(a) for a in rules.attestations_for(the_training, d(enrolled))] == expected


@pytest.mark.parametrize(("today", "status"), [
    ("2027-02-13", "upcoming"),  # two weeks before the period ends
    ("2027-02-26", "upcoming"),  # the period's last day: it has not ended yet
    ("2027-02-27", "due"),
    ("2027-03-06", "due"),  # the last day of the term
    ("2027-03-07", "overdue"),
])
def test_an_attendance_attestation_opens_only_after_its_period(today, status):
    attestation = Attestation(rules.BEV_ATTENDANCE, d("2027-02-27"), d("2027-03-06"),
                              Period(d("2027-01-04"), d("2027-02-26")))
    assert attestation.status(d(today)) == status
    assert attestation.is_available(d(today)) == (status != "upcoming")
    assert attestation.status(d(today), delivered=True) == "delivered"


def test_keys_name_the_kind_and_the_period():
    assert Attestation(rules.VOV_ENROLMENT, d("2027-01-02"), d("2027-01-10")).key \
        == "vov_enrolment"
    assert Attestation(rules.BEV_ATTENDANCE, d("2027-02-27"), d("2027-03-06"),
                       Period(d("2027-01-04"), d("2027-02-26"))).key \
        == "bev_attendance:2027-01-04"


@pytest.mark.parametrize(("enrolled", "per_school_year", "starts", "due"), [
    ("2027-01-20", False, "2027-02-01", "2027-02-04"),  # 15 days after enrolling
    ("2028-02-20", False, "2028-03-01", "2028-03-06"),  # ... over a leap February
    ("2027-09-01", True, "2027-09-13", "2027-10-31"),  # per school year: 31 October
    ("2027-10-31", True, "2027-09-13", "2027-10-31"),
    ("2027-11-05", True, "2027-09-13", "2027-11-20"),  # enrolled after 31 October
    ("2028-01-10", True, "2028-02-01", "2028-01-25"),  # starts in the school year's winter
])
def test_the_participant_hands_the_enrolment_attestation_to_the_employer(
        enrolled, per_school_year, starts, due):
    assert rules.employer_handover_due(d(enrolled), per_school_year=per_school_year,
                                       starts_on=d(starts)) == d(due)


@pytest.mark.parametrize(("the_training", "expected"), [
    (training("2027-01-04", "2027-02-26", bev=False, vov=True),
     ([("2027-01-04", "2027-02-26")], "2027-02-27", "2027-03-06")),
    (training("2027-01-31", "2027-08-31", bev=False, vov=True),
     ([("2027-01-31", "2027-04-30"), ("2027-05-01", "2027-07-30"),
       ("2027-07-31", "2027-08-31")], "2027-09-01", "2027-09-08")),
    (training("2028-01-04", "2028-02-29", bev=False, vov=True),
     ([("2028-01-04", "2028-02-29")], "2028-03-01", "2028-03-08")),
])
def test_the_vov_attendance_list_covers_the_training_and_is_due_after_its_end(
        the_training, expected):
    found = rules.vov_attendance_list(the_training)
    expected_periods, opens, due = expected
    assert list(found.periods) == periods(*expected_periods)
    assert (found.opens_on, found.due_on) == (d(opens), d(due))


def test_a_bev_only_training_has_no_vov_attendance_list():
    assert rules.vov_attendance_list(training("2027-01-04", "2027-02-26")) is None


@pytest.mark.parametrize(("enrolled_at", "day"), [
    (datetime(2027, 3, 2, 22, 59, tzinfo=UTC), "2027-03-02"),
    (datetime(2027, 3, 2, 23, 30, tzinfo=UTC), "2027-03-03"),  # past midnight in Brussels
    (datetime(2027, 7, 1, 21, 30, tzinfo=UTC), "2027-07-01"),  # summer time: 23:30
    (datetime(2027, 7, 1, 22, 30, tzinfo=UTC), "2027-07-02"),
])
def test_the_enrolment_day_is_the_day_in_brussels(enrolled_at, day):
    assert rules.enrolment_day(SimpleNamespace(enrolled_at=enrolled_at)) == d(day)


@pytest.mark.parametrize(("vov", "odb", "hours", "fields"), [
    (True, None, Decimal("32"), ["odb_number"]),
    (True, "  ", Decimal("40"), ["odb_number"]),
    (True, "DV.O123456", Decimal("31.5"), ["hours"]),
    (True, "DV.O123456", None, ["hours"]),
    (True, None, Decimal("12"), ["odb_number", "hours"]),
    (True, "DV.O123456", Decimal("32"), []),
    (False, None, Decimal("6"), []),  # BEV alone asks neither
])
def test_a_vov_training_needs_its_odb_number_and_32_contact_hours(app, vov, odb, hours, fields):
    problems = rules.training_problems(is_vov_recognised=vov, odb_number=odb, hours=hours)
    assert [field for field, _ in problems] == fields


def test_the_vov_messages_are_dutch(app):
    the_training = SimpleNamespace(is_vov_recognised=True, odb_number="DV.O123456",
                                   hours=Decimal("24"))
    with pytest.raises(PolicyError) as refused:
        rules.check_training(the_training)
    assert refused.value.field == "hours"
    assert refused.value.message == (
        "Een opleiding voor Vlaams opleidingsverlof telt minstens 32 contacturen.")
    the_training.odb_number = ""
    with pytest.raises(PolicyError) as refused:
        rules.check_training(the_training)
    assert "ODB-nummer" in refused.value.message
