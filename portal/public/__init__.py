"""Dashboard, health check and other pages that belong to no single flow."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from portal.public import views  # noqa: E402,F401
