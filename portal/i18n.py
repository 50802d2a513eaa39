"""Locale selection and the Belgian formats used in templates."""

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import flask_babel
import phonenumbers
from babel import Locale
from flask import Flask, current_app, g, has_app_context, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup

from portal.extensions import babel


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if len(supported) == 1:
        return supported[0]  # one language: no Accept-Language to parse on every request
    if request:
        best = request.accept_languages.best_match(supported)
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def format_kbo(number: str | None) -> str:
    """0448444064 -> 0448.444.064 (python-stdnum validates but does not format it)."""
    if not number:
        return ""
    digits = "".join(ch for ch in number if ch.isdigit()).zfill(10)
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def format_iban(iban: str | None) -> str:
    if not iban:
        return ""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@functools.lru_cache(maxsize=8192)
def format_phone(e164: str | None) -> str:
    """E.164 as a Belgian reader expects it: 02 511 22 33 (international for foreign numbers).

    Cached per process: phonenumbers needs about 100 us per number, 5 ms for a 50-row roster.
    """
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "BE")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 32
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def format_day(value: date | datetime | None, fmt: str = "long") -> str:
    """A day as Belgians write it ("26 november 2026"); a moment on its Belgian day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _formatted_day(value, fmt, _locale_name())


def _locale_name() -> str:
    """The request's locale as a string, from Flask-Babel's per-request slot when it is set."""
    if has_app_context():
        context = getattr(g._get_current_object(), "_flask_babel", None)  # noqa: SLF001
        locale = getattr(context, "babel_locale", None)
        if locale is not None:
            return str(locale)
    return str(get_locale())


def _local(moment: datetime) -> datetime:
    """The moment on the portal's clock (a naive moment is UTC, as Flask-Babel reads it).

    zoneinfo directly: Flask-Babel's to_user_timezone looks the zone up through the request
    context and pytz on every call; the portal has one zone, from the configuration.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


@functools.lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@functools.lru_cache(maxsize=4096)
def _formatted_day(day: date, fmt: str, locale: str) -> str:
    # Babel parses the pattern on every call (~30 us); a staff table shows the same few days
    # on every row. `locale` is part of the key: the current locale formats it.
    return format_date(day, fmt)


def format_moment(value: datetime | None, fmt: str = "medium") -> str:
    """A moment on the Belgian clock: "26 nov 2026, 09:52:51".

    Babel's format_datetime takes ~23 us (a 50-row audit log: 1 ms). For the medium format
    the date part comes from the day cache and the time from strftime when the locale writes
    time as HH:mm:ss, which is exactly what Babel would write; other formats go to Babel.
    """
    if value is None:
        return ""
    locale = _locale_name()
    glue = _medium_datetime_glue(locale) if fmt == "medium" else None
    if glue is None:
        return format_datetime(value, fmt)
    local = _local(value)
    return (glue.replace("{0}", local.strftime("%H:%M:%S"))
            .replace("{1}", _formatted_day(local.date(), "medium", locale)))


@functools.lru_cache(maxsize=16)
def _medium_datetime_glue(locale: str) -> str | None:
    """The locale's medium date-time pattern ("{1}, {0}") when its time is HH:mm:ss."""
    parsed = Locale.parse(locale)
    if parsed.time_formats["medium"].pattern != "HH:mm:ss":
        return None
    return parsed.datetime_formats["medium"].replace("'", "")


def _request_translations():
    """The catalog of this request, looked up once per request.

    Flask-Babel 4 resolves context, locale and catalog again for every string (about 40 us
    each on the benchmark machine): a 50-row table with translated cell labels would spend
    milliseconds on it. The per-request slot is the one Flask-Babel's own `refresh()` and
    `force_locale()` clear, so both keep working.
    """
    if not has_app_context():
        return get_translations()
    # Flask-Babel keeps its per-request state in g._flask_babel; one look-up through the `g`
    # proxy instead of the three of flask_babel._get_current_context().
    context = getattr(g._get_current_object(), "_flask_babel", None)  # noqa: SLF001
    if context is None:
        context = flask_babel._get_current_context()  # noqa: SLF001 - creates the slot
    translations = getattr(context, "babel_translations", None)
    if translations is None:
        translations = context.babel_translations = get_translations()
    return translations


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext through the per-request catalog (see _request_translations)."""
    translated = _request_translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _request_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A label translated when shown (form labels, menu items), through the fast path."""
    return LazyString(gettext, string, **variables)


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    """`_()` in templates: Jinja's new-style gettext (Markup, always %-formatted), minus its
    two extra layers of context calls; pages call it 30-50 times."""
    translated = _request_translations().ugettext(string)
    if eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 - our catalog, trusted as Jinja i18n does
    return translated % variables


def _install_fast_gettext(app: Flask) -> None:
    if not hasattr(flask_babel, "_get_current_context"):
        return  # another Flask-Babel: keep its own (slower) callables
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = _template_gettext


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    _install_fast_gettext(app)
    app.jinja_env.filters.update(
        kbo=format_kbo,
        iban=format_iban,
        phone=format_phone,
        day=format_day,
        moment=format_moment,
        decimal=format_decimal,
    )
