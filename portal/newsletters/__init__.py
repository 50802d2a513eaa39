"""The newsletters blueprint."""

from flask import Blueprint

bp = Blueprint("newsletters", __name__)
