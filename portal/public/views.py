"""The dashboard "Mijn portaal" and the health check."""

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from portal.extensions import db
from portal.navigation import dashboard_panels_for
from portal.public import bp
from portal.security import public_endpoint


@bp.get("/")
def dashboard():
    return render_template("public/dashboard.html", panels=dashboard_panels_for(current_user))


@bp.get("/healthz")
@public_endpoint
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
