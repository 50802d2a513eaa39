"""The roster blueprint."""

from flask import Blueprint

bp = Blueprint("roster", __name__)
