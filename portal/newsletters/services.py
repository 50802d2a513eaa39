"""The newsletters flow's public service functions, for its views, other flows and commands.

The rules live in the modules named below; this module only gathers what others may call:
- consent.py        the texts a person sees, their versions, the append-only consent log
- subscriptions.py  whose a subscription is (Person) and how one switches on or off
- lists.py          the lists themselves (the four of the privacy policy, lists added later)
- preferences.py    a person's own choice, and the roster's newsletter right
- recipients.py     who receives a list now; the staff overview and export
- links.py          signed unsubscribe and manage links that work without logging in
- signup.py         the public sign-up with double opt-in (and its retention)
- mailing.py        starting a mailing; jobs.py sends it in batches
"""

from portal.newsletters.consent import (
    CHANNEL_MAIL_LINK,
    CHANNEL_PRIMARY_CONTACT,
    CHANNEL_WEB_FORM,
    ONE_CLICK_TEXT,
    PREFERENCES_TEXT,
    RIGHT_TEXT,
    SIGNUP_CONSENT_TEXT,
    UNSUBSCRIBE_TEXT,
    text_version,
)
from portal.newsletters.links import (
    MANAGE_PURPOSE,
    UNSUBSCRIBE_PURPOSE,
    LinkHolder,
    key_of,
    one_click_unsubscribe,
    read_link,
    save_link_preferences,
    send_manage_link,
    unsubscribe_token,
)
from portal.newsletters.lists import (
    DEFAULT_LISTS,
    active_lists,
    add_list,
    ensure_default_lists,
    get_active_list,
)
from portal.newsletters.mailing import send_mailing, unsubscribe_headers
from portal.newsletters.preferences import (
    apply_newsletter_right,
    lists_and_choice,
    save_contact_preferences,
    set_preferences,
    subscribed_list_ids,
)
from portal.newsletters.recipients import (
    current_subscribers,
    export_subscribers_csv,
    list_overview,
)
from portal.newsletters.signup import (
    CONFIRM_PURPOSE,
    confirm_sign_up,
    erase_unconfirmed_sign_ups,
    read_confirmation,
    sign_up,
)
from portal.newsletters.subscriptions import Person

__all__ = [
    "CHANNEL_MAIL_LINK", "CHANNEL_PRIMARY_CONTACT", "CHANNEL_WEB_FORM", "CONFIRM_PURPOSE",
    "DEFAULT_LISTS", "MANAGE_PURPOSE", "ONE_CLICK_TEXT", "PREFERENCES_TEXT", "RIGHT_TEXT",
    "SIGNUP_CONSENT_TEXT", "UNSUBSCRIBE_PURPOSE", "UNSUBSCRIBE_TEXT", "LinkHolder", "Person",
    "active_lists", "add_list", "apply_newsletter_right", "confirm_sign_up",
    "current_subscribers", "ensure_default_lists", "erase_unconfirmed_sign_ups",
    "export_subscribers_csv", "get_active_list", "key_of", "list_overview", "lists_and_choice",
    "one_click_unsubscribe", "read_confirmation", "read_link", "save_contact_preferences",
    "save_link_preferences", "send_mailing", "send_manage_link", "set_preferences", "sign_up",
    "subscribed_list_ids", "text_version", "unsubscribe_headers", "unsubscribe_token",
]
