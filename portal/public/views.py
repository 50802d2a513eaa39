"""The dashboard "Mijn portaal" and the health check."""

from flask import jsonify, render_template
from flask_login import current_user

from portal.health import health_report
from portal.navigation import dashboard_panels_for, dashboard_tasks_for
from portal.public import bp
from portal.security import public_endpoint


@bp.get("/")
def dashboard():
    # Open tasks first (confirmation, role proposal, consent), then the cards.
    return render_template("public/dashboard.html", tasks=dashboard_tasks_for(current_user),
                           panels=dashboard_panels_for(current_user))


@bp.get("/healthz")
@public_endpoint
def healthz():
    """200 when the database answers (Redis down: 200 "degraded"), 503 otherwise."""
    report, status = health_report()
    return jsonify(report), status
