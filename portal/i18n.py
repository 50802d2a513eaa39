"""Locale selection and the Belgian formats used in templates."""

from datetime import date, datetime

import phonenumbers
from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, format_decimal

from portal.extensions import babel


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
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


def format_phone(e164: str | None) -> str:
    """E.164 as a Belgian reader expects it: 02 511 22 33 (international for foreign numbers)."""
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
    if value is None:
        return ""
    return format_date(value, fmt)


def format_moment(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        kbo=format_kbo,
        iban=format_iban,
        phone=format_phone,
        day=format_day,
        moment=format_moment,
        decimal=format_decimal,
    )
