"""Invitations: the login follows the website right; a single-use link sets a first password.

Other flows never call in here to change a login: they send
portal.signals.contact_access_changed, and apply_website_right below reacts.
"""

import hashlib

from flask import current_app

from portal import clock
from portal.audit import record_event
from portal.auth.passwords import check_new_password, set_password
from portal.auth.sessions import end_all_sessions
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Contact, User
from portal.signals import contact_access_changed
from portal.tokens import InvalidToken, make_token, read_token

INVITATION_VALID_DAYS = 7
INVITATION_MAX_AGE = INVITATION_VALID_DAYS * 24 * 3600


def invitation_fingerprint(user: User) -> str:
    """Changes when a password is set or a new invitation is sent: each link works once."""
    invited = int(user.invited_at.timestamp()) if user.invited_at else 0
    material = f"{user.password_hash or ''}|{invited}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def invite(user: User, actor: User | None) -> None:
    """Mail a link (valid 7 days, single use) to set a first password."""
    user.invited_at = clock.now()
    token = make_token("invitation", {"user": user.id, "check": invitation_fingerprint(user)})
    organisation = user.contact.organisation.name if user.contact else None
    queue_mail(
        user.email,
        "invitation",
        _("Your access to the member portal of %(federation)s",
          federation=current_app.config["FEDERATION_NAME"]),
        name=user.name,
        organisation=organisation,
        inviter=actor.name if actor is not None else None,
        link=external_url("auth.accept_invitation", token=token),
        valid_days=INVITATION_VALID_DAYS,
    )
    record_event("invitation.sent", actor=actor, target=user,
                 organisation_id=user.organisation_id)


def resend_invitation(user: User, actor: User) -> None:
    """Staff, or the primary contact of the person's organisation, send a new invitation.

    The previous link stops working. Refused for someone who already chose a password (they
    use 'Forgotten password') or has no website right.
    """
    allowed = actor.is_staff or (
        actor.is_primary_contact and actor.organisation_id is not None
        and actor.organisation_id == user.organisation_id)
    if not allowed:
        raise PolicyError(_("Only staff and the primary contact can send an invitation."))
    if user.password_hash is not None:
        raise PolicyError(_("This person already chose a password. They can use "
                            "'Forgotten password' on the login page."))
    if not user.is_active:
        raise PolicyError(_("This person has no access to the website."))
    invite(user, actor)


def user_for_invitation(token: str) -> User:
    """The invited user of a valid, unused invitation link; InvalidToken otherwise."""
    payload = read_token("invitation", token, max_age=INVITATION_MAX_AGE)
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or payload.get("check") != invitation_fingerprint(user):
        raise InvalidToken()
    return user


def accept_invitation(user: User, password: str) -> None:
    """Set the first password of an invited person; the link stops working."""
    check_new_password(password, user)
    set_password(user, password)
    record_event("invitation.accepted", actor=user, target=user,
                 organisation_id=user.organisation_id)


@contact_access_changed.connect
def apply_website_right(contact: Contact, actor: User | None = None) -> None:
    """Keep the contact's login in line with the website right and the contact's email.

    Given the right: a login without password is created (or re-enabled) and an invitation
    mailed. Right taken away: every session of the person ends at once. Connected to
    portal.signals.contact_access_changed, which the roster, the back office and the import
    send; it runs in their transaction.
    """
    user = contact.user
    if contact.has_website_right:
        if user is None:
            user = User(email=contact.email, contact=contact)
            db.session.add(user)
            db.session.flush()
            invite(user, actor)
        elif user.email != contact.email:
            user.email = contact.email
        if user.password_hash is None and user.invited_at is None:
            invite(user, actor)
    elif user is not None:
        end_all_sessions(user)
