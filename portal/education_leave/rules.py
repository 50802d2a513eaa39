"""The deadlines of both education-leave schemes, each in one small pure function of dates.

Vlaams opleidingsverlof (VOV), Flemish employees since 1 September 2019. Source: vlaanderen.be,
"Vlaams opleidingsverlof – Administratieve verplichtingen van de opleidingsverstrekker" (with
the ministerial decree of 8 July 2019 on the attestation's content).

Betaald educatief verlof (BEV), employees in Brussels. Source: werk.be, "Afleveren van
getuigschriften voor gevolgde opleidingen", which applies KB 23 juli 1985 (uitvoering van de
herstelwet van 22 januari 1985), art. 21.

Terms in days are calendar days counted from the day after the event: "within 8 days after
the enrolment on 3 March" ends on 11 March. Terms in months follow the Belgian civil rule (a
term of months ends the day before the same day-number, or on the month's last day when that
month is shorter). Nothing here reads the database or the clock, except `enrolment_day` and
the `today` default of `Attestation.status`, which ask `portal.clock`.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal import clock
from portal.errors import PolicyError
from portal.i18n import gettext as _

BEV = "bev"
VOV = "vov"
VOV_ENROLMENT = "vov_enrolment"  # inschrijvingsattest
BEV_ENROLMENT = "bev_enrolment"  # getuigschrift van regelmatige inschrijving
BEV_ATTENDANCE = "bev_attendance"  # getuigschrift van nauwgezetheid, one per period
KINDS = (VOV_ENROLMENT, BEV_ENROLMENT, BEV_ATTENDANCE)
SCHEME_OF_KIND = {VOV_ENROLMENT: VOV, BEV_ENROLMENT: BEV, BEV_ATTENDANCE: BEV}

# vlaanderen.be (VOV, "Vlaams opleidingsverlof – voorwaarden van de opleiding"): a training
# counts from 32 contact hours.
VOV_MIN_CONTACT_HOURS = 32
# vlaanderen.be (VOV page above): "binnen 8 dagen na inschrijving".
VOV_ENROLMENT_DAYS = 8
# werk.be / KB 23.7.1985 art. 21: "binnen 20 dagen na aanvang opleiding; laattijdige
# inschrijving: binnen 8 dagen na inschrijving"; nauwgezetheid "binnen 8 dagen na einde
# betrokken periode".
BEV_ENROLMENT_DAYS = 20
BEV_LATE_ENROLMENT_DAYS = 8
BEV_ATTENDANCE_DAYS = 8
BEV_PERIOD_MONTHS = 3
# VOV attendance is reported digitally to the department (vlaanderen.be, VOV page above:
# "digitale aanwezigheidsattesten"), not on paper. The stored copy of that page we could read
# does not state the term, so the portal sets its own: 8 days after the training's last day,
# the shortest term either scheme uses, so the list is never later than any official term.
# Confirm with the department and change this one number if it names another.
VOV_ATTENDANCE_LIST_DAYS = 8
# Issue 20 / vlaanderen.be: the employee hands the enrolment attestation to the employer by
# 31 October for trainings organised per school year, otherwise within 15 days of enrolling.
EMPLOYER_HANDOVER_DAYS = 15
# BEV per school year: a getuigschrift per "schoolkwartaal of trimester" (werk.be). The
# portal takes the school trimesters Sep-Dec, Jan-Mar, Apr-Jun, and Jul-Aug for a training
# that also runs in summer: (first month, last month) of each.
SCHOOL_TRIMESTERS = ((9, 12), (1, 3), (4, 6), (7, 8))


@dataclass(frozen=True, order=True)
class Period:
    """Days from `starts_on` to `ends_on`, both included."""

    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Attestation:
    """One attestation an enrolment is owed: from when it may be issued, and by when."""

    kind: str
    opens_on: date  # available from this day on, never earlier
    due_on: date  # the last day to deliver it
    period: Period | None = None  # the attendance period it covers

    @property
    def scheme(self) -> str:
        return SCHEME_OF_KIND[self.kind]

    @property
    def key(self) -> str:
        """Unique per enrolment (AttestationDelivery.attestation_key)."""
        return f"{self.kind}:{self.period.starts_on.isoformat()}" if self.period else self.kind

    def is_available(self, today: date) -> bool:
        return today >= self.opens_on

    def status(self, today: date | None = None, *, delivered: bool = False) -> str:
        """upcoming | due | overdue | delivered."""
        today = today or clock.today()
        if delivered:
            return "delivered"
        if today > self.due_on:
            return "overdue"
        return "due" if self.is_available(today) else "upcoming"


@dataclass(frozen=True)
class AttendanceList:
    """VOV: the hours attended per participant and period, keyed into the department's tool."""

    periods: tuple[Period, ...]
    opens_on: date
    due_on: date


