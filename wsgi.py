"""WSGI entry point: `gunicorn wsgi:app`, and the app `flask --app wsgi` finds."""

from portal import create_app

app = create_app()
