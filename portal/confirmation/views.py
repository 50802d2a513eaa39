"""The guided confirmation flow for primary contacts, and the campaign pages for staff."""

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal.confirmation import bp, campaigns, flow, progress
from portal.confirmation.forms import CampaignForm, DeclarationForm, ProgressFilterForm
from portal.confirmation.jobs import pending_invitation_job
from portal.errors import PolicyError, StaleDataError, show_refusal
from portal.forms import ConfirmForm
from portal.i18n import gettext as _
from portal.models import Contact, Organisation
from portal.organisation.forms import OrganisationForm
from portal.roster.forms import ContactForm
from portal.security import current_org_id, get_scoped_or_404, primary_required, staff_required

# --- Guided flow -------------------------------------------------------------------------


def _current_confirmation():
    """This organisation's current confirmation, looked up once per request: the menu
    (portal.confirmation._confirmation_for) reads the same `g` slot instead of asking again."""
    if "confirmation_current" not in g:
        g.confirmation_current = campaigns.current_confirmation(current_org_id())
    return g.confirmation_current


def _open_state(*, with_rows: bool = False):
    """The flow state of the current organisation, or a redirect to the start page."""
    confirmation = _current_confirmation()
    if confirmation is None or confirmation.confirmed_at is not None:
        return None, redirect(url_for("confirmation.start"))
    return flow.flow_state(confirmation, with_rows=with_rows), None


def _next_step_url(state: flow.FlowState) -> str:
    if not state.organisation_done:
        return url_for("confirmation.organisation_step")
    contact_id = state.next_contact_id
    if contact_id is not None:
        return url_for("confirmation.contact_step", contact_id=contact_id)
    return url_for("confirmation.confirm")


def _to_next_step():
    """After a step: on to the next one (the state is read again, with the step's change)."""
    state, leave = _open_state()
    return leave or redirect(_next_step_url(state))


@bp.get("/bevestiging")
@primary_required
def start():
    confirmation = _current_confirmation()
    if confirmation is None:
        return render_template("confirmation/none.html")
    state = flow.flow_state(confirmation)
    return render_template(
        "confirmation/start.html", state=state, campaign=confirmation.campaign,
        next_url=None if confirmation.confirmed_at else _next_step_url(state),
        summary=flow.summarise_changes(confirmation.changes),
    )


@bp.route("/bevestiging/organisatie", methods=["GET", "POST"])
@primary_required
def organisation_step():
    state, leave = _open_state()
    if leave:
        return leave
    organisation = get_scoped_or_404(Organisation, current_org_id())
    form = OrganisationForm() if request.method == "POST" else OrganisationForm.filled(
        organisation)
    form.submit.label.text = _("Save and continue")
    if form.validate_on_submit():
        try:
            changed = flow.save_organisation_step(
                current_org_id(), current_user, form.data_for_service(),
                form.version_for_service())
        except StaleDataError as error:
            show_refusal(error)
            return redirect(url_for("confirmation.organisation_step"))
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The organisation data have been saved.") if changed
                  else _("The organisation data are marked as correct."), "success")
            return redirect(_next_step_url(flow.flow_state(state.confirmation)))
    return render_template("confirmation/organisation.html", form=form, state=state,
                           campaign=state.confirmation.campaign)


@bp.get("/bevestiging/contactpersonen")
@primary_required
def contacts_step():
    state, leave = _open_state(with_rows=True)
    if leave:
        return leave
    return render_template("confirmation/contacts.html", state=state,
                           campaign=state.confirmation.campaign,
                           next_url=_next_step_url(state))


