"""Dutch words for the machine names people would otherwise read: audit actions, the kind of
object an event is about, column names, consent channels and purposes.

Machine names stay in the database, the exports and the JSON download; pages show these
labels (Jinja filters `action_label`, `object_label`, `field_label`, `channel_label`,
`purpose_label`). A name without a label is shown as it is, and the browser suite's words
check then reports it as a raw code: add it here.
"""

from portal.i18n import lazy_gettext as _l

ACTION_LABELS = {
    "breach.authority_notified": _l("data breach reported to the authority"),
    "breach.closed": _l("data breach closed"),
    "breach.recorded": _l("data breach recorded"),
    "breach.subjects_notified": _l("people concerned told about a data breach"),
    "confirmation.confirmed": _l("annual confirmation done"),
    "confirmation_campaign.exported": _l("confirmation campaign exported"),
    "confirmation_campaign.opened": _l("confirmation campaign opened"),
    "confirmation_campaign.viewed": _l("confirmation campaign viewed"),
    "contact.added": _l("contact person added"),
    "contact.created": _l("contact person created"),
    "contact.details_confirmed": _l("own contact details confirmed"),
    "contact.imported": _l("contact person imported"),
    "contact.removed": _l("contact person removed"),
    "contact.updated": _l("contact person changed"),
    "education_leave.attestation_delivered": _l("attestation delivered"),
    "education_leave.attestation_viewed": _l("attestation viewed"),
    "education_leave.consent_given": _l("consent for education leave given"),
    "education_leave.consent_withdrawn": _l("consent for education leave withdrawn"),
    "education_leave.enrolled": _l("participant enrolled"),
    "education_leave.erased_by_retention": _l("education-leave details erased after the term"),
    "education_leave.exported": _l("participants exported"),
    "education_leave.link_renewed": _l("new personal link mailed"),
    "education_leave.training_created": _l("training created"),
    "invitation.accepted": _l("invitation accepted"),
    "invitation.sent": _l("invitation sent"),
    "login.failure": _l("failed log-in"),
    "login.locked": _l("log-in blocked after failed attempts"),
    "login.recovery_code_used": _l("logged in with a recovery code"),
    "login.success": _l("logged in"),
    "logout": _l("logged out"),
    "newsletter.export": _l("newsletter subscribers exported"),
    "newsletter.right_applied": _l("newsletter right applied"),
    "organisation.membership_ended": _l("membership ended"),
    "organisation.updated": _l("organisation data changed"),
    "password.changed": _l("password changed"),
    "password.reset": _l("password reset"),
    "password.reset_requested": _l("password reset asked for"),
    "personal_data.downloaded": _l("own data downloaded"),
    "primary_transfer.accepted": _l("primary role accepted"),
    "primary_transfer.declined": _l("primary role declined"),
    "primary_transfer.proposed": _l("primary role proposed"),
    "primary_transfer.replaced": _l("proposal for the primary role replaced"),
    "primary_transfer.withdrawn": _l("proposal for the primary role withdrawn"),
    "retention.audit_events_pruned": _l("old log lines erased"),
    "retention.organisations_erased": _l("data of former members erased"),
    "sessions.ended": _l("logged out on other devices"),
    "staff.created": _l("staff login created"),
    "staff.viewed_personal_data": _l("personal data viewed by staff"),
    "totp.disabled": _l("two-step verification switched off"),
    "totp.enabled": _l("two-step verification switched on"),
    "totp.recovery_codes_renewed": _l("new recovery codes made"),
    "user.deactivated": _l("login switched off"),
}

OBJECT_LABELS = {
    "attestation_deliveries": _l("attestation"),
    "confirmation_campaigns": _l("confirmation campaign"),
    "confirmations": _l("annual confirmation"),
    "contacts": _l("contact person"),
    "data_breaches": _l("data breach"),
    "enrolments": _l("enrolment"),
    "mailings": _l("mailing"),
    "organisations": _l("organisation"),
    "primary_transfers": _l("proposal for the primary role"),
    "subscribers": _l("subscriber"),
    "trainings": _l("training"),
    "users": _l("login"),
}

