"""Templates look the catalog up once per request; switching the locale still works."""

from flask import render_template_string
from flask_babel import force_locale


def test_templates_are_dutch_and_follow_a_forced_locale(app):
    template = "{{ _('My portal') }}|{{ _('Welcome, %(name)s.', name='Pia') }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Mijn portaal|Welkom, Pia."
        with force_locale("en"):
            assert render_template_string(template) == "My portal|Welcome, Pia."
        assert render_template_string(template) == "Mijn portaal|Welkom, Pia."
