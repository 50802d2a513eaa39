# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install translations db seed lint test-postgres extract-messages migration bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling" || true

db: translations
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

run: seed
	@echo ""
	@echo "Ledenportaal draait op http://127.0.0.1:5000"
	@echo "Demo-aanmeldingen (wachtwoord voor allemaal: Demo-wachtwoord-2026):"
	@echo "  primaire contactpersoon  primair@voorbeeld.be   (Demo vzw)"
	@echo "  contactpersoon           contact@voorbeeld.be   (Demo vzw)"
	@echo "  primaire contactpersoon  primair2@voorbeeld.be  (Tweede Demo vzw)"
	@echo "  medewerker               medewerker@voorbeeld.be (stelt bij de eerste aanmelding tweestapsverificatie in)"
	@echo "Verstuurde mails staan in instance/mail/."
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check portal tests wsgi.py scripts bench deploy

# axe-core and the Nu Html Checker for the browser tests (skipped when npm is missing).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: browser accessibility checks will be skipped"; fi

test: translations lint node_modules/.installed
	$(BIN)/python -m pytest -q

# Sorted and without source locations: the catalog changes only where a message changes, so
# parallel branches rarely conflict in it (scripts/merge_po.py merges the rest).
extract-messages: $(STAMP)
	$(BIN)/pybabel extract --ignore-dirs='.*' -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

test-postgres:
	TEST_DATABASE_URL=$(PG_TEST_URL) $(MAKE) test

# The performance benchmark (about 5-8 minutes; PostgreSQL too when BENCH_DATABASE_URL is set).
bench: translations
	$(BIN)/python bench/run.py

# Regenerate the single initial migration from the models (allowed until the first release).
migration: $(STAMP)
	$(BIN)/python scripts/regenerate_migration.py

clean:
	rm -rf $(VENV) instance/portal.db instance/mail
