"""The data map: where personal data lives, whose it is, why, on what basis, for how long,
and what erasing its person does. The record of processing (GDPR art. 30) as code.

Export, erasure, retention and the processing register read this one declaration. Every
column of every table is classified here: a test fails when a model gains a column the map
does not name, so nobody adds personal data without deciding its purpose and its end.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from portal.i18n import lazy_gettext as _l


class Subject(StrEnum):
    """Kinds of people (and the organisation) the portal holds data on."""

    CONTACT = "contact"  # a contact person of a member organisation
    LOGIN = "login"  # a login: a contact's or a staff member's
    SUBSCRIBER = "subscriber"  # somebody who signed up on the public newsletter form
    PARTICIPANT = "participant"  # a participant enrolled in a training (contact or not)
    APPLICANT = "applicant"  # somebody applying for membership for an organisation
    ORGANISATION = "organisation"  # organisation data, not personal, kept by the same rules


class Erasure(StrEnum):
    """What erasing a row's person does to the row."""

    DELETE_ROW = "delete_row"  # the row goes
    CLEAR = "clear"  # the personal columns are emptied, the row stays
    UNLINK = "unlink"  # an anonymous record stays: the link to the person is cut
    NONE = "none"  # nothing personal in the row


PURPOSES = {
    "membership": _l("Membership and services to the member organisation"),
    "portal_access": _l("Access to the member portal"),
    "newsletters": _l("Newsletters, e-zines, newsflashes and invitations"),
    "training": _l("Enrolment in a training"),
    "education_leave": _l("Attestations for paid educational leave and Flemish training leave"),
    "annual_confirmation": _l("Annual confirmation of the data"),
    "accountability": _l("Accountability: who did what, and which consent was given"),
    "mail_delivery": _l("Sending mail"),
    "security": _l("Protecting the portal against misuse"),
    "privacy_duties": _l("Answering privacy requests and keeping the breach register"),
    "none": _l("No personal data"),
}

LEGAL_BASES = {
    "legitimate_interest": _l("Legitimate interest of the federation and its member "
                              "(GDPR art. 6.1.f)"),
    "consent": _l("Explicit consent of the person (GDPR art. 6.1.a)"),
    "contract": _l("Carrying out what the person asked for (GDPR art. 6.1.b)"),
    "legal_obligation": _l("Legal obligation (GDPR art. 6.1.c)"),
    "none": _l("Not applicable"),
}

RETENTION_RULES = {
    "membership": _l("Until the contact is removed, at most 5 years after the membership "
                     "ends"),
    "login": _l("As long as the person has the website right; sessions 12 hours"),
    "throttle": _l("15 minutes after the last failed attempt"),
    "subscription": _l("Until the person unsubscribes; a subscriber who leaves every list "
                       "keeps only an anonymous suppression entry"),
    "sign_up_unconfirmed": _l("7 days when the sign-up is not confirmed"),
    "education_leave": _l("Until consent is withdrawn, at most the configured days after "
                          "the training"),
    "enrolment": _l("Until the data are no longer needed after the training"),
    "audit": _l("5 years; a removed person's events lose their link to the person"),
    "mail": _l("Sent mails 5 years; mails to or about a removed person go with them"),
    "consent_record": _l("As long as the consent it proves; after erasure an anonymous "
                         "record stays"),
    "journal": _l("As long as backups exist that could bring erased data back"),
    "none": _l("Not applicable"),
}


@dataclass(frozen=True)
class TableEntry:
    """One table of the database as the data map sees it."""

    table: str
    purpose: str
    basis: str
    retention: str
    erasure: Erasure
    # Columns that hold personal data (or free text that may), and those that do not.
    personal: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    # How a row belongs to a person: subject kind -> the column holding that person's id.
    links: dict[Subject, str] = field(default_factory=dict)
    # Columns emptied by CLEAR and cut by UNLINK, and columns set to an anonymous value.
    cleared: tuple[str, ...] = ()
    anonymised: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.personal + self.other

    @property
    def is_personal(self) -> bool:
        return bool(self.personal)


_STAFF_LINK = {Subject.LOGIN: "created_by_user_id"}

