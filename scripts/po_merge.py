"""Git merge driver for the Dutch catalog: a three-way merge of the translations.

Configured with `git config merge.po-union.driver "python scripts/po_merge.py %O %A %B"`.
A message one side added is kept; a translation only one side changed takes that change;
when both sides changed it differently, ours stays and the message is printed. After a
merge, `make extract-messages` drops what no longer occurs in the code.
"""

import sys

from babel.messages.pofile import read_po, write_po


def _read(path: str):
    with open(path, "rb") as handle:
        return read_po(handle, locale="nl")


def main(base: str, ours: str, theirs: str) -> int:
    original, merged, other = _read(base), _read(ours), _read(theirs)
    for message in other:
        if not message.id:
            continue
        mine = merged.get(message.id)
        before = original.get(message.id)
        if mine is None:
            merged[message.id] = message
            continue
        base_string = before.string if before is not None else None
        if message.string == mine.string or not message.string:
            continue
        if not mine.string or mine.fuzzy or mine.string == base_string:
            mine.string = message.string
            mine.flags.discard("fuzzy")
        elif message.string != base_string:
            print(f"po_merge: both sides changed {message.id!r}; kept ours", file=sys.stderr)
    with open(ours, "wb") as handle:
        write_po(handle, merged, sort_output=True, no_location=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
