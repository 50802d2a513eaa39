"""Choosing and changing a password: NIST rules with zxcvbn, Dutch reasons, set and change.

How a password is hashed and checked is portal.passwords (Argon2id).
"""

import secrets

from flask import current_app
from zxcvbn import zxcvbn

from portal import clock
from portal.audit import record_event
from portal.auth.sessions import end_other_sessions
from portal.auth.words import WORDS
from portal.email import external_url, queue_mail
from portal.errors import PolicyError
from portal.i18n import gettext as _
from portal.models import User
from portal.passwords import hash_password, normalise_password

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 256
# zxcvbn refuses more than 72 characters (its work grows with the length); a password whose
# first 72 characters are strong is strong.
ZXCVBN_MAX_LENGTH = 72


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()


def suggest_passphrase(words: int = 5) -> str:
    return " ".join(secrets.choice(WORDS) for _ in range(words))


def _personal_words(user: User | None) -> list[str]:
    """Words of the person's name, email and organisation that a password must not lean on."""
    if user is None:
        return []
    words: set[str] = set()
    local, _sep, domain = (user.email or "").partition("@")
    words.add(local)
    words.update(local.replace("_", ".").replace("-", ".").replace("+", ".").split("."))
    words.update(domain.split(".")[:-1])
    names = [user.display_name or ""]
    if user.contact is not None:
        names += [user.contact.first_name, user.contact.last_name,
                  user.contact.organisation.name if user.contact.organisation else ""]
    for name in names:
        parts = (name or "").lower().split()
        words.update(parts)
        words.add("".join(parts))
    words.update({"sociare", "ledenportaal", "portaal",
                  current_app.config["FEDERATION_NAME"].lower()})
    return sorted((word for word in words if len(word) >= 3), key=len, reverse=True)


def _dutch_warning(result: dict) -> str:
    """zxcvbn's English warning as our own Dutch sentence."""
    warning = result["feedback"].get("warning") or ""
    texts = {
        "Straight rows of keys are easy to guess.":
            _("Rows of keys next to each other (like 'qwerty') are easy to guess."),
        "Short keyboard patterns are easy to guess.":
            _("Keyboard patterns are easy to guess."),
        'Repeats like "aaa" are easy to guess.':
            _("Repeated characters (like 'aaa') are easy to guess."),
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
            _("A repeated word or pattern is hardly harder to guess than the word itself."),
        'Sequences like "abc" or "6543" are easy to guess.':
            _("Sequences like 'abc' or '6543' are easy to guess."),
        "Recent years are easy to guess.": _("Recent years are easy to guess."),
        "Dates are often easy to guess.": _("Dates are easy to guess."),
        "This is a top-10 common password.": _("This is one of the most used passwords."),
        "This is a top-100 common password.": _("This is one of the most used passwords."),
        "This is a very common password.": _("This is a very common password."),
        "This is similar to a commonly used password.":
            _("This looks like a commonly used password."),
        "A word by itself is easy to guess.": _("A single word is easy to guess."),
        "Names and surnames by themselves are easy to guess.":
            _("Names are easy to guess."),
        "Common names and surnames are easy to guess.": _("Common names are easy to guess."),
    }
    return texts.get(warning, _("This password is too easy to guess."))


def password_problems(password: str, user: User | None = None) -> list[str]:
    """Why a password is refused (Dutch), then a passphrase tip; empty when acceptable.

    NIST SP 800-63B rev. 4: length counts, composition rules do not; common, guessable and
    personal passwords are refused (zxcvbn, with the person's own words as extra input).
    """
    normalised = normalise_password(password)
    tip = _("Tip: a few loose words are strong and easy to remember, for example "
            "'%(example)s'.", example=suggest_passphrase())
    if len(normalised) < MIN_PASSWORD_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), tip]
    if len(normalised) > MAX_PASSWORD_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)]
    personal = _personal_words(user)
    sample = normalised[:ZXCVBN_MAX_LENGTH]
    result = zxcvbn(sample, user_inputs=personal)
    lowered = sample.lower()
    rest = lowered
    for word in personal:
        rest = rest.replace(word, "")
    if rest != lowered and (len(rest.strip()) < 8 or zxcvbn(rest)["score"] < 3):
        return [_("This password is built from your name, email address or organisation, "
                  "which others can guess."), tip]
    if result["score"] < 3:
        return [_dutch_warning(result), tip]
    return []


def check_new_password(password: str, user: User | None) -> None:
    problems = password_problems(password, user)
    if problems:
        raise PolicyError(" ".join(problems), field="password")


def queue_password_changed_mail(user: User, how: str) -> None:
    """Tell the person their password changed ("change" or "reset"), with a way back."""
    queue_mail(user.email, "password_changed", _("Your password was changed"),
               name=user.name, how=how, reset_link=external_url("auth.forgot_password"))


def change_password(user: User, new_password: str, keep_key: str | None) -> None:
    """A logged-in person's new password; other sessions end; a mail tells it.

    The view asks the current password first (credentials.verify_current_password, which counts a
    wrong one) and calls this only when it was right.
    """
    check_new_password(new_password, user)
    set_password(user, new_password)
    end_other_sessions(user, keep_key)
    queue_password_changed_mail(user, "change")
    record_event("password.changed", actor=user, target=user,
                 organisation_id=user.organisation_id)
