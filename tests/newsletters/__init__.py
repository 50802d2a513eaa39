"""Tests of the newsletters flow."""
