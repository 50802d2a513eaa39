"""Tests of issue 12: production behind a proxy, logs, health, concurrent workers."""
