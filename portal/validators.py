"""Validation and normalisation of Belgian data, shared by every form that holds it.

Forms check the shape with these validators; services store the normalised value.
"""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import vat
from wtforms.validators import StopValidation, ValidationError

from portal.i18n import lazy_gettext as _l

# Bidirectional overrides and other invisible formatting characters that can disguise text.
_FORBIDDEN_FORMAT_CHARS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                           "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"}


def clean_text(value):
    """Filter for free-text fields: NFC-normalised and stripped; None stays None."""
    if value is None or not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value).strip()


def has_control_characters(value: str) -> bool:
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in "\t") or ch in _FORBIDDEN_FORMAT_CHARS
        for ch in value
    )


class PlainText:
    """One line of text without control or bidi characters (no header injection, no disguise)."""

    def __init__(self, message=None):
        self.message = message or _l("This field contains characters that are not allowed.")

    def __call__(self, form, field):
        if field.data and has_control_characters(str(field.data)):
            raise ValidationError(self.message)


def normalise_email(value: str | None) -> str:
    """The one form of an email address, stored and looked up: NFKC, stripped, lower case.

    Never raises: the login and its throttle normalise whatever was typed, so that
    "Lies@Org.BE ", "lies@org.be" and its full-width twin are one address everywhere. Whether
    the text is an address at all is check_email's question (and the EmailAddress validator's).
    """
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def check_email(value: str) -> str:
    """normalise_email(value) when that is a valid address; EmailNotValidError otherwise."""
    email = normalise_email(value)
    validate_email(email, check_deliverability=False)
    return email


class EmailAddress:
    def __init__(self, message=None):
        self.message = message or _l("Enter a valid email address, e.g. naam@organisatie.be.")

    def __call__(self, form, field):
        if not field.data:
            return
        if has_control_characters(field.data):
            raise StopValidation(self.message)
        try:
            check_email(field.data)
        except EmailNotValidError:
            raise StopValidation(self.message)


def normalise_enterprise_number(value: str) -> str:
    return vat.compact(value).removeprefix("BE")


class EnterpriseNumber:
    """Belgian enterprise number (KBO), e.g. 0448.444.064.

    Ten digits whose check digits do not match is a typing error, not a wrong format: the
    message says so instead of asking for the format that was used.
    """

    def __call__(self, form, field):
        if not field.data or vat.is_valid(field.data):
            return
        digits = re.sub(r"[\s.\-/]", "", field.data).upper().removeprefix("BE")
        if digits.isdigit() and len(digits) in (9, 10):
            raise ValidationError(_l("This enterprise number does not exist: one of its digits "
                                     "is wrong. Check the number."))
        raise ValidationError(
            _l("This is not a valid enterprise number. Use the format 0448.444.064.")
        )


class AtMost:
    """This number may not be larger than another field's (FTE at most the employees)."""

    def __init__(self, other: str, message):
        self.other, self.message = other, message

    def __call__(self, form, field):
        other = form[self.other].data
        if field.data is not None and other is not None and not form[self.other].errors \
                and field.data > other:
            raise ValidationError(self.message)


def normalise_iban(value: str) -> str:
    return IBAN(value).compact


def suggested_bic(iban: str) -> str | None:
    """The BIC of a Belgian IBAN's bank, when known (not for every bank code)."""
    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return None
    return bic.compact if bic else None


class Iban:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            IBAN(field.data)
        except (SchwiftyException, ValueError):
            raise ValidationError(
                _l("This is not a valid IBAN. Check the number, e.g. BE68 5390 0754 7034.")
            )


def normalise_bic(value: str) -> str:
    return BIC(value.replace(" ", "").upper()).compact


class Bic:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            normalise_bic(field.data)
        except (SchwiftyException, ValueError):
            raise ValidationError(
                _l("This is not a valid BIC. It has 8 or 11 characters, e.g. GEBABEBB.")
            )


def normalise_phone(value: str) -> str:
    """E.164 for storage; Belgian numbers may be given without country code."""
    number = phonenumbers.parse(value, "BE")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumber:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            number = phonenumbers.parse(field.data, "BE")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(
                _l("This is not a valid phone number, e.g. 02 511 22 33 or 0470 12 34 56.")
            )


_POSTAL_CODE = re.compile(r"^[1-9][0-9]{3}$")


class BelgianPostalCode:
    def __call__(self, form, field):
        if field.data and not _POSTAL_CODE.match(field.data.strip()):
            raise ValidationError(_l("A Belgian postal code has 4 digits, e.g. 1000."))


_JOINT_COMMITTEE = re.compile(r"^[1-3][0-9]{2}(\.[0-9]{2})?$")


class JointCommittee:
    def __call__(self, form, field):
        if field.data and not _JOINT_COMMITTEE.match(field.data.strip()):
            raise ValidationError(_l("Give the joint committee as a number, e.g. 329.01."))
