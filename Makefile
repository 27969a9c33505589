# Two commands for a fresh machine: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test test-sqlite test-postgres bench load install system-deps translations extract-messages

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(BIN)/.installed

translations: install
	$(BIN)/pybabel -q compile -d translations

## make run: install, migrate, load reference and demo data, serve on 127.0.0.1:5000
run: translations
	$(BIN)/flask db upgrade
	$(BIN)/flask refdata load
	$(BIN)/flask demo seed
	@echo
	@echo "  Open http://127.0.0.1:5000 and log in with one of the demo logins above."
	@echo
	@# For convenience the scheduler (check-ins, e-mail delivery) runs inside the development
	@# server here; in production it is its own process: `flask scheduler run`.
	SCHEDULER_ENABLED=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: install what the tests need (chromium, fonts, PostgreSQL), run the suite on SQLite and PostgreSQL
system-deps:
	scripts/install-system-deps.sh

test: translations system-deps test-sqlite test-postgres

test-sqlite: translations
	$(BIN)/pytest -q

test-postgres: translations
	scripts/with-postgres.sh $(BIN)/pytest -q

## make bench: timings of the matching core, the people registry and the coverage dashboard (not part of make test)
bench: translations
	$(BIN)/python -m bench.bench_matching
	$(BIN)/python -m bench.bench_people
	$(BIN)/python -m bench.bench_stats
	$(BIN)/python -m bench.bench_pages

## make load: gunicorn as in production on a throwaway PostgreSQL, 50 clients for 60 s (not part of make test)
## (LOAD_CLIENTS, LOAD_SECONDS, LOAD_COMPARE_SECONDS for a shorter run)
load: translations
	scripts/with-postgres.sh $(BIN)/python -m bench.load

## make extract-messages: refresh the catalogs after adding or changing strings
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_plural:1,2 --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	rm -f messages.pot
