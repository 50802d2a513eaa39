"""Two-step verification: TOTP codes (never accepted twice) and single-use recovery codes."""

import base64
import hashlib
import hmac
import json
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app

from portal import clock
from portal.audit import record_event
from portal.auth.sessions import mark_second_factor_done
from portal.auth.throttle import account_locked, is_locked, record_failed_login
from portal.errors import PolicyError
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import User
from portal.passwords import normalise_password

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


def begin_totp_setup(user: User) -> str:
    """The secret to put in an authenticator app; kept until a first code confirms it."""
    if user.totp_enabled_at is not None:
        raise PolicyError(_("Two-step verification is already switched on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def totp_uri(user: User) -> str:
    issuer = f"{current_app.config['FEDERATION_NAME']} Ledenportaal"
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data: URI for an <img> (the CSP allows data: images)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _clean_code(code: str | None) -> str:
    return "".join(ch for ch in normalise_password(code).lower() if ch.isalnum())


def _verify_totp(user: User, code: str) -> bool:
    """A current code (one step of clock drift allowed) that was not used before."""
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current_step = int(clock.now().timestamp()) // totp.interval
    for step in (current_step - 1, current_step, current_step + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed
            user.totp_last_step = step
            return True
    return False


def _hash_recovery_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def new_recovery_codes(user: User) -> list[str]:
    """Fresh recovery codes in plain text (shown once); only their hashes are kept."""
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
             for _ in range(RECOVERY_CODE_COUNT)]
    user.recovery_code_hashes = json.dumps([_hash_recovery_code(code) for code in codes])
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def recovery_codes_left(user: User) -> int:
    return len(json.loads(user.recovery_code_hashes or "[]"))


def use_recovery_code(user: User, code: str) -> bool:
    """True, and the code is spent, when it is one of the person's unused recovery codes."""
    hashes = json.loads(user.recovery_code_hashes or "[]")
    cleaned = _clean_code(code)
    for stored in hashes:
        salt = stored.split("$", 1)[0]
        if hmac.compare_digest(stored, _hash_recovery_code(cleaned, salt)):
            hashes.remove(stored)
            user.recovery_code_hashes = json.dumps(hashes)
            record_event("login.recovery_code_used", actor=user, target=user,
                         organisation_id=user.organisation_id)
            return True
    return False


def confirm_totp_setup(user: User, code: str) -> list[str]:
    """Switch TOTP on with a first code; marks this session as two-step verified.

    Returns the recovery codes in plain text: shown once, only their hashes are kept.
    """
    if user.totp_enabled_at is not None:
        raise PolicyError(_("Two-step verification is already switched on."))
    if not _verify_totp(user, _clean_code(code)):
        raise PolicyError(_("This code is not correct. Type the 6 digits your app shows now."),
                          field="code")
    user.totp_enabled_at = clock.now()
    codes = new_recovery_codes(user)
    mark_second_factor_done()
    record_event("totp.enabled", actor=user, target=user, organisation_id=user.organisation_id)
    return codes


def verify_second_factor(user: User, code: str) -> bool:
    """The second login step: a TOTP code or an unused recovery code; failures are counted.

    Raises AccountLocked for a locked address. The person's row stays locked until the
    request commits, so the same code sent at the same moment to another process waits and
    then finds it used. A wrong code is counted like a wrong password: the caller answers
    False with the form (status 200), which commits the count.
    """
    if is_locked(user.email):
        raise account_locked()
    db.session.refresh(user, with_for_update=True)
    cleaned = _clean_code(code)
    if _verify_totp(user, cleaned) or use_recovery_code(user, cleaned):
        return True
    record_failed_login(user.email, reason="second_factor")
    return False


def disable_totp(user: User) -> None:
    """Contacts may switch two-step verification off again; staff not.

    The view asks the current password first (credentials.verify_current_password, which counts a
    wrong one) and calls this only when it was right.
    """
    if user.is_staff:
        raise PolicyError(_("Staff accounts always use two-step verification."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_code_hashes = None
    record_event("totp.disabled", actor=user, target=user, organisation_id=user.organisation_id)


def renew_recovery_codes(user: User) -> list[str]:
    """New recovery codes (the old ones stop working).

    The view asks the current password first (credentials.verify_current_password).
    """
    if user.totp_enabled_at is None:
        raise PolicyError(_("Two-step verification is not switched on."))
    codes = new_recovery_codes(user)
    record_event("totp.recovery_codes_renewed", actor=user, target=user,
                 organisation_id=user.organisation_id)
    return codes
