"""Fill Dutch translations into the catalog from a JSON file {"English msgid": "Nederlands"}.

Usage: python scripts/po_fill.py translations.json   (after `make extract-messages`)
Prints the messages that are still untranslated.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/nl/LC_MESSAGES/messages.po"


def main() -> int:
    pairs = json.loads(Path(sys.argv[1]).read_text("utf-8")) if len(sys.argv) > 1 else {}
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in pairs:
            value = pairs[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, no_location=True)
    def untranslated(message) -> bool:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return not all(strings)

    missing = [m.id for m in catalog if m.id and untranslated(m)]
    for message_id in missing:
        print("untranslated:", message_id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
