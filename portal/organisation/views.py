"""The organisation page: read for every contact, the edit form for the primary contact."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import PolicyError, StaleDataError
from portal.extensions import db
from portal.i18n import format_iban, format_kbo, format_phone
from portal.i18n import gettext as _
from portal.models import Organisation
from portal.organisation import bp, services
from portal.organisation.forms import OrganisationForm
from portal.security import contact_required, current_org_id, get_scoped_or_404


def _form_for(organisation: Organisation) -> OrganisationForm:
    """The form filled with the stored data, written the way a Belgian reader knows it."""
    form = OrganisationForm(formdata=None, obj=organisation)
    form.version.data = organisation.version
    form.enterprise_number.data = format_kbo(organisation.enterprise_number)
    form.iban.data = format_iban(organisation.iban)
    form.phone.data = format_phone(organisation.phone)
    return form


def _version(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


@bp.route("/organisatie", methods=["GET", "POST"])
@contact_required
def show_organisation():
    organisation = get_scoped_or_404(Organisation, current_org_id())
    is_primary = current_user.is_primary_contact
    if request.method == "POST" and not is_primary:
        abort(403)
    if not is_primary:
        return render_template("organisation/show.html", organisation=organisation)
    form = OrganisationForm() if request.method == "POST" else _form_for(organisation)
    if form.validate_on_submit():
        try:
            changed = services.update_organisation(
                organisation.id, current_user, form.data_for_service(),
                _version(form.version.data))
        except StaleDataError as error:
            db.session.rollback()
            flash(error.message, "error")
            form = _form_for(get_scoped_or_404(Organisation, current_org_id()))
        except PolicyError as error:
            db.session.rollback()
            if error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, error.message]
            else:
                flash(error.message, "error")
        else:
            flash(_("The data of the organisation are saved.") if changed
                  else _("Nothing was changed."), "success")
            return redirect(url_for("organisation.show_organisation"))
    return render_template("organisation/edit.html", organisation=organisation, form=form)
