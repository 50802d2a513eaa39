"""Roster pages: the list, add, edit, remove, the primary role transfer and one's own data."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.invitations import resend_invitation as resend_login_invitation
from portal.errors import PolicyError, StaleDataError, show_refusal
from portal.i18n import gettext as _
from portal.models import Contact
from portal.roster import bp, services, transfer
from portal.roster.forms import AcceptPrimaryForm, ContactDetailsForm, ContactForm
from portal.security import (
    contact_required,
    current_org_id,
    get_scoped_or_404,
    is_safe_redirect,
    primary_required,
    safe_next,
)
from portal.tokens import InvalidToken


def _next_value() -> str | None:
    """The `next` the page came with, kept for the form's action when it is local."""
    target = request.values.get("next")
    return target if is_safe_redirect(target) else None


@bp.get("/contactpersonen")
@primary_required
def list_contacts():
    organisation_id = current_org_id()
    return render_template(
        "roster/list.html",
        contacts=services.roster_rows(organisation_id),
        proposal=transfer.pending_transfer(organisation_id),
    )


@bp.route("/contactpersonen/nieuw", methods=["GET", "POST"])
@primary_required
def new_contact():
    form = ContactForm()
    if request.method == "GET":
        form.has_advice_right.data = True
        form.has_newsletter_right.data = True
    if form.validate_on_submit():
        try:
            contact = services.add_contact(current_org_id(), current_user,
                                           form.data_for_service())
        except PolicyError as error:
            show_refusal(error, form)
        else:
            message = _("%(name)s is added.", name=contact.full_name)
            if contact.has_website_right:
                message += " " + _("We mailed an invitation to choose a password.")
            flash(message, "success")
            return redirect(url_for("roster.list_contacts"))
    return render_template("roster/form.html", form=form, contact=None, next=None)


@bp.route("/contactpersonen/<int:contact_id>/bewerken", methods=["GET", "POST"])
@primary_required
def edit_contact(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    form = ContactForm() if request.method == "POST" else ContactForm.filled(contact)
    if form.validate_on_submit():
        try:
            changed = services.update_contact(current_org_id(), current_user, contact.id,
                                              form.data_for_service(),
                                              form.version_for_service())
        except StaleDataError as error:
            show_refusal(error)
            contact = get_scoped_or_404(Contact, contact_id)
            form = ContactForm.filled(contact)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The data of %(name)s are saved.", name=contact.full_name) if changed
                  else _("Nothing was changed."), "success")
            return redirect(safe_next("roster.list_contacts"))
    return render_template("roster/form.html", form=form, contact=contact, next=_next_value())


@bp.route("/contactpersonen/<int:contact_id>/verwijderen", methods=["GET", "POST"])
@primary_required
def remove_contact(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    if request.method == "POST":
        name = contact.full_name
        try:
            services.remove_contact(current_org_id(), current_user, contact.id)
        except PolicyError as error:
            show_refusal(error)
            return redirect(url_for("roster.list_contacts"))
        flash(_("%(name)s is removed, with all their data.", name=name), "success")
        return redirect(safe_next("roster.list_contacts"))
    return render_template("roster/remove.html", contact=contact, next=_next_value())


@bp.route("/contactpersonen/<int:contact_id>/primair", methods=["GET", "POST"])
@primary_required
def propose_primary(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    if request.method == "POST":
        name = contact.full_name
        try:
            transfer.propose_primary_transfer(current_org_id(), current_user, contact.id)
        except PolicyError as error:
            show_refusal(error)
        else:
            flash(_("We mailed %(name)s a link to accept the role of primary contact. You stay "
                    "primary contact until they accept.", name=name), "success")
        return redirect(url_for("roster.list_contacts"))
    return render_template("roster/propose.html", contact=contact,
                           proposal=transfer.pending_transfer(current_org_id()))


@bp.post("/contactpersonen/<int:contact_id>/uitnodiging")
@primary_required
def resend_invitation(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    if contact.user is None:
        abort(404)
    try:
        resend_login_invitation(contact.user, current_user)
    except PolicyError as error:
        show_refusal(error)
    else:
        flash(_("A new invitation was sent to %(email)s. The previous link no longer works.",
                email=contact.email), "success")
    return redirect(url_for("roster.list_contacts"))


@bp.post("/contactpersonen/overdracht/intrekken")
@primary_required
def withdraw_transfer():
    try:
        transfer.withdraw_primary_transfer(current_org_id(), current_user)
    except PolicyError as error:
        show_refusal(error)
    else:
        flash(_("The proposal is withdrawn. You stay primary contact."), "success")
    return redirect(url_for("roster.list_contacts"))


def _link_problem(message: str):
    return render_template("roster/link_invalid.html", message=message), 400


@bp.route("/contactpersonen/primair/aanvaarden/<token>", methods=["GET", "POST"])
@contact_required
def accept_primary(token: str):
    try:
        proposal = transfer.transfer_from_token(token)
    except InvalidToken as error:
        return _link_problem(
            _("This link has expired. Ask your primary contact to propose you again.")
            if error.expired else _("This link is not valid."))
    if proposal.to_contact_id != current_user.contact_id:
        # Logged in as somebody else: reveal nothing about the proposal.
        abort(404)
    if not transfer.transfer_is_open(proposal):
        return _link_problem(_("This proposal is no longer valid: it was withdrawn, replaced "
                               "by another one, accepted already or it has expired."))
    contact = current_user.contact
    form = (AcceptPrimaryForm() if request.method == "POST"
            else AcceptPrimaryForm.filled(contact))
    if form.validate_on_submit():
        try:
            transfer.accept_primary_transfer(proposal.id, current_user,
                                             form.data_for_service(),
                                             form.version_for_service())
        except StaleDataError as error:
            show_refusal(error)
            form = AcceptPrimaryForm.filled(current_user.contact)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("You are now the primary contact of %(organisation)s.",
                    organisation=contact.organisation.name), "success")
            return redirect(url_for("public.dashboard"))
    return render_template("roster/accept.html", form=form, transfer=proposal, contact=contact)


@bp.post("/contactpersonen/primair/weigeren/<token>")
@contact_required
def decline_primary(token: str):
    try:
        proposal = transfer.transfer_from_token(token)
    except InvalidToken as error:
        return _link_problem(
            _("This link has expired. Ask your primary contact to propose you again.")
            if error.expired else _("This link is not valid."))
    if proposal.to_contact_id != current_user.contact_id:
        abort(404)  # somebody else's proposal: reveal nothing
    proposer = proposal.from_contact.full_name if proposal.from_contact else None
    try:
        transfer.decline_primary_transfer(proposal.id, current_user)
    except PolicyError as error:
        show_refusal(error)
    else:
        flash(_("You declined the proposal. %(name)s keeps the role and gets a mail.",
                name=proposer or _("The primary contact")), "success")
    return redirect(url_for("public.dashboard"))


@bp.route("/mijn-contactgegevens", methods=["GET", "POST"])
@contact_required
def edit_own_details():
    contact = current_user.contact
    form = (ContactDetailsForm() if request.method == "POST"
            else ContactDetailsForm.filled(contact))
    if form.validate_on_submit():
        try:
            changed = services.update_own_details(contact.id, current_user,
                                                  form.data_for_service(),
                                                  form.version_for_service())
        except StaleDataError as error:
            show_refusal(error)
            form = ContactDetailsForm.filled(current_user.contact)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("Your contact details are saved.") if changed
                  else _("Nothing was changed."), "success")
            return redirect(url_for("public.dashboard"))
    return render_template("roster/own_details.html", form=form, contact=contact)
