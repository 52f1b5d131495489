# Two commands matter: `make run` and `make test`. Everything they need is built on the way.
PORT ?= 5000
# 0.0.0.0 serves the whole local network (a phone on the same Wi-Fi); see README.
HOST ?= 127.0.0.1
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app.py

.PHONY: run test lint format system-deps system-deps-test assets catalogs extract-strings migrate demo lock bench clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Serving needs fonts and Cairo only; tests and benchmarks add chromium, wrk and poppler.
system-deps:
	bash scripts/install-system-deps.sh system-packages.txt

system-deps-test:
	bash scripts/install-system-deps.sh system-packages.txt system-packages-test.txt

# Front-end libraries come from npm (`npm ci`, exactly package-lock.json): Leaflet for the map page.
assets: $(BIN)/.installed
	bash scripts/build-assets.sh

catalogs: $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d heritage/translations

# Refresh the message catalogs after changing user-facing strings.
extract-strings: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 --add-comments=i18n: --no-location --sort-output -o heritage/translations/messages.pot .
	$(BIN)/pybabel update -i heritage/translations/messages.pot -d heritage/translations --no-fuzzy-matching --ignore-obsolete

migrate: $(BIN)/.installed
	$(BIN)/flask heritage migrate

# The demo admin's one-time link points at the port this server really uses. The sample panorama
# and the espeak-ng demo narration are queued: the worker beside the server makes them.
demo: migrate
	ADMIN_BASE_URL=$${ADMIN_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask heritage load-demo --if-empty
	$(BIN)/flask heritage media demo-scene
	$(BIN)/flask heritage media demo-narration

# Request log lines read by a person here; production keeps LOG_FORMAT=json for its collector.
run: system-deps assets catalogs demo
	HOST=$(HOST) PORT=$(PORT) LOG_FORMAT=$${LOG_FORMAT:-plain} bash scripts/serve.sh

test: system-deps-test assets catalogs
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check heritage tests bench app.py
	$(BIN)/ruff format --check heritage tests bench app.py

format: $(BIN)/.installed
	$(BIN)/ruff format heritage tests bench app.py
	$(BIN)/ruff check --fix heritage tests bench app.py

# Re-pin requirements.txt from requirements.in in a scratch virtualenv.
lock:
	rm -rf build/lock && $(PYTHON) -m venv build/lock
	build/lock/bin/pip install --quiet -r requirements.in
	build/lock/bin/pip freeze --exclude-editable | sort > requirements.txt

bench: system-deps-test assets catalogs
	$(BIN)/python bench/page_size.py
	$(BIN)/python bench/http_load.py
	$(BIN)/python bench/plaques.py
	$(BIN)/python bench/media.py
	$(BIN)/python bench/demo_narration.py
	$(BIN)/python bench/media.py panorama
	$(BIN)/python bench/search.py
	$(BIN)/python bench/scan_to_paint.py
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf $(VENV) build node_modules static/vendor
