"""Accounts: log in and out (and, in later modules, reset, invitation, password change)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import views  # noqa: E402,F401
