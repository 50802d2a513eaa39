"""The data map classifies every column of every table, and only columns that exist."""

from portal.models import Base
from portal.privacy.data_map import (
    DATA_MAP,
    LEGAL_BASES,
    PURPOSES,
    RETENTION_RULES,
    Erasure,
)


def test_every_column_of_every_table_is_classified_exactly_once():
    mapped = {entry.table: entry for entry in DATA_MAP}
    unclassified = {}
    for table in Base.metadata.sorted_tables:
        entry = mapped.get(table.name)
        names = {column.name for column in table.columns}
        known = set(entry.columns) if entry else set()
        if names - known:
            unclassified[table.name] = sorted(names - known)
    assert unclassified == {}, (
        "Columns the data map (portal/privacy/data_map.py) does not classify; say for each "
        f"whether it holds personal data, whose, why and what erasure does: {unclassified}")


def test_the_map_names_only_tables_and_columns_that_exist():
    tables = {table.name: {c.name for c in table.columns} for table in Base.metadata.sorted_tables}
    stale = {entry.table: sorted(set(entry.columns) - tables.get(entry.table, set()))
             for entry in DATA_MAP if set(entry.columns) - tables.get(entry.table, set())}
    assert stale == {}
    doubles = {entry.table: sorted(set(entry.personal) & set(entry.other))
               for entry in DATA_MAP if set(entry.personal) & set(entry.other)}
    assert doubles == {}


def test_every_entry_has_a_known_purpose_basis_retention_and_a_way_to_find_its_person():
    for entry in DATA_MAP:
        assert entry.purpose in PURPOSES, entry.table
        assert entry.basis in LEGAL_BASES, entry.table
        assert entry.retention in RETENTION_RULES, entry.table
        if entry.erasure is not Erasure.NONE and entry.table not in ("login_throttles",
                                                                     "outbox_mails"):
            assert entry.links, f"{entry.table}: erasure needs a link to the person"
        for column in (*entry.links.values(), *entry.cleared):
            assert column in entry.columns, (entry.table, column)
