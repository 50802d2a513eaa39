"""Newsletter pages: own preferences, unsubscribe links, public sign-up, staff export."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import PolicyError, show_refusal
from portal.extensions import csrf, limiter
from portal.i18n import gettext as _
from portal.newsletters import bp, services
from portal.newsletters.forms import (
    ConfirmForm,
    RequestLinkForm,
    preferences_form,
    sign_up_form,
    wanted_ids,
)
from portal.security import contact_required, public_endpoint, staff_required

# Rate limits of the public forms, per client address (shared storage in production).
PUBLIC_FORM_LIMIT = "5 per minute;30 per hour"


@bp.route("/nieuwsbrieven", methods=["GET", "POST"])
@contact_required
def preferences():
    contact = current_user.contact
    person = services.Person(contact=contact)
    lists, subscribed = services.lists_and_choice(person)
    form = preferences_form(lists, subscribed)
    if contact.has_newsletter_right and form.validate_on_submit():
        try:
            changed = services.save_contact_preferences(contact, wanted_ids(form, lists))
        except PolicyError as error:
            show_refusal(error, form)
        else:
            flash(_("Your choice has been saved.") if changed
                  else _("Nothing changed: your choice was already saved."), "success")
            return redirect(url_for("newsletters.preferences"))
    return render_template("newsletters/preferences.html", form=form, contact=contact,
                           explanation=services.PREFERENCES_TEXT)


def _link_page(token: str, holder, form, subscribed: set[int], status: int = 200):
    return render_template("newsletters/unsubscribe.html", form=form, holder=holder,
                           token=token, subscribed=subscribed,
                           explanation=services.UNSUBSCRIBE_TEXT), status


def _link_error(message: str):
    return render_template("newsletters/link_error.html", message=message,
                           form=RequestLinkForm()), 400


def _other_lists(holder, lists):
    """The lists the page shows as switches: all but the one the mail came from (that one
    has its own button)."""
    own = holder.newsletter_list
    return [item for item in lists if own is None or item.id != own.id]


@bp.route("/nieuwsbrieven/afmelden/<token>", methods=["GET", "POST"])
@public_endpoint
@csrf.exempt  # RFC 8058: a mail client POSTs here without any session or CSRF token
def unsubscribe(token: str):
    try:
        holder = services.read_link(token)
    except PolicyError as error:
        return _link_error(error.message)
    lists = services.active_lists()
    subscribed = services.subscribed_list_ids(holder.person)
    others = _other_lists(holder, lists)
    if request.method == "GET":
        # Opening the page changes nothing and shows the true state: the mail's own list has
        # one button ("Uitschrijven voor de nieuwsbrief"), the other lists are below it.
        return _link_page(token, holder, preferences_form(others, subscribed, csrf=False),
                          subscribed)
    if "submit" not in request.form:
        # The page's button, or one-click (RFC 8058) from a mail client
        # ("List-Unsubscribe=One-Click"): the link's list (a manage link: every list) off.
        services.one_click_unsubscribe(token)
        return render_template("newsletters/unsubscribed.html", holder=holder,
                               token=token), 200
    form = preferences_form(others, subscribed, csrf=False)
    form.validate()
    wanted = wanted_ids(form, others)
    if holder.newsletter_list is not None and holder.newsletter_list.id in subscribed:
        wanted.add(holder.newsletter_list.id)  # not on the form: stays as it is
    try:
        services.save_link_preferences(token, wanted)
    except PolicyError as error:
        show_refusal(error, form)
        return _link_page(token, holder, form, subscribed, 400)
    flash(_("Your choice has been saved."), "success")
    return redirect(url_for("newsletters.unsubscribe", token=token, saved=1))


@bp.route("/nieuwsbrieven/afmelden", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(PUBLIC_FORM_LIMIT, methods=["POST"])
def request_link():
    form = RequestLinkForm()
    if form.validate_on_submit():
        services.send_manage_link(form.email.data)
        return render_template("newsletters/link_sent.html")
    return render_template("newsletters/request_link.html", form=form)


@bp.route("/nieuwsbrief/inschrijven", methods=["GET", "POST"])
@public_endpoint
@limiter.limit(PUBLIC_FORM_LIMIT, methods=["POST"])
def sign_up():
    lists = services.active_lists()
    form = sign_up_form(lists, services.SIGNUP_CONSENT_TEXT)
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled in the hidden field: answer as usual, store and send nothing.
            return render_template("newsletters/sign_up_sent.html")
        try:
            services.sign_up(form.name.data, form.organisation.data, form.email.data,
                             form.lists.data)
        except PolicyError as error:
            show_refusal(error, form)
        else:
            return render_template("newsletters/sign_up_sent.html")
    return render_template("newsletters/sign_up.html", form=form, lists=lists)


@bp.route("/nieuwsbrief/bevestigen/<token>", methods=["GET", "POST"])
@public_endpoint
def confirm(token: str):
    # GET only shows a button: mail scanners that open links must not confirm for a person.
    try:
        person, lists, _payload = services.read_confirmation(token)
    except PolicyError as error:
        return render_template("newsletters/confirm_error.html", message=error.message), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        names = services.confirm_sign_up(token)
        return render_template("newsletters/confirmed.html", names=names)
    if person.subscriber.confirmed_at is not None and lists and {
            item.id for item in lists} <= services.subscribed_list_ids(person):
        # The link was used already and nothing changed since: say so, ask nothing again.
        return render_template("newsletters/confirmed.html",
                               names=[item.name for item in lists], already=True)
    return render_template("newsletters/confirm.html", lists=lists, form=form)


# --- staff ---------------------------------------------------------------------------------


@bp.get("/beheer/nieuwsbrieven")
@staff_required
def staff_lists():
    return render_template("newsletters/staff_lists.html", overview=services.list_overview())


@bp.get("/beheer/nieuwsbrieven/<slug>/abonnees.csv")
@staff_required
def staff_export(slug: str):
    try:
        filename, content = services.export_subscribers_csv(slug, current_user)
    except PolicyError:
        abort(404)
    return Response(
        content.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