def months_period_end(start: date, months: int) -> date:
    """The last day of a term of `months` months that begins on `start`.

    The day before the same day-number `months` later (1 Jan + 3 months: 31 Mar); when that
    month is too short, its last day (31 Jan + 1 month: 28 Feb, or 29 Feb in a leap year).
    """
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def vov_enrolment_due(enrolled_on: date) -> date:
    # VOV (vlaanderen.be): the inschrijvingsattest within 8 days after the enrolment.
    return enrolled_on + timedelta(days=VOV_ENROLMENT_DAYS)


def bev_enrolment_due(starts_on: date, enrolled_on: date) -> date:
    # BEV (werk.be; KB 23.7.1985 art. 21): within 20 days after the start; a late enrolment
    # (after the start) within 8 days after the enrolment.
    if enrolled_on > starts_on:
        return enrolled_on + timedelta(days=BEV_LATE_ENROLMENT_DAYS)
    return starts_on + timedelta(days=BEV_ENROLMENT_DAYS)


def three_month_periods(starts_on: date, ends_on: date) -> list[Period]:
    # BEV (werk.be; KB 23.7.1985 art. 21): the whole training when it lasts at most 3 months,
    # otherwise every 3 months counted from the first day (each end counted from the first
    # day again, so a start on the 31st does not drift to the 28th).
    periods, start, count = [], starts_on, 1
    while start <= ends_on:
        end = min(months_period_end(starts_on, BEV_PERIOD_MONTHS * count), ends_on)
        periods.append(Period(start, end))
        start, count = end + timedelta(days=1), count + 1
    return periods


def school_year_periods(starts_on: date, ends_on: date) -> list[Period]:
    # BEV (werk.be): trainings organised per school year, per school quarter or trimester.
    periods = []
    for year in range(starts_on.year - 1, ends_on.year + 1):
        for first, last in SCHOOL_TRIMESTERS:
            in_year = year if first >= 9 else year + 1  # the school year starting in `year`
            start = date(in_year, first, 1)
            end = date(in_year, last, calendar.monthrange(in_year, last)[1])
            if start <= ends_on and end >= starts_on:
                periods.append(Period(max(start, starts_on), min(end, ends_on)))
    return sorted(periods)


def attendance_periods(starts_on: date, ends_on: date, *, explicit: Iterable[Period] = (),
                       per_school_year: bool = False) -> list[Period]:
    """Explicit periods set by staff override the rule; otherwise trimesters or 3 months.

    One explicit period covering exactly the whole training is what the first version stored
    when staff gave none: it does not override the 3-month rule.
    """
    explicit = sorted(explicit)
    if explicit and explicit != [Period(starts_on, ends_on)]:
        return explicit
    if per_school_year:
        return school_year_periods(starts_on, ends_on)
    return three_month_periods(starts_on, ends_on)


def bev_attendance_due(period: Period) -> date:
    # BEV (werk.be; KB 23.7.1985 art. 21): within 8 days after the end of each period.
    return period.ends_on + timedelta(days=BEV_ATTENDANCE_DAYS)


