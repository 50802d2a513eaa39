"""Reliability tests: several processes against the same PostgreSQL and Redis."""
