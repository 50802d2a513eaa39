"""Every user-visible message has a Dutch translation; pages render in Dutch."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations/nl/LC_MESSAGES/messages.po"


def _missing_translations(pot_path: Path) -> list[str]:
    with pot_path.open("rb") as handle:
        template = read_po(handle)
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = translated.string if translated else None
        if isinstance(strings, tuple):
            ok = all(strings)
        else:
            ok = bool(strings)
        if translated is None or not ok or translated.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_every_extracted_message_has_a_dutch_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        # Babel skips folders starting with "_" by default; templates/_macros holds texts too.
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--ignore-dirs", ".*",
         "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    missing = _missing_translations(pot)
    assert missing == [], f"untranslated or fuzzy: {missing[:10]}"


def test_catalog_test_notices_an_untranslated_message(tmp_path):
    # The check above must be able to fail: a message absent from the catalog is reported.
    pot = tmp_path / "messages.pot"
    pot.write_text('msgid ""\nmsgstr ""\n\nmsgid "A message nobody translated"\nmsgstr ""\n')
    assert _missing_translations(pot) == ["A message nobody translated"]


def test_login_page_is_dutch(client):
    page = client.get("/aanmelden").get_data(as_text=True)
    assert '<html lang="nl-BE">' in page
    assert "Aanmelden" in page and "Wachtwoord" in page and "E-mailadres" in page
    assert "Password" not in page and "Log in" not in page


def test_dates_and_money_are_formatted_for_belgium(app):
    from datetime import date

    from flask_babel import format_currency

    from portal.i18n import format_day

    with app.test_request_context():
        assert format_day(date(2026, 3, 14)) == "14 maart 2026"
        assert format_currency(1234.5, "EUR") == "€\xa01.234,50"


def test_moments_and_days_read_as_babel_writes_them(app):
    # portal.i18n formats days and moments from caches; Babel itself is the reference (its
    # medium moment without the seconds), across both changes of Belgian summer time and a
    # midnight in UTC that is a new day here.
    from datetime import UTC, datetime

    from flask_babel import format_date, format_datetime

    from portal.i18n import format_day, format_moment

    moments = [datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, 1,
               tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
               datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 12, 31, 23, 30,
               tzinfo=UTC), datetime(2027, 1, 1, 8, 5, 3)]
    with app.test_request_context():
        for moment in moments:
            babel_minute = format_datetime(moment, "medium").rsplit(":", 1)[0]
            assert format_moment(moment) == babel_minute, moment
            assert format_day(moment) == format_date(moment, "long"), moment
        assert format_moment(moments[4]) == "1 jan 2027, 00:30"
        assert format_day(moments[4]) == "1 januari 2027"


def _dutch_strings():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else " ".join(message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for dutch in strings:
            if dutch:
                yield english, dutch


def test_the_dutch_says_je_kunt_and_keeps_afmelden_for_logging_out():
    """Flemish "je kunt" (never "je kan"); "afmelden" only means logging out, leaving a list
    is "uitschrijven" (a page said "je meteen afmeldt, zonder aan te melden")."""
    import re

    kan = re.compile(r"\b(je|jij|u) kan\b|\bkan (je|jij|u)\b", re.IGNORECASE)
    afmelden = re.compile(r"afmeld|afgemeld|af te melden|\bmeld\w* (je|zich|me) (\w+ )*af\b",
                          re.IGNORECASE)
    assert [dutch for _english, dutch in _dutch_strings() if kan.search(dutch)] == []
    wrong = [(english, dutch) for english, dutch in _dutch_strings()
             if afmelden.search(dutch) and not re.search(r"\blog(ged|s)? ?out\b", english,
                                                         re.IGNORECASE)]
    assert wrong == []