@bp.get("/bevestiging/contactpersonen/<int:contact_id>")
@primary_required
def contact_step(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    state, leave = _open_state()
    if leave:
        return leave
    position = state.contact_ids.index(contact.id) + 1
    return render_template("confirmation/contact.html", contact=contact, state=state,
                           position=position, action_form=ConfirmForm(),
                           campaign=state.confirmation.campaign)


@bp.post("/bevestiging/contactpersonen/<int:contact_id>/nog-juist")
@primary_required
def contact_correct(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = contact.full_name
    try:
        flow.mark_contact_correct(current_org_id(), current_user, contact.id)
    except PolicyError as error:
        show_refusal(error)
        return redirect(url_for("confirmation.start"))
    flash(_("%(name)s is marked as correct.", name=name), "success")
    return _to_next_step()


@bp.route("/bevestiging/contactpersonen/<int:contact_id>/wijzigen", methods=["GET", "POST"])
@primary_required
def contact_edit(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    state, leave = _open_state()
    if leave:
        return leave
    form = ContactForm() if request.method == "POST" else ContactForm.filled(contact)
    form.submit.label.text = _("Save and continue")
    if form.validate_on_submit():
        name = contact.full_name
        try:
            changed = flow.save_contact_step(
                current_org_id(), current_user, contact.id, form.data_for_service(),
                form.version_for_service())
        except StaleDataError as error:
            show_refusal(error)
            return redirect(url_for("confirmation.contact_edit", contact_id=contact_id))
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The data of %(name)s have been saved.", name=name) if changed
                  else _("%(name)s is marked as correct.", name=name), "success")
            return _to_next_step()
    return render_template("confirmation/contact_edit.html", form=form, contact=contact,
                           state=state, campaign=state.confirmation.campaign)


@bp.route("/bevestiging/contactpersonen/<int:contact_id>/verwijderen",
          methods=["GET", "POST"])
@primary_required
def contact_remove(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    state, leave = _open_state()
    if leave:
        return leave
    form = ConfirmForm()
    if form.validate_on_submit():
        name = contact.full_name
        try:
            flow.remove_contact_step(current_org_id(), current_user, contact.id)
        except PolicyError as error:
            show_refusal(error)
            return redirect(url_for("confirmation.contact_step", contact_id=contact_id))
        flash(_("%(name)s has been removed.", name=name), "success")
        return _to_next_step()
    return render_template("confirmation/contact_remove.html", contact=contact, form=form,
                           state=state, campaign=state.confirmation.campaign)


@bp.route("/bevestiging/bevestigen", methods=["GET", "POST"])
@primary_required
def confirm():
    state, leave = _open_state(with_rows=True)  # the page shows every contact's data
    if leave:
        return leave
    if not state.ready:
        flash(_("First check the organisation data and every contact person."), "error")
        return redirect(_next_step_url(state))
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            flow.confirm_annual_data(current_org_id(), current_user,
                                     agreed=bool(form.agree.data))
        except PolicyError as error:
            show_refusal(error, form)
        else:
            # TODO(receipt mail, issue 18 item 8): mail the primary contact what was confirmed
            # (organisation and contacts as on this page) from confirm_annual_data.
            flash(_("Thank you: your organisation's data have been confirmed."), "success")
            return redirect(url_for("confirmation.start"))
    return render_template(
        "confirmation/confirm.html", form=form, state=state,
        campaign=state.confirmation.campaign, organisation=state.confirmation.organisation,
        summary=flow.summarise_changes(state.confirmation.changes),
    )


# --- Staff -------------------------------------------------------------------------------


@bp.route("/beheer/campagnes", methods=["GET", "POST"])
@staff_required
def staff_campaigns():
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign, added, _job = campaigns.open_and_invite(
                form.year.data, form.deadline.data, current_user)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            # The invitations are a job: sent after this request (the worker), not in it.
            flash(_("Campaign %(year)s is open: %(added)s organisations added. The invitations "
                    "are being sent; this page shows how far they are.",
                    year=campaign.year, added=added), "success")
            return redirect(url_for("confirmation.staff_progress", campaign_id=campaign.id))
    return render_template("confirmation/staff_campaigns.html", form=form,
                           campaigns=campaigns.list_campaigns(),
                           counts=progress.progress_by_campaign())


@bp.get("/beheer/campagnes/<int:campaign_id>")
@staff_required
def staff_progress(campaign_id: int):
    campaign = campaigns.get_campaign(campaign_id)
    if campaign is None:
        abort(404)
    filters = ProgressFilterForm(request.args)
    valid = filters.validate()
    status = filters.status.data if valid else None
    search = filters.q.data if valid else None
    page = request.args.get("pagina", 1, type=int) or 1
    counts = progress.progress_counts(campaign.id)
    rows, total = progress.progress_page(campaign.id, status=status or None,
                                         search=search or None, page=page, counts=counts)
    pages = max(1, -(-total // progress.PAGE_SIZE))
    args = {key: value for key, value in (("status", status), ("q", search)) if value}
    progress.record_progress_view(campaign, current_user)
    return render_template(
        "confirmation/staff_progress.html", campaign=campaign, filters=filters,
        counts=counts, rows=rows, total=total, page=page, pages=pages, args=args,
        job=pending_invitation_job(campaign.id),
        status_labels={key: str(label) for key, label in progress.STATUS_LABELS.items()},
    )


@bp.get("/beheer/campagnes/<int:campaign_id>/export.csv")
@staff_required
def staff_export(campaign_id: int):
    campaign = campaigns.get_campaign(campaign_id)
    if campaign is None:
        abort(404)
    body = progress.progress_csv(campaign.id, current_user)
    filename = f"bevestigingen-{campaign.year}.csv"
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": "text/csv; charset=utf-8"})
