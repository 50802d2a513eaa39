"""The portal's base form (Flask-WTF's, with WTForms' own messages from a cached catalog) and
the Belgian decimal field.

Flask-WTF reads WTForms' catalog ("Not a valid integer value.") from disk on every request
that builds a form; parsing that .mo file was a fifth of the confirmation step's time. The
catalog does not change while the portal runs: it is loaded once per locale and process.
"""

import functools
import re
from decimal import Decimal, InvalidOperation

from babel import support
from flask_babel import format_decimal, get_locale
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SubmitField
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from portal.i18n import lazy_gettext as _l


@functools.lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _wtforms_catalog(str(get_locale()))


class ConfirmForm(Form):
    """A POST button that only needs its CSRF token (remove, withdraw, mark as correct)."""

    submit = SubmitField(_l("Confirm"))


class VersionedForm(Form):
    """A form that edits a stored record: the hidden version guards against a lost update."""

    version = HiddenField()

    def version_for_service(self) -> int | None:
        """The version the editor started from; None when it is missing or not a number."""
        raw = self.version.data if "version" in self else None
        return int(raw) if isinstance(raw, str) and raw.isdigit() else None


_DECIMAL = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$|^[+-]?\d*([.,]\d+)?$")


def parse_belgian_decimal(text: str) -> Decimal:
    """ "9,5", "9.5", "1.234,5" and "1 234,5" -> Decimal; ValueError for anything else.

    A comma is the decimal sign; a dot is one too when it is the only separator ("9.5", as
    a phone keyboard or an English habit types it), and groups thousands when a comma
    follows ("1.234,5"). A browser's number input in another locale dropped the comma and
    stored "9,5" as 95: this field is plain text and parsed here.
    """
    compact = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not compact or not _DECIMAL.match(compact):
        raise ValueError(text)
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    try:
        return Decimal(compact)
    except InvalidOperation as error:  # pragma: no cover - the pattern lets none through
        raise ValueError(text) from error


class DecimalInput(TextInput):
    """type="text" inputmode="decimal": the phone shows digits and a comma; the browser does
    not reinterpret what was typed. Shows what was typed, else the value as Belgians write
    it (9,5; no thousands dots, which would read back as decimals)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", "decimal")
        if "value" not in kwargs:
            if field.raw_data:
                kwargs["value"] = field.raw_data[0]
            elif field.data is not None:
                kwargs["value"] = format_decimal(field.data, format="0.##")
            else:
                kwargs["value"] = ""
        return super().__call__(field, **kwargs)


class BelgianDecimalField(Field):
    """A decimal number typed the Belgian way ("9,5") or with a dot ("9.5")."""

    widget = DecimalInput()

    def __init__(self, label=None, validators=None, places: int = 2, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.message = message or _l("Enter a number, e.g. 9,5.")

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            value = parse_belgian_decimal(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(str(self.message)) from None
        if value.as_tuple().exponent < -self.places:
            self.data = None
            raise ValueError(str(_l("Use at most %(places)d decimals.", places=self.places)))
        self.data = value

    def pre_validate(self, form):
        if self.process_errors:  # not a number: one message, not also "between 0 and ..."
            raise StopValidation()
