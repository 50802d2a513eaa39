"""The education-leave flow's public service functions (BEV / Vlaams opleidingsverlof).

The rules live in the modules named below; this module gathers what views, commands and
other flows call:
- trainings.py     trainings and enrolments (staff), the mail with the personal link
- links.py         the signed personal link of a participant, and their dashboard link
- consent.py       consent, the five fields, withdrawal (erases at once), the birth-date rule
- attestations.py  which attestations are due or delivered; the audit-logged exports
- retention.py     the five fields erased once no attestation can need them
"""

from portal.education_leave.attestations import (
    ATTENDANCE_DAYS,
    BEV_ENROLMENT_DAYS,
    AttestationDue,
    attestations_for,
    export_csv,
    mark_delivered,
    open_attestations,
    view_attestation,
)
from portal.education_leave.consent import (
    LeaveData,
    check_birth_date,
    consent_label,
    consent_paragraphs,
    consent_status,
    consent_text_version,
    has_leave_data,
    leave_data_problems,
    save_leave_data,
    withdraw_consent,
)
from portal.education_leave.links import (
    dashboard_token,
    enrolment_for_token,
    enrolments_of_contact,
    link_valid_until,
    make_participant_token,
    participant_url,
)
from portal.education_leave.retention import erase_expired_leave_data
from portal.education_leave.trainings import (
    TrainingData,
    create_training,
    enrol_participant,
    get_enrolment,
    get_training,
    list_trainings,
    send_new_link,
)
from portal.tokens import InvalidToken  # what enrolment_for_token raises

__all__ = [
    "ATTENDANCE_DAYS", "BEV_ENROLMENT_DAYS", "AttestationDue", "InvalidToken", "LeaveData",
    "TrainingData", "attestations_for", "check_birth_date", "consent_label",
    "consent_paragraphs", "consent_status", "consent_text_version", "create_training",
    "dashboard_token", "enrol_participant", "enrolment_for_token", "enrolments_of_contact",
    "erase_expired_leave_data", "export_csv", "get_enrolment", "get_training",
    "has_leave_data", "leave_data_problems", "link_valid_until", "list_trainings",
    "make_participant_token", "mark_delivered", "open_attestations", "participant_url",
    "save_leave_data", "send_new_link", "view_attestation", "withdraw_consent",
]
