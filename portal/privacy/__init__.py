"""The privacy blueprint."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
