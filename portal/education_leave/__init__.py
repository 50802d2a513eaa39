"""The education_leave blueprint."""

from flask import Blueprint

bp = Blueprint("education_leave", __name__)
