"""Performance checks that are tests: SQL statements per request."""
