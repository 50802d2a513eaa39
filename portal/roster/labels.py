"""The Dutch labels of a contact's fields, in the form's order: one place for the forms that
ask them and the services that name what changed (the confirmation summary)."""

from portal.i18n import lazy_gettext as _l

CONTACT_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Professional email address"),
    "phone": _l("Professional phone"),
    "function": _l("Function"),
    "has_advice_right": _l("May ask the advice service questions"),
    "has_newsletter_right": _l("Receives newsletters and invitations"),
    "has_website_right": _l("May log in to the member portal"),
}

# What a contact may correct about themself: not their email or rights.
DETAIL_FIELDS = ("first_name", "last_name", "phone", "function")
# What the primary contact manages: the details, the email and the access rights.
DATA_FIELDS = tuple(CONTACT_LABELS)