DATA_MAP: tuple[TableEntry, ...] = (
    TableEntry(
        "organisations", "membership", "legitimate_interest", "membership", Erasure.DELETE_ROW,
        other=("id", "name", "enterprise_number", "street", "postal_code", "municipality",
               "phone", "email", "iban", "bic", "employee_count", "joint_committee", "fte",
               "membership_started_on", "membership_ended_on", "created_at", "updated_at",
               "version"),
        links={Subject.ORGANISATION: "id"},
        note="Organisation data (policy, category 1): not about a person; erased with the "
             "organisation 5 years after its membership ended."),
    TableEntry(
        "contacts", "membership", "legitimate_interest", "membership", Erasure.DELETE_ROW,
        personal=("first_name", "last_name", "email", "phone", "function"),
        other=("id", "organisation_id", "has_advice_right", "has_newsletter_right",
               "has_website_right", "is_primary", "created_at", "updated_at", "version"),
        links={Subject.CONTACT: "id", Subject.ORGANISATION: "organisation_id"}),
    TableEntry(
        "users", "portal_access", "legitimate_interest", "login", Erasure.DELETE_ROW,
        personal=("email", "display_name", "password_hash", "totp_secret",
                  "recovery_code_hashes", "last_login_at"),
        other=("id", "contact_id", "is_staff", "is_enabled", "password_changed_at",
               "session_version", "invited_at", "failed_login_count", "locked_until",
               "totp_enabled_at", "totp_last_step", "password_reset_requested_at",
               "created_at"),
        links={Subject.LOGIN: "id", Subject.CONTACT: "contact_id"}),
    TableEntry(
        "user_sessions", "portal_access", "legitimate_interest", "login", Erasure.DELETE_ROW,
        personal=("key_hash",),
        other=("id", "user_id", "created_at", "last_seen_at", "second_factor_at"),
        links={Subject.LOGIN: "user_id"}),
    TableEntry(
        "login_throttles", "security", "legitimate_interest", "throttle", Erasure.DELETE_ROW,
        personal=("key_hash",),
        other=("failure_count", "window_started_at", "locked_until"),
        note="Keyed by an HMAC of the address, known or not; erasure deletes the person's."),
    TableEntry(
        "newsletter_lists", "none", "none", "none", Erasure.NONE,
        other=("id", "slug", "name", "description", "is_active", "sort_order")),
    TableEntry(
        "subscribers", "newsletters", "consent", "subscription", Erasure.DELETE_ROW,
        personal=("name", "organisation_name", "email"),
        other=("id", "created_at", "confirmed_at"),
        links={Subject.SUBSCRIBER: "id"}),
    TableEntry(
        "subscriptions", "newsletters", "legitimate_interest", "subscription",
        Erasure.DELETE_ROW,
        other=("id", "list_id", "is_subscribed", "opted_in_at", "opted_out_at",
               "opt_out_reason", "contact_id", "subscriber_id"),
        links={Subject.CONTACT: "contact_id", Subject.SUBSCRIBER: "subscriber_id"},
        note="Which lists a person receives: personal through its link to the person."),
    TableEntry(
        "newsletter_keys", "newsletters", "legitimate_interest", "subscription",
        Erasure.DELETE_ROW,
        personal=("secret",),
        other=("id", "contact_id", "subscriber_id", "created_at"),
        links={Subject.CONTACT: "contact_id", Subject.SUBSCRIBER: "subscriber_id"}),
    TableEntry(
        "consent_records", "accountability", "legal_obligation", "consent_record",
        Erasure.UNLINK,
        other=("id", "purpose", "action", "channel", "text_version", "recorded_at",
               "contact_id", "subscriber_id", "enrolment_id"),
        links={Subject.CONTACT: "contact_id", Subject.SUBSCRIBER: "subscriber_id",
               Subject.PARTICIPANT: "enrolment_id"},
        cleared=("contact_id", "subscriber_id", "enrolment_id"),
        note="Proof of consent (GDPR art. 7.1): the anonymous record stays after erasure."),
    TableEntry(
        "consent_texts", "accountability", "legal_obligation", "consent_record", Erasure.NONE,
        other=("text_version", "text", "created_at"),
        note="The texts people agreed to: the portal's own words, nothing personal."),
    TableEntry(
        "mailings", "none", "none", "none", Erasure.NONE,
        other=("id", "list_id", "subject", "recipient_count", "created_at")),
    TableEntry(
        "trainings", "none", "none", "none", Erasure.NONE,
        other=("id", "title", "starts_on", "ends_on", "hours", "is_bev_recognised",
               "is_vov_recognised", "odb_number", "modules", "exam_on", "is_per_school_year",
               "created_at")),
    TableEntry(
        "training_periods", "none", "none", "none", Erasure.NONE,
        other=("id", "training_id", "starts_on", "ends_on")),
    TableEntry(
        "enrolments", "training", "contract", "enrolment", Erasure.DELETE_ROW,
        personal=("participant_name", "participant_email", "organisation_name", "surname",
                  "given_name", "birthplace", "birth_date", "residence"),
        other=("id", "training_id", "contact_id", "organisation_id", "link_nonce",
               "created_at", "enrolled_at", "consent_given_at", "consent_withdrawn_at",
               "data_erased_at"),
        links={Subject.PARTICIPANT: "id", Subject.CONTACT: "contact_id"},
        note="The five education-leave fields only with consent (basis: consent); the "
             "enrolment itself is the training the person asked for."),
    TableEntry(
        "attestation_deliveries", "education_leave", "consent", "education_leave",
        Erasure.NONE,
        personal=("mail_error",),
        other=("id", "enrolment_id", "kind", "period_id", "attestation_key",
               "period_starts_on", "period_ends_on", "queued_at", "queued_by_user_id",
               "outbox_mail_id", "delivered_at", "mail_failed_at"),
        links={Subject.PARTICIPANT: "enrolment_id"},
        note="Goes with its enrolment; a mail server's error may quote the address."),
    TableEntry(
        "attended_hours", "education_leave", "consent", "education_leave",
        Erasure.DELETE_ROW,
        personal=("hours",),
        other=("id", "enrolment_id", "period_starts_on", "period_ends_on", "recorded_at",
               "recorded_by_user_id"),
        links={Subject.PARTICIPANT: "enrolment_id"},
        note="The hours a participant attended per period, for the attestations (VOV reports "
             "them to the department); erased with the five education-leave fields."),
    TableEntry(
        "primary_transfers", "membership", "legitimate_interest", "membership",
        Erasure.DELETE_ROW,
        other=("id", "organisation_id", "from_contact_id", "to_contact_id", "created_at",
               "expires_at", "accepted_at", "withdrawn_at"),
        links={Subject.CONTACT: "to_contact_id"},
        note="A proposal to the removed person goes; one by them loses its link."),
    TableEntry(
        "confirmation_campaigns", "annual_confirmation", "legitimate_interest", "membership",
        Erasure.UNLINK,
        other=("id", "year", "deadline", "opened_at", "closed_at", "opened_by_user_id"),
        links={Subject.LOGIN: "opened_by_user_id"}, cleared=("opened_by_user_id",)),
    TableEntry(
        "confirmations", "annual_confirmation", "legitimate_interest", "membership",
        Erasure.CLEAR,
        personal=("confirmed_by_name",),
        other=("id", "campaign_id", "organisation_id", "invited_at", "last_reminded_at",
               "final_reminder_at", "progress", "changes", "has_changes", "confirmed_at",
               "confirmed_by_contact_id", "mailing_lease_until"),
        links={Subject.CONTACT: "confirmed_by_contact_id",
               Subject.ORGANISATION: "organisation_id"},
        cleared=("confirmed_by_name", "confirmed_by_contact_id"),
        note="That the organisation confirmed stays; who confirmed goes with the person."),
    TableEntry(
        "audit_events", "accountability", "legitimate_interest", "audit", Erasure.UNLINK,
        personal=("actor_label",),
        other=("id", "at", "actor_user_id", "action", "target_type", "target_id",
               "organisation_id", "fields"),
        links={Subject.LOGIN: "actor_user_id"},
        cleared=("actor_user_id",), anonymised={"actor_label": "verwijderde persoon"},
        note="The event stays, the person goes: actor and target lose their link."),
    TableEntry(
        "outbox_mails", "mail_delivery", "legitimate_interest", "mail", Erasure.DELETE_ROW,
        personal=("recipient", "subject", "body_text", "body_html", "headers", "last_error"),
        other=("id", "kind", "created_at", "attempts", "next_attempt_at", "lease_until",
               "sent_at", "failed_at"),
        note="Found by recipient and by what the body says of the person."),
    TableEntry(
        "data_breaches", "privacy_duties", "legal_obligation", "audit", Erasure.UNLINK,
        other=("id", "title", "description", "discovered_at", "data_categories",
               "risk_level", "risk_assessment", "authority_notified_at",
               "authority_reference", "subjects_notified_at", "subjects_notified_count",
               "closed_at", "created_at", "created_by_user_id"),
        links=_STAFF_LINK, cleared=("created_by_user_id",),
        note="Describes incidents, never the people involved (staff write no names)."),
    TableEntry(
        "breach_organisations", "privacy_duties", "legal_obligation", "audit", Erasure.NONE,
        other=("breach_id", "organisation_id")),
    TableEntry(
        "jobs", "none", "none", "none", Erasure.UNLINK,
        other=("id", "kind", "payload", "created_at", "run_after", "lease_until",
               "started_at", "finished_at", "attempts", "last_error", "done", "total",
               "created_by_user_id"),
        links=_STAFF_LINK, cleared=("created_by_user_id",),
        note="The back office's work queue: ids and options only."),
    TableEntry(
        "erasure_journal", "privacy_duties", "legal_obligation", "journal", Erasure.NONE,
        other=("id", "subject_kind", "keyed_hash", "reason", "erased_at"),
        note="That somebody was erased, as a keyed hash: replayed after restoring a backup."),
    TableEntry(
        "newsletter_suppressions", "newsletters", "legitimate_interest", "subscription",
        Erasure.NONE,
        other=("keyed_hash", "created_at"),
        note="A keyed hash of an address that left every list, so no import re-adds it."),
)

BY_TABLE = {entry.table: entry for entry in DATA_MAP}


def entry_for(table: str) -> TableEntry:
    return BY_TABLE[table]


def entries_linked_to(subject: Subject) -> list[TableEntry]:
    """The tables with rows that belong to a person of this kind, in the map's order."""
    return [entry for entry in DATA_MAP if subject in entry.links]


def personal_columns() -> dict[str, tuple[str, ...]]:
    return {entry.table: entry.personal for entry in DATA_MAP if entry.personal}