FIELD_LABELS = {
    "audit_events": _l("log lines"),
    "authority_notified_at": _l("reported to the authority on"),
    "authority_reference": _l("file number of the authority"),
    "bic": _l("BIC"),
    "birth_date": _l("date of birth"),
    "birthplace": _l("place of birth"),
    "closed_at": _l("closed on"),
    "confirmed_by_name": _l("confirmed by"),
    "delivered_at": _l("delivered on"),
    "display_name": _l("name"),
    "email": _l("email address"),
    "employee_count": _l("number of employees"),
    "enterprise_number": _l("enterprise number"),
    "first_name": _l("first name"),
    "fte": _l("FTE"),
    "function": _l("function"),
    "given_name": _l("first name"),
    "has_advice_right": _l("advice right"),
    "has_newsletter_right": _l("newsletter right"),
    "has_website_right": _l("website right"),
    "iban": _l("IBAN"),
    "is_primary": _l("primary contact"),
    "joint_committee": _l("joint committee"),
    "last_name": _l("last name"),
    "link_nonce": _l("personal link"),
    "membership_ended_on": _l("end of membership"),
    "municipality": _l("municipality"),
    "name": _l("name"),
    "organisation_name": _l("organisation"),
    "organisations": _l("organisations"),
    "participant_email": _l("email address"),
    "participant_name": _l("name"),
    "phone": _l("phone"),
    "postal_code": _l("postal code"),
    "residence": _l("place of residence"),
    "street": _l("street and number"),
    "subjects_notified_at": _l("people concerned told on"),
    "subjects_notified_count": _l("number of people told"),
    "subscriptions": _l("subscriptions"),
    "surname": _l("surname"),
    "to_contact_id": _l("proposed person"),
}

CHANNEL_LABELS = {
    "web_form": _l("form on the website"),
    "mail_link": _l("link in a mail"),
    "primary_contact": _l("by the primary contact"),
    "portal": _l("in the portal"),
    "personal_link": _l("personal link"),
}

CONSENT_ACTION_LABELS = {
    "given": _l("given"),
    "withdrawn": _l("withdrawn"),
}


def _label(labels: dict, name) -> str:
    if name is None or name == "":
        return ""
    label = labels.get(str(name))
    return str(label) if label is not None else str(name)


def action_label(name) -> str:
    """An audit action, or a consent record's action ("given", "withdrawn")."""
    return _label(ACTION_LABELS if str(name) in ACTION_LABELS else CONSENT_ACTION_LABELS, name)


def object_label(name) -> str:
    return _label(OBJECT_LABELS, name)


def channel_label(name) -> str:
    return _label(CHANNEL_LABELS, name)


def consent_action_label(name) -> str:
    return _label(CONSENT_ACTION_LABELS, name)


def field_label(name) -> str:
    """A column name in words; "audit_events=12" (a count) keeps its number."""
    text = str(name)
    key, sign, count = text.partition("=")
    return f"{_label(FIELD_LABELS, key)}: {count}" if sign else _label(FIELD_LABELS, key)


def field_labels(names) -> str:
    return ", ".join(field_label(name) for name in names or ())


def purpose_label(purpose) -> str:
    """ "newsletter:e-zine" -> "nieuwsbrieven (e-zine)"; "education_leave" -> words."""
    text = str(purpose or "")
    kind, _colon, detail = text.partition(":")
    if kind == "newsletter":
        return f"{_l('newsletters')} ({detail})" if detail else str(_l("newsletters"))
    if kind == "education_leave":
        return str(_l("education leave"))
    return text


FILTERS = {
    "action_label": action_label,
    "object_label": object_label,
    "field_label": field_label,
    "field_labels": field_labels,
    "channel_label": channel_label,
    "consent_action_label": consent_action_label,
    "purpose_label": purpose_label,
}
