"""Views of the education-leave flow: the participant's personal page and the staff pages."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import clock
from portal.education_leave import bp, services
from portal.education_leave.forms import (
    ConfirmForm,
    DeliveryForm,
    EnrolmentForm,
    LeaveDataForm,
    TrainingForm,
)
from portal.errors import PolicyError, show_refusal
from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.security import public_endpoint, staff_required
from portal.tokens import InvalidToken

# --- The participant's page (no account: the signed personal link is the key) -------------


def _enrolment_or_error_page(token: str):
    try:
        return services.enrolment_for_token(token), None
    except InvalidToken as error:
        status = 410 if error.expired else 404
        return None, (render_template("education_leave/link_invalid.html",
                                      expired=error.expired), status)


@bp.route("/opleidingsverlof/<token>", methods=["GET", "POST"])
@public_endpoint
@limiter.limit("60 per minute", methods=["POST"])
def participant(token: str):
    enrolment, error_page = _enrolment_or_error_page(token)
    if error_page:
        return error_page
    # A returning participant sees their stored details; nobody else's are ever loaded.
    form = LeaveDataForm(obj=enrolment if enrolment.has_consent else None)
    form.consent.label.text = services.consent_label()
    if enrolment.has_consent:
        form.submit.label.text = _("Save corrections")
    if enrolment.has_consent and not form.is_submitted():
        birth_date = enrolment.birth_date
        form.birth_date.data = birth_date.strftime("%d/%m/%Y") if birth_date else ""
    if form.is_submitted():
        well_formed = form.validate()
        birth_date = None if form.birth_date.errors else form.birth_date.parsed
        # The rules are checked even when a field is malformed: every problem shows at once.
        problems = services.leave_data_problems(enrolment, birth_date, form.consent_ticked())
        for problem in problems:
            show_refusal(problem, form)
        if well_formed and not problems:
            had_consent = enrolment.has_consent
            data = services.LeaveData(
                surname=form.surname.data, given_name=form.given_name.data,
                birthplace=form.birthplace.data, birth_date=form.birth_date.parsed,
                residence=form.residence.data,
            )
            try:
                services.save_leave_data(enrolment, data, consent_ticked=form.consent_ticked())
            except PolicyError as error:
                show_refusal(error, form)
            else:
                flash(_("Your details are corrected.") if had_consent
                      else _("Thank you. Your consent and your details are saved."), "success")
                return redirect(url_for("education_leave.participant", token=token))
    return render_template(
        "education_leave/participant.html",
        enrolment=enrolment,
        training=enrolment.training,
        form=form,
        token=token,
        paragraphs=services.consent_paragraphs(),
        status=services.consent_status(enrolment),
        has_data=services.has_leave_data(enrolment),
    )


@bp.route("/opleidingsverlof/<token>/intrekken", methods=["GET", "POST"])
@public_endpoint
@limiter.limit("60 per minute", methods=["POST"])
def withdraw(token: str):
    enrolment, error_page = _enrolment_or_error_page(token)
    if error_page:
        return error_page
    if not enrolment.has_consent:
        return redirect(url_for("education_leave.participant", token=token))
    form = ConfirmForm()
    form.submit.label.text = _("Yes, withdraw and erase")
    if form.validate_on_submit():
        services.withdraw_consent(enrolment)
        flash(_("Your consent is withdrawn and your details are erased."), "success")
        return redirect(url_for("education_leave.participant", token=token))
    return render_template("education_leave/withdraw.html", enrolment=enrolment,
                           training=enrolment.training, form=form, token=token)


@bp.get("/opleidingsverlof/<token>/attest")
@public_endpoint
def participant_attestation(token: str):
    enrolment, error_page = _enrolment_or_error_page(token)
    if error_page:
        return error_page
    try:
        services.view_attestation(None, enrolment)
    except PolicyError as error:
        show_refusal(error)
        return redirect(url_for("education_leave.participant", token=token))
    return render_template("education_leave/attestation.html", enrolment=enrolment,
                           training=enrolment.training, today=clock.today(),
                           back_url=url_for("education_leave.participant", token=token))


# --- Staff pages ---------------------------------------------------------------------------


def _training_or_404(training_id: int):
    training = services.get_training(training_id)
    if training is None:
        abort(404)
    return training


@bp.get("/beheer/opleidingen")
@staff_required
def staff_trainings():
    return render_template("education_leave/staff_trainings.html",
                           trainings=services.list_trainings())


@bp.route("/beheer/opleidingen/nieuw", methods=["GET", "POST"])
@staff_required
def staff_new_training():
    form = TrainingForm()
    if form.validate_on_submit():
        data = services.TrainingData(
            title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
            hours=form.hours.data, is_bev_recognised=form.is_bev_recognised.data,
            is_vov_recognised=form.is_vov_recognised.data,
            periods=getattr(form, "parsed_periods", []),
        )
        try:
            training = services.create_training(current_user, data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The training is created."), "success")
            return redirect(url_for("education_leave.staff_training", training_id=training.id))
    return render_template("education_leave/staff_new_training.html", form=form)


@bp.get("/beheer/opleidingen/<int:training_id>")
@staff_required
def staff_training(training_id: int):
    training = _training_or_404(training_id)
    attestations = services.attestations_for(training)
    return render_template(
        "education_leave/staff_training.html",
        training=training,
        enrolments=sorted(training.enrolments, key=lambda e: e.participant_name.lower()),
        attestations=attestations,
        consent_status=services.consent_status,
        has_leave_data=services.has_leave_data,
        delivery_form=DeliveryForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/beheer/opleidingen/<int:training_id>/inschrijven", methods=["GET", "POST"])
@staff_required
def staff_enrol(training_id: int):
    training = _training_or_404(training_id)
    form = EnrolmentForm()
    if form.validate_on_submit():
        try:
            services.enrol_participant(
                current_user, training, is_contact=form.participant_type.data == "contact",
                email=form.email.data, name=form.name.data,
                organisation_name=form.organisation_name.data,
            )
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("The participant is enrolled.") + (
                " " + _("They received a mail with their personal link.")
                if training.is_recognised else ""), "success")
            return redirect(url_for("education_leave.staff_training", training_id=training.id))
    return render_template("education_leave/staff_enrol.html", training=training, form=form)


@bp.post("/beheer/opleidingen/<int:training_id>/deelnemers/<int:enrolment_id>/nieuwe-link")
@staff_required
def staff_renew_link(training_id: int, enrolment_id: int):
    training = _training_or_404(training_id)
    enrolment = services.get_enrolment(training, enrolment_id)
    if enrolment is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.send_new_link(current_user, enrolment)
        except PolicyError as error:
            show_refusal(error)
        else:
            flash(_("A new personal link was mailed; earlier links no longer work."), "success")
    return redirect(url_for("education_leave.staff_training", training_id=training.id))


@bp.post("/beheer/opleidingen/<int:training_id>/attesten/geleverd")
@staff_required
def staff_mark_delivered(training_id: int):
    training = _training_or_404(training_id)
    form = DeliveryForm()
    if form.validate_on_submit():
        try:
            enrolment_id = int(form.enrolment_id.data)
            period_id = int(form.period_id.data) if form.period_id.data else None
        except ValueError:
            abort(400)
        try:
            services.mark_delivered(current_user, training, enrolment_id, form.kind.data,
                                    period_id)
        except PolicyError as error:
            show_refusal(error)
        else:
            flash(_("The attestation is marked as delivered."), "success")
    else:
        abort(400)
    return redirect(url_for("education_leave.staff_training", training_id=training.id)
                    + "#attesten")


@bp.get("/beheer/opleidingen/<int:training_id>/export.csv")
@staff_required
def staff_export(training_id: int):
    training = _training_or_404(training_id)
    body = services.export_csv(current_user, training)
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition":
                 f'attachment; filename="opleidingsverlof-opleiding-{training.id}.csv"'},
    )


@bp.get("/beheer/opleidingen/<int:training_id>/deelnemers/<int:enrolment_id>/attest")
@staff_required
def staff_attestation(training_id: int, enrolment_id: int):
    training = _training_or_404(training_id)
    enrolment = services.get_enrolment(training, enrolment_id)
    if enrolment is None:
        abort(404)
    try:
        services.view_attestation(current_user, enrolment)
    except PolicyError as error:
        show_refusal(error)
        return redirect(url_for("education_leave.staff_training", training_id=training.id))
    return render_template(
        "education_leave/attestation.html", enrolment=enrolment, training=training,
        today=clock.today(),
        back_url=url_for("education_leave.staff_training", training_id=training.id),
    )

