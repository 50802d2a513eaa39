"""The organisation page: read for every contact, the edit form for the primary contact."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import PolicyError, StaleDataError, show_refusal
from portal.i18n import gettext as _
from portal.models import Organisation
from portal.organisation import bp, services
from portal.organisation.forms import OrganisationForm
from portal.security import contact_required, current_org_id, get_scoped_or_404


@bp.route("/organisatie", methods=["GET", "POST"])
@contact_required
def show_organisation():
    organisation = get_scoped_or_404(Organisation, current_org_id())
    is_primary = current_user.is_primary_contact
    if request.method == "POST" and not is_primary:
        abort(403)
    if not is_primary:
        return render_template("organisation/show.html", organisation=organisation)
    form = OrganisationForm() if request.method == "POST" else OrganisationForm.filled(organisation)
    if form.validate_on_submit():
        try:
            changed = services.update_organisation(
                organisation.id, current_user, form.data_for_service(),
                form.version_for_service())
        except StaleDataError as error:
            show_refusal(error)
            form = OrganisationForm.filled(get_scoped_or_404(Organisation, current_org_id()))
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The data of the organisation are saved.") if changed
                  else _("Nothing was changed."), "success")
            return redirect(url_for("organisation.show_organisation"))
    return render_template("organisation/edit.html", organisation=organisation, form=form)
