"""portal/form_rendering.py writes WTForms' markup itself: it must stay byte for byte WTForms'.

Every field of every form of the portal is rendered both ways, empty and after a failed
submission (values, errors, flags), with the extra attributes the layout adds.
"""

import importlib
import inspect

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from portal import BLUEPRINTS
from portal.form_rendering import field_html, hidden_fields_html, label_html, widget_html

EXTRA_ATTRIBUTES = (
    {},
    {"aria-describedby": "veld-hint veld-fout", "aria-invalid": "true", "required": True},
    {"class": "button primary"},
    {"disabled": False, "data_role": 'quote " and <tag>'},
)


def _form_classes():
    classes = {}
    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(f"portal.{name}.forms")
        except ModuleNotFoundError:
            continue
        for _attr, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, FlaskForm) and value.__module__ == module.__name__:
                classes[f"{value.__module__}.{value.__name__}"] = value
    return classes


FORMS = _form_classes()


def _filled(form_class):
    """A submission with a value (valid or not) in every field, then validated."""
    unbound = form_class(meta={"csrf": False})
    data = MultiDict()
    for field in unbound:
        data.add(field.name, 'x"<y>&' if field.type not in ("BooleanField",) else "y")
    form = form_class(formdata=data)
    _give_choices(form)
    form.validate()
    return form


def _give_choices(form):
    for field in form:
        if hasattr(field, "choices") and not field.choices:
            field.choices = [SelectChoice("1", "Eerste"), SelectChoice("2", 'Tweede "keuze"')]


@pytest.mark.parametrize("name", sorted(FORMS))
@pytest.mark.parametrize("state", ["empty", "submitted"])
def test_fast_markup_is_wtforms_markup(app, name, state):
    app.config["WTF_CSRF_ENABLED"] = True  # the token field is rendered too
    with app.test_request_context("/", method="POST"):
        if state == "empty":
            form = FORMS[name]()
            _give_choices(form)
        else:
            form = _filled(FORMS[name])
        compared = 0
        for field in form:
            for attrs in EXTRA_ATTRIBUTES:
                assert widget_html(field, **attrs) == field(**attrs), (field.name, attrs)
            assert label_html(field) == field.label(), field.name
            compared += 1
        assert compared, f"{name} has no fields"
        assert hidden_fields_html(form) == form.hidden_tag()


def test_every_form_is_compared():
    # A form module that stops importing would silently drop out of the comparison.
    assert len(FORMS) >= 25


def test_field_links_hint_and_error_for_screen_readers(app):
    from portal.organisation.forms import OrganisationForm

    with app.test_request_context("/", method="POST"):
        form = OrganisationForm(formdata=MultiDict({"iban": "BE00 0000"}))
        form.validate()
        html = str(field_html(form.iban, hint="Zoals op uw bankafschrift"))
    assert 'aria-describedby="iban-hint iban-fout"' in html
    assert 'aria-invalid="true"' in html
    assert '<p class="hint" id="iban-hint">Zoals op uw bankafschrift</p>' in html
    assert '<p class="error" id="iban-fout">' in html
    assert html.index("<label") < html.index("<input")


def test_checkbox_label_follows_the_box(app):
    from portal.roster.forms import ContactForm

    with app.test_request_context("/"):
        form = ContactForm()
        form.has_advice_right.data = True
        html = str(field_html(form.has_advice_right))
    assert html.startswith('<div class="field field-checkbox">')
    assert html.index("<input") < html.index("<label")
    assert " checked " in html


def test_wtforms_own_messages_are_dutch_from_the_cached_catalog(app):
    # portal.forms.Form loads WTForms' catalog once per process instead of once per request.
    from portal.forms import _wtforms_catalog
    from portal.organisation.forms import OrganisationForm

    _wtforms_catalog.cache_clear()
    for _ in range(2):
        with app.test_request_context("/", method="POST"):
            form = OrganisationForm(formdata=MultiDict({"employee_count": "veel",
                                                        "fte": "een paar"}))
            form.validate()
            assert "Ongeldig getal." in form.employee_count.errors
            assert "Ongeldige decimale waarde." in form.fte.errors
    assert _wtforms_catalog.cache_info().misses == 1


def test_select_markup_is_wtforms_markup_with_a_chosen_option(app):
    from wtforms import SelectField, SelectMultipleField

    from portal.forms import Form

    class Choices(Form):
        status = SelectField("Status", choices=[
            SelectChoice("", "Alle"), SelectChoice("open", 'Open "nog"'),
            SelectChoice("klaar", "<b>Klaar</b>")])
        flags = SelectMultipleField("Vlaggen", choices=[SelectChoice(True, "Ja"),
                                                        SelectChoice(False, "Nee")])
        rich = SelectField("Rijk", choices=[SelectChoice("a", "A", render_kw={"data-x": "1"})])

    with app.test_request_context("/?status=open&flags=True", method="GET"):
        form = Choices(formdata=MultiDict({"status": "open", "flags": "True"}), meta={
            "csrf": False})
        for field in form:
            for attrs in EXTRA_ATTRIBUTES:
                assert widget_html(field, **attrs) == field(**attrs), (field.name, attrs)
        assert "selected" in str(widget_html(form.status))
