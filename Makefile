# Los Angeles 311 Know Your Rights assistant. `make help` lists the targets.
# Every target does its own prerequisites and does nothing when up to date.

SHELL := /bin/bash
VENV := .venv
SCAN_VENV := .venv-scan
PY := $(VENV)/bin/python
RASA := $(PY) -m bot.cli.quiet rasa
MODEL := models/kyr.tar.gz
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
# What the model is trained from: a change to any of these retrains. Content
# that takes effect without retraining (the resource directory, topics, menus,
# content control, catalogs) is deliberately not here. Our NLU and policy code
# is, with what it redacts training examples with; `rasa train --force`
# because Rasa's own fingerprint does not see code changes.
TRAINING_INPUTS := config.yml domain.yml \
                   $(shell find data/nlu data/rules data/stories -name '*.yml' 2>/dev/null) \
                   $(shell find bot/nlu bot/policies -name '*.py' 2>/dev/null) \
                   bot/privacy/redaction.py bot/text.py
# Keep Rasa's own telemetry off and its logs free of message text.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(CURDIR)
# Third-party deprecation noise would bury what operators need to read.
export PYTHONWARNINGS := ignore



.PHONY: help services scan setup catalogs train shell run sms call purge analytics-demo topology test lint validate bench fuzz i18n-report i18n-extract i18n-update clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@PYTHON=$$(scripts/find-python310) || exit 1; \
	  [ -x $(PY) ] || "$$PYTHON" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.0
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

services: ## Install PostgreSQL and Redis (Debian packages) for the scale-out tests and benches, when absent and root
	@scripts/install-services

setup: $(VENV)/.installed catalogs ## Virtual environment, pinned dependencies, compiled catalogs

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

$(SCAN_VENV)/.installed: requirements-scan.txt
	@PYTHON=$$(scripts/find-python310) || exit 1; \
	  [ -x $(SCAN_VENV)/bin/python ] || "$$PYTHON" -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet -r requirements-scan.txt
	@touch $@

scan: $(SCAN_VENV)/.installed ## Kubernetes manifests (deploy/k8s): schema check and security scan, offline
	$(SCAN_VENV)/bin/kubernetes-validate --strict --quiet deploy/k8s/*.yaml
	$(SCAN_VENV)/bin/checkov -d deploy/k8s --framework kubernetes --compact --quiet --skip-download

catalogs: $(MO_FILES) ## Compile the gettext catalogs (locales/*/LC_MESSAGES/*.mo)

$(MODEL): $(TRAINING_INPUTS) | $(VENV)/.installed
	$(RASA) train --force --fixed-model-name kyr --out models --quiet

train: setup $(MODEL) ## Train the model, only when data or config changed

shell: train ## Talk to the assistant in the terminal (starts the action server too)
	$(PY) -m bot shell

run: train ## Action server on :5055 and Rasa server on :5005 (channels from credentials.yml)
	$(PY) -m bot run

sms: setup ## Text the running server (`make run`) as Twilio would, signed; prints replies and segments
	$(PY) -m bot sms

call: setup ## Call the running server's IVR (`make run`) as Twilio would, signed; prints what is spoken
	$(PY) -m bot call

purge: setup ## Delete conversations older than RETENTION_DAYS (DRY_RUN=1 to only count)
	$(PY) -m bot purge $(if $(DRY_RUN),--dry-run,)

analytics-demo: setup ## Simulated traffic in a throwaway database, and the City's report page from it (results/analytics-demo.html)
	@mkdir -p results
	$(PY) -m bot analytics --demo --since 2026-11-02 --until 2026-11-29 --out results/analytics-demo.html

topology: services train ## nginx (deploy/nginx.conf), two Rasa servers, actions, PostgreSQL and Redis on loopback, until Ctrl-C
	$(PY) -m bot topology

lint: setup ## ruff (lint and format), mypy over bot/ and actions/ (settings in pyproject.toml), hadolint on the Dockerfile
	$(VENV)/bin/ruff check bot actions tests benchmarks
	$(VENV)/bin/ruff format --check bot actions tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/hadolint Dockerfile

validate: setup ## Validate the training data and domain
	$(RASA) data validate --fail-on-warnings

test: services train lint validate scan ## Everything CI runs: lint, data validation, manifest scan, pytest, rasa test
	$(PY) -m pytest -q
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core --no-plot

bench: services train ## Measure training, start-up, memory and latency, with the `rasa init` bot as baseline
	$(PY) -m benchmarks core --baseline --two-languages
	$(PY) -m benchmarks nlu_languages
	$(PY) -m benchmarks sms
	$(PY) -m benchmarks voice
	$(PY) -m benchmarks scale
	$(PY) -m benchmarks burst --redis
	$(PY) -m benchmarks analytics

fuzz: train ## 10,000 hostile requests per channel against a live server: no 5xx, no hang, no leak (a few minutes)
	$(PY) -m benchmarks fuzz

i18n-report: catalogs ## Per key and language: reading level, SMS segments, voice checks, fuzzy and missing translations
	$(PY) -m bot i18n-report

i18n-extract: setup ## Rebuild locales/messages.pot from the domain and data files
	$(VENV)/bin/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --omit-header --width 100 .

i18n-update: i18n-extract ## Merge new keys into every catalog; flag fuzzy the translations whose English changed
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --width 100
	$(PY) -m bot i18n-sources mark

clean: ## Remove the trained model, compiled catalogs and test output
	rm -rf models results $(MO_FILES) .pytest_cache
