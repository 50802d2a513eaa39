"""Back-office pages; every route is for staff only and every view of personal data is logged."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import clock
from portal.auth.invitations import resend_invitation as resend_login_invitation
from portal.errors import PolicyError, show_refusal
from portal.i18n import gettext as _
from portal.models import DataBreach
from portal.navigation import nav_items_for
from portal.privacy.services import FIELD_LABELS, collect_personal_data
from portal.security import staff_required
from portal.staff import bp, services
from portal.staff.forms import (
    AuditFilterForm,
    AuthorityNotificationForm,
    BreachForm,
    ConfirmForm,
    EndMembershipForm,
    OrganisationForm,
    SearchForm,
)
from portal.unit_of_work import after_response


def _actor():
    return current_user._get_current_object()


def _or_404(found):
    if found is None:
        abort(404)
    return found


@bp.get("")
@staff_required
def index():
    items = [item for item in nav_items_for(current_user)
             if item.area != "account" and item.endpoint != "staff.index"]
    return render_template("staff/index.html", items=items)


@bp.get("/organisaties")
@staff_required
def organisations():
    form = SearchForm(request.args)
    query = form.q.data if form.validate() else None
    results = services.search_organisations(query) if query else []
    if query:
        # Results reveal which organisation a contact's email belongs to: a view of personal data.
        services.log_staff_view(_actor(), "staff.searched_organisations", None, None)
    return render_template("staff/organisations.html", form=form, query=query, results=results)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@staff_required
def create_organisation():
    form = OrganisationForm()
    if request.method == "GET":
        form.membership_started_on.data = clock.today()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(_actor(), form.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The organisation was created and its primary contact was invited."),
                  "success")
            return redirect(url_for("staff.organisation", organisation_id=organisation.id))
    return render_template("staff/organisation_form.html", form=form)


@bp.get("/organisaties/<int:organisation_id>")
@staff_required
def organisation(organisation_id: int):
    organisation = _or_404(services.get_organisation(organisation_id))
    services.log_staff_view(_actor(), "staff.viewed_organisation", organisation, organisation.id)
    return render_template("staff/organisation.html", organisation=organisation)


@bp.route("/organisaties/<int:organisation_id>/lidmaatschap-beeindigen", methods=["GET", "POST"])
@staff_required
def end_membership(organisation_id: int):
    organisation = _or_404(services.get_organisation(organisation_id))
    form = EndMembershipForm()
    if request.method == "GET":
        form.ended_on.data = organisation.membership_ended_on or clock.today()
    if form.validate_on_submit():
        try:
            services.end_membership(_actor(), organisation.id, form.ended_on.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The end of the membership is recorded."), "success")
            return redirect(url_for("staff.organisation", organisation_id=organisation.id))
    return render_template("staff/end_membership.html", form=form, organisation=organisation)


@bp.get("/organisaties/<int:organisation_id>/contactpersonen/<int:contact_id>/gegevens")
@staff_required
def person_data(organisation_id: int, contact_id: int):
    contact = _or_404(services.get_contact(organisation_id, contact_id))
    services.log_staff_view(_actor(), "staff.viewed_personal_data", contact, organisation_id)
    data = collect_personal_data(contact=contact)
    return render_template("staff/person_data.html", contact=contact, data=data,
                           labels=FIELD_LABELS)


@bp.post("/organisaties/<int:organisation_id>/contactpersonen/<int:contact_id>/uitnodiging")
@staff_required
def resend_invitation(organisation_id: int, contact_id: int):
    contact = _or_404(services.get_contact(organisation_id, contact_id))
    if contact.user is None:
        abort(404)
    try:
        resend_login_invitation(contact.user, _actor())
    except PolicyError as error:
        show_refusal(error)
    else:
        flash(_("A new invitation was sent to %(email)s. The previous link no longer works.",
                email=contact.email), "success")
    return redirect(url_for("staff.organisation", organisation_id=organisation_id))


@bp.get("/audit")
@staff_required
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(action) for action in services.audit_actions()
    ]
    valid = form.validate()
    filters = {}
    if valid:
        filters = dict(organisation=form.organisation.data, actor=form.actor.data,
                       action=form.action.data or None, date_from=form.date_from.data,
                       date_to=form.date_to.data)
    page_number = request.args.get("pagina", 1, type=int) or 1
    result = services.audit_page(page=page_number, **filters)
    args = {key: value for key, value in request.args.items() if key != "pagina" and value}
    return render_template("staff/audit_log.html", form=form, result=result, args=args)


@bp.get("/datalekken")
@staff_required
def breaches():
    return render_template("staff/breaches.html", breaches=services.list_breaches(),
                           now=clock.now(), deadline=services.breach_deadline)


@bp.route("/datalekken/nieuw", methods=["GET", "POST"])
@staff_required
def create_breach():
    form = BreachForm()
    if form.validate_on_submit():
        try:
            breach = services.record_breach(_actor(), form.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The incident is recorded. The deadline for the authority is running."),
                  "success")
            return redirect(url_for("staff.breach", breach_id=breach.id))
    return render_template("staff/breach_form.html", form=form)


def _render_breach(breach, authority_form=None, status: int = 200):
    if status < 400:
        services.log_staff_view(_actor(), "staff.viewed_breach", breach, None)
    else:
        after_response(services.log_staff_view_later, _actor().id, "staff.viewed_breach",
                       DataBreach, breach.id, None)
    now = clock.now()
    left = services.time_left(breach, now)
    return render_template(
        "staff/breach.html", breach=breach, deadline=services.breach_deadline(breach),
        left=left, left_hours=int(abs(left).total_seconds() // 3600),
        left_minutes=int(abs(left).total_seconds() % 3600 // 60),
        contacts_count=len(services.affected_contacts(breach)),
        authority_form=authority_form or AuthorityNotificationForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.get("/datalekken/<int:breach_id>")
@staff_required
def breach(breach_id: int):
    return _render_breach(_or_404(services.get_breach(breach_id)))


@bp.post("/datalekken/<int:breach_id>/melding")
@staff_required
def notify_authority(breach_id: int):
    breach = _or_404(services.get_breach(breach_id))
    form = AuthorityNotificationForm()
    if form.validate_on_submit():
        try:
            services.record_authority_notification(_actor(), breach.id, form.notified_at.data,
                                                   form.reference.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The notification to the authority is recorded."), "success")
            return redirect(url_for("staff.breach", breach_id=breach.id))
    return _render_breach(breach, authority_form=form, status=400), 400


@bp.post("/datalekken/<int:breach_id>/betrokkenen")
@staff_required
def notify_subjects(breach_id: int):
    breach = _or_404(services.get_breach(breach_id))
    if ConfirmForm().validate_on_submit():
        try:
            count = services.notify_subjects(_actor(), breach.id)
        except PolicyError as error:
            show_refusal(error)
        else:
            flash(_("A notice was mailed to %(count)d people.", count=count), "success")
    return redirect(url_for("staff.breach", breach_id=breach.id))


@bp.post("/datalekken/<int:breach_id>/afsluiten")
@staff_required
def close_breach(breach_id: int):
    breach = _or_404(services.get_breach(breach_id))
    if ConfirmForm().validate_on_submit():
        try:
            services.close_breach(_actor(), breach.id)
        except PolicyError as error:
            show_refusal(error)
        else:
            flash(_("The incident is closed."), "success")
    return redirect(url_for("staff.breach", breach_id=breach.id))
