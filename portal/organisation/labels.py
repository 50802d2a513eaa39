"""The Dutch labels of an organisation's fields, in the form's order: one place for the
forms that ask them and the services that name what changed (the confirmation summary)."""

from portal.i18n import lazy_gettext as _l

ORGANISATION_LABELS = {
    "name": _l("Name of the organisation"),
    "enterprise_number": _l("Enterprise number"),
    "street": _l("Street and number"),
    "postal_code": _l("Postal code"),
    "municipality": _l("Municipality"),
    "phone": _l("Phone"),
    "email": _l("General email address"),
    "iban": _l("Bank account (IBAN)"),
    "bic": _l("BIC"),
    "employee_count": _l("Number of employees"),
    "joint_committee": _l("Joint committee"),
    "fte": _l("Full-time equivalents (FTE)"),
}

# The fields the services write, in the form's order.
DATA_FIELDS = tuple(ORGANISATION_LABELS)
