"""The portal's base form: Flask-WTF's, with WTForms' own messages from a cached catalog.

Flask-WTF reads WTForms' catalog ("Not a valid integer value.") from disk on every request
that builds a form; parsing that .mo file was a fifth of the confirmation step's time. The
catalog does not change while the portal runs: it is loaded once per locale and process.
"""

import functools

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField
from wtforms.i18n import messages_path

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
