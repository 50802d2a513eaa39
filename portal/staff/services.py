"""The back office's public service functions; the rules live in the modules named below.

- organisations.py  search, create (with the primary contact and an invitation), end a
                    membership; staff logins; the audit line of every staff view
- importer.py       organisations and contacts from a CRM export (CSV)
- audit_log.py      one page of the audit log, filtered on indexed columns
- breaches.py       the data-breach register and its 72-hour deadline
"""

from portal.staff.audit_log import (
    AUDIT_COUNT_LIMIT,
    AuditPage,
    AuditRow,
    audit_actions,
    audit_page,
)
from portal.staff.breaches import (
    affected_contacts,
    breach_deadline,
    close_breach,
    get_breach,
    list_breaches,
    notify_subjects,
    record_authority_notification,
    record_breach,
    time_left,
)
from portal.staff.organisations import (
    add_organisation,
    contact_values,
    create_organisation,
    create_staff_user,
    email_in_use,
    end_membership,
    get_contact,
    get_organisation,
    log_staff_view,
    log_staff_view_later,
    organisation_values,
    search_organisations,
    subscribe_to_active_lists,
)

__all__ = [
    "AUDIT_COUNT_LIMIT", "AuditPage", "AuditRow", "add_organisation", "affected_contacts",
    "audit_actions", "audit_page", "breach_deadline", "close_breach", "contact_values",
    "create_organisation", "create_staff_user", "email_in_use", "end_membership",
    "get_breach", "get_contact", "get_organisation", "list_breaches", "log_staff_view",
    "log_staff_view_later", "notify_subjects", "organisation_values",
    "record_authority_notification", "record_breach", "search_organisations",
    "subscribe_to_active_lists", "time_left",
]
