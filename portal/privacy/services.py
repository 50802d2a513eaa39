"""Everything the portal holds on one person, grouped by purpose with its legal basis.

The data areas are the collectors of portal/privacy/collectors.py; `collect_personal_data`
finds the person (portal/privacy/subject.py) and asks each collector for its section.
`COVERED_TABLES` (from the collectors) and `EXCLUDED_TABLES` name every table, so a test
proves that no table with personal data is forgotten when a model is added.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from portal import clock
from portal.i18n import gettext as _
from portal.models import Contact, User
from portal.privacy.collectors import COLLECTORS, Collector, Section
from portal.privacy.labels import FIELD_LABELS
from portal.privacy.subject import Subject, find_subject

__all__ = ["COLLECTORS", "COVERED_TABLES", "EXCLUDED_TABLES", "FIELD_LABELS", "Collector",
           "PersonalData", "Section", "Subject", "as_json", "collect_personal_data",
           "find_subject"]



def _covered_tables() -> dict[str, str]:
    covered: dict[str, str] = {}
    for collector in COLLECTORS:
        for table in collector.tables:
            covered.setdefault(table, collector.key)  # the first collector of a table owns it
    return covered


# Every table that holds data about a person, and the section that exports it.
COVERED_TABLES = _covered_tables()

# Tables with a column that looks personal but that do not hold data about a person.
EXCLUDED_TABLES = {
    # The organisation's general address, bank account and figures describe the organisation,
    # not a person; the contact section names the organisation for context, and /organisatie
    # shows the rest to its contacts.
    "organisations": "organisation data, not personal data",
    # (newsletters flow) The random secret inside a person's unsubscribe links: it says
    # nothing about the person, and a file that holds it would hand out a working token.
    "newsletter_keys": "secret of unsubscribe links, never exported",
    # The work queue of the back office: which staff login started a job, with ids, options
    # and a mailing's text (the same for every reader); the staff member's own actions are
    # in the audit log.
    "jobs": "work queue of the back office, ids and options only",
}


@dataclass
class PersonalData:
    email: str
    sections: list[Section]


def collect_personal_data(
    user: User | None = None, contact: Contact | None = None
) -> PersonalData:
    """All data held on the person with this login and/or contact row, nothing of others."""
    subject = find_subject(user=user, contact=contact)
    return PersonalData(email=subject.email,
                        sections=[collector(subject) for collector in COLLECTORS])


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # lazy strings


def as_json(data: PersonalData, federation: str) -> dict[str, Any]:
    """The download (GDPR art. 15 and 20): Dutch labels as keys, ISO dates, UTC times."""
    return {
        _("federation"): federation,
        _("person"): data.email,
        _("created"): clock.now().isoformat(),
        _("parts"): [
            {
                _("purpose"): str(section.title),
                _("legal basis"): str(section.legal_basis),
                _("retention"): str(section.retention),
                _("data"): [
                    {str(FIELD_LABELS[key]): _json_value(value) for key, value in record.items()}
                    for record in section.records
                ],
            }
            for section in data.sections
        ],
    }
