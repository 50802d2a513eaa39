"""Git merge driver for the Dutch catalog: the union of both sides' translations.

Configured with `git config merge.po-union.driver "python scripts/po_merge.py %O %A %B"`;
after a merge, `make extract-messages` drops what no longer occurs in the code.
"""

import sys

from babel.messages.pofile import read_po, write_po


def main(base: str, ours: str, theirs: str) -> int:
    with open(ours, "rb") as handle:
        merged = read_po(handle, locale="nl")
    with open(theirs, "rb") as handle:
        other = read_po(handle, locale="nl")
    for message in other:
        if not message.id:
            continue
        mine = merged.get(message.id)
        if mine is None:
            merged[message.id] = message
        elif (not mine.string or mine.fuzzy) and message.string:
            mine.string = message.string
            mine.flags.discard("fuzzy")
    with open(ours, "wb") as handle:
        write_po(handle, merged, sort_output=True, no_location=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
