"""Hypothesis fuzzing of the main services through their forms: whatever the text, never a
server error, and a refused submission commits nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db, limiter
from tests.security import figures
from tests.security.conftest import WriteWatcher, csrf_token_for
from tests.security.forms import post_forms

# Any unicode text (control characters, surrogates aside), some of it near real values.
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(["", " ", "0", "-1", "9" * 40, "BE68539007547034", "0428.717.234",
                     "a@b.be", "31/12/1999", "1e9", "NaN", "<b>", "%s%n", "{{7*7}}"]),
)

FUZZED = {
    # form page: (role, fields to fuzz)
    "/contactpersonen/nieuw": ("primary_a", ("first_name", "last_name", "phone", "function",
                                             "email")),
    "/organisatie": ("primary_a", ("name", "enterprise_number", "street", "postal_code",
                                   "municipality", "phone", "email", "iban", "bic",
                                   "employee_count", "joint_committee", "fte")),
    "/nieuwsbrief/inschrijven": ("anonymous", ("name", "organisation", "email")),
    "participant": ("anonymous", ("surname", "given_name", "birthplace", "birth_date",
                                  "residence")),
    "/mijn-contactgegevens": ("contact_a", ("first_name", "last_name", "phone", "function")),
}


@pytest.mark.parametrize("page", list(FUZZED))
def test_fuzzed_forms_never_break(app, world, page):
    role, names = FUZZED[page]
    client = world.client(role)
    path = f"/opleidingsverlof/{world.args['participant_token']}" if page == "participant" \
        else page
    problems = []

    @settings(max_examples=20, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(values=st.fixed_dictionaries({name: TEXT for name in names}))
    def one_submission(values):
        limiter.reset()
        form = post_forms(client.get(path).get_data(as_text=True), path)[0]
        data = form.data(**values)
        data["csrf_token"] = csrf_token_for(client)
        with WriteWatcher(db.engine) as watcher:
            response = client.post(form.action, data=data)
            written = watcher.take() - {"user_sessions"}
        figures.add("bad_input", fuzz_cases=1)
        if response.status_code >= 500:
            figures.add("bad_input", fuzz_failures=1)
            problems.append(f"{values!r}: {response.status_code}")
        elif response.status_code != 302 and written:
            figures.add("bad_input", fuzz_failures=1)
            problems.append(f"{values!r}: refused but wrote {written}")

    one_submission()
    assert not problems, problems[:5]


def test_the_write_watcher_sees_a_committed_change(app, world):
    """Control for the checks above: an accepted form shows up as written."""
    client = world.client("primary_a")
    path = "/mijn-contactgegevens"
    form = post_forms(client.get(path).get_data(as_text=True), path)[0]
    with WriteWatcher(db.engine) as watcher:
        response = client.post(path, data=form.data(first_name="Anders",
                                                    csrf_token=csrf_token_for(client)))
        assert response.status_code == 302
        assert "contacts" in watcher.take()
