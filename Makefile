# Everything a person can do with this project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 0.0.0.0

.PHONY: run test test-fast test-browser lint format bench archive-demo browser fonts postgres haproxy scale-out screenshots catalogues clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## make catalogues: the texts' gettext catalogues compiled (workshop/i18n/locale/*/LC_MESSAGES/messages.mo,
## read by t(); built from the .po files whenever one changes, by every target that runs the app)
LOCALE := workshop/i18n/locale
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))

catalogues: $(CATALOGUES)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(BIN)/.installed
	$(BIN)/pybabel compile --domain messages -d $(LOCALE) -l $*

# htmx, the phone pages' one library (served by the app itself), and axe-core, injected into
# pages by the browser tests (npm registry)
node_modules/.installed: package.json
	npm install --no-audit --no-fund --no-package-lock --silent
	touch $@

## make run: the app on SQLite (data/workshop.db) with the built-in trend maps
run: $(BIN)/.installed catalogues node_modules/.installed fonts
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

## make fonts: DejaVu Sans, for Cyrillic in the printable posters (needs root or sudo)
fonts:
	@[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq fonts-dejavu-core; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq fonts-dejavu-core; fi; } \
	  || echo "fonts-dejavu-core could not be installed: posters will ask for it"

## make postgres: Debian's PostgreSQL server binaries (initdb, pg_ctl) for the PostgreSQL test run
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql; fi; }

## make haproxy: Debian's haproxy, the proxy in front of several app processes (needs root or sudo)
haproxy:
	@command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq haproxy; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq haproxy; fi; }

PROCESSES ?= 2

## make scale-out: PROCESSES app processes (default 2) behind haproxy on ADDRESS:PORT, sharing the
## PostgreSQL in DATABASE_URL (or a throwaway one from Debian's packages); Ctrl-C stops everything
scale-out: $(BIN)/.installed catalogues node_modules/.installed haproxy postgres fonts
	$(BIN)/python -m scripts.scale_out --processes $(PROCESSES) --port $(PORT) --address $(ADDRESS)

# The suites that run a second time on a real PostgreSQL server (started by tests/postgres.py).
POSTGRES_TESTS := tests/services/test_services.py tests/maps/test_trend_maps.py tests/db/test_migrations.py \
	tests/managers/test_managers.py tests/transfer/test_transfer.py tests/managers/test_archive_scale.py \
	tests/live/test_board.py tests/access/test_guessing.py tests/access/test_room_access.py tests/access/test_tickets.py \
	tests/web/test_live_routes.py tests/web/test_phone_routes.py \
	tests/live/test_suggested_merges.py tests/managers/test_memory.py tests/services/test_innovation_day.py \
	tests/transfer/test_day_transfer.py \
	tests/browser/test_full_workshop.py tests/browser/test_trend_map_import.py \
	tests/browser/test_live_board.py tests/browser/test_literal_text.py

## make browser: Debian's Chromium for the browser tests (needs root or sudo)
browser:
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core poppler-utils; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-dejavu-core poppler-utils; fi; }

## make test: every test — services, pages (AppTest) and browser (Playwright + Chromium); the
## SQLite pass on two workers (pytest-xdist), a test file to a worker so a file's shared servers
## and browser profiles stay in one process; the PostgreSQL pass in one (it shares one server)
test: lint catalogues browser postgres haproxy node_modules/.installed
	$(BIN)/pytest -n 2 --dist loadfile
	$(BIN)/python -m tests.postgres $(BIN)/pytest -q $(POSTGRES_TESTS)

## make test-fast: everything but the browser tests
test-fast: $(BIN)/.installed catalogues node_modules/.installed postgres
	$(BIN)/pytest -m "not browser" -n 2

## make lint: style and simplicity (ruff), the house's layers (import-linter), types in workshop/ (mypy)
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## make format: ruff's formatting and its safe fixes, in place
format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make screenshots: docs/screenshots/*.png — every step on the projector (1920x1080) and a phone (390x844)
screenshots: $(BIN)/.installed catalogues node_modules/.installed browser
	$(BIN)/python -m scripts.screenshots --out docs/screenshots $(if $(STOPS),--stops $(STOPS))

## make bench: what the big screens cost (the trend map built, the board's data per change, against
## the baseline commit); a phone's weight and readiness in a cold Chromium and the server's CPU per
## phone action (bench/phone.py); live-update latency in Chromium (submit on a phone -> visible on the
## projector); the managers' archive with 10,000 workshops (budget 300 ms); the load bench without
## a browser: W workshops x (projector + control + 7 phones) at a realistic and a heavy load, ours
## against the baseline; a py-spy profile of one process under load; the suggested merges'
## precision and recall on the labelled set (bench/data/similar_notes.yaml) and their time for a
## wall of 40 notes; the company memory's look-up at 10,000 workshops (budget 100 ms)
## (bench/results.json, bench/RESULTS.md, bench/profile.md; about 80 minutes)
bench: $(BIN)/.installed catalogues node_modules/.installed browser
	$(BIN)/python -m bench.board
	$(BIN)/python -m bench.phone
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.archive
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.profile
	$(BIN)/python -m bench.similar_notes
	$(BIN)/python -m bench.memory
	$(BIN)/python -m bench.day

## make archive-demo: fill data/archive-demo.db with 10,000 realistic workshops to try the archive
archive-demo: $(BIN)/.installed catalogues
	$(BIN)/python -m bench.archive_data --workshops 10000 --database-url sqlite:///data/archive-demo.db

clean:
	rm -rf $(VENV) .pytest_cache