def vov_attendance_list_due(ends_on: date) -> date:
    # VOV (vlaanderen.be): attendance reported digitally; term set by the portal (see above).
    return ends_on + timedelta(days=VOV_ATTENDANCE_LIST_DAYS)


def employer_handover_due(enrolled_on: date, *, per_school_year: bool,
                          starts_on: date) -> date:
    """When the participant must hand the enrolment attestation to the employer.

    Per school year: 31 October of the school year the training starts in, or 15 days after
    a later enrolment; otherwise 15 days after enrolling.
    """
    within = enrolled_on + timedelta(days=EMPLOYER_HANDOVER_DAYS)
    if not per_school_year:
        return within
    school_year = starts_on.year if starts_on.month >= 9 else starts_on.year - 1
    october = date(school_year, 10, 31)
    return october if enrolled_on <= october else within


def training_problems(*, is_vov_recognised: bool, odb_number: str | None,
                      hours: Decimal | int | None) -> list[tuple[str, str]]:
    """(field, Dutch message) for each VOV requirement a training misses.

    VOV (vlaanderen.be): only a training registered in the opleidingsdatabank counts (its ODB
    number goes on the attestation), with at least 32 contact hours.
    """
    problems = []
    if is_vov_recognised:
        if not (odb_number or "").strip():
            problems.append(("odb_number", _(
                "Enter the ODB number: Flemish training leave only counts for a training "
                "registered in the training database.")))
        if hours is None or Decimal(hours) < VOV_MIN_CONTACT_HOURS:
            problems.append(("hours", _(
                "A training for Flemish training leave has at least %(hours)s contact hours.",
                hours=VOV_MIN_CONTACT_HOURS)))
    return problems


def check_training(training) -> None:
    """Refuse a training that misses a requirement of its scheme (the first one found)."""
    problems = training_problems(is_vov_recognised=training.is_vov_recognised,
                                 odb_number=training.odb_number, hours=training.hours)
    if problems:
        field, message = problems[0]
        raise PolicyError(message, field=field)


# --- Composition over a training (duck-typed: a Training row or any object alike) ----------


def training_attendance_periods(training) -> list[Period]:
    return attendance_periods(
        training.starts_on, training.ends_on,
        explicit=[Period(p.starts_on, p.ends_on) for p in training.periods],
        per_school_year=bool(training.is_per_school_year),
    )


def attestations_for(training, enrolled_on: date) -> list[Attestation]:
    """Every attestation a participant enrolled on `enrolled_on` is owed, per scheme.

    An attendance period that ended before the enrolment is not theirs. An attestation is
    available from its `opens_on` only: the enrolment ones from the enrolment day, an
    attendance one from the day after its period ended.
    """
    items = []
    if training.is_vov_recognised:
        items.append(Attestation(VOV_ENROLMENT, enrolled_on, vov_enrolment_due(enrolled_on)))
    if training.is_bev_recognised:
        items.append(Attestation(BEV_ENROLMENT, enrolled_on,
                                 bev_enrolment_due(training.starts_on, enrolled_on)))
        for period in training_attendance_periods(training):
            if period.ends_on >= enrolled_on:
                items.append(Attestation(BEV_ATTENDANCE, period.ends_on + timedelta(days=1),
                                         bev_attendance_due(period), period))
    return items


def vov_attendance_list(training) -> AttendanceList | None:
    """The training's VOV attendance list: its periods, from when and by when it is due."""
    if not training.is_vov_recognised:
        return None
    return AttendanceList(tuple(training_attendance_periods(training)),
                          training.ends_on + timedelta(days=1),
                          vov_attendance_list_due(training.ends_on))


def enrolment_day(enrolment) -> date:
    """The enrolment's day on the portal's calendar (today for one not yet stored)."""
    if enrolment.enrolled_at is None:
        return clock.today()
    return clock.local(enrolment.enrolled_at).date()
