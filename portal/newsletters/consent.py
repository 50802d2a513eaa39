"""The newsletters' consent log: the texts a person sees, their versions, the appended records.

Every change of a subscription appends a ConsentRecord (never edited) that names the channel
and the hash of the exact text the person saw; the text itself is kept once in consent_texts.
"""

import hashlib

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import ConsentRecord, ConsentText, NewsletterList

# Channels of the consent log (ConsentRecord.channel).
CHANNEL_WEB_FORM = "web_form"
CHANNEL_MAIL_LINK = "mail_link"
CHANNEL_PRIMARY_CONTACT = "primary_contact"

# The texts a person sees when a subscription changes; their hash is the text version.
SIGNUP_CONSENT_TEXT = _l(
    "I agree that Sociare uses my name, organisation and email address to send me the "
    "newsletters I ticked above, until I unsubscribe. I can unsubscribe at any moment through "
    "the link in every mail."
)
PREFERENCES_TEXT = _l(
    "As a contact person of a member organisation you receive the lists below because your "
    "primary contact gave you the newsletter right. You decide yourself which ones you "
    "actually receive: switch a list off and you receive nothing more of it, switch it on "
    "again whenever you like."
)
UNSUBSCRIBE_TEXT = _l(
    "Untick a list and save to receive nothing more of it. Tick it to receive it again."
)
ONE_CLICK_TEXT = _l("One-click unsubscribe from the link in a newsletter mail.")
RIGHT_TEXT = _l(
    "The primary contact of your organisation gave or took away your newsletter right."
)


def text_version(text) -> str:
    """The hash of the exact text shown; the text itself is kept once in consent_texts."""
    shown = str(text)
    version = hashlib.sha256(shown.encode("utf-8")).hexdigest()
    if db.session.get(ConsentText, version) is None:
        db.session.add(ConsentText(text_version=version, text=shown))
        db.session.flush()
    return version


def log_consent(owner_fields: dict, newsletter_list: NewsletterList, action: str, channel: str,
                version: str) -> None:
    """Append one record: `action` is "given" or "withdrawn"; owner_fields name the person."""
    db.session.add(
        ConsentRecord(
            purpose=f"newsletter:{newsletter_list.slug}",
            action=action,
            channel=channel,
            text_version=version,
            **owner_fields,
        )
    )
