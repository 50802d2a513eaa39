"""My data (GDPR art. 15 and 20) and the public privacy explanation."""

import json

from flask import Response, current_app, render_template
from flask_login import current_user

from portal import clock
from portal.audit import record_event
from portal.privacy import bp
from portal.privacy.services import FIELD_LABELS, as_json, collect_personal_data
from portal.security import public_endpoint


@bp.get("/mijn-gegevens")
def my_data():
    data = collect_personal_data(user=current_user._get_current_object())
    return render_template("privacy/my_data.html", data=data, labels=FIELD_LABELS)


@bp.get("/mijn-gegevens/download")
def download_my_data():
    user = current_user._get_current_object()
    data = collect_personal_data(user=user)
    body = json.dumps(as_json(data, current_app.config["FEDERATION_NAME"]), ensure_ascii=False,
                      indent=2)
    record_event("personal_data.downloaded", actor=user, target=user,
                 organisation_id=user.organisation_id)
    filename = f"mijn-gegevens-{clock.today().isoformat()}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/privacy")
@public_endpoint
def privacy():
    return render_template("privacy/privacy.html")
