# MDO Portal: developer entry points. Everything runs from the project venv in .venv/
# (no activation needed). Settings come from the environment or .env (see .env.example).

VENV := .venv
PY   := $(VENV)/bin/python
# What running needs, and what the tests add: each installed from its lock (requirements/,
# every file pinned with its hashes) when the lock changed since the last install.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# The tools that make the locks and the SBOM live apart, so the SBOM lists only the portal's.
TOOLS := .venv-tools
LOCK := $(TOOLS)/bin/uv pip compile --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock"
# The served address, which e-mails and webhooks link to (PORT moves it; PORTAL_BASE_URL wins).
SERVED := PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$${PORT:-8000}}

.PHONY: run install install-dev test lint bench worker beat serve smoke deploy-check lock lock-check sbom clean

run: install
	$(PY) manage.py migrate --noinput
	$(SERVED) $(PY) manage.py seed_demo
	@echo ""
	@echo "Demo users (password: partybus-demo)"
	@echo "  alice  product team member, Team Alpha (funded, onboarded)"
	@echo "  bob    product team member, Team Bravo (onboarded, NOT funded)"
	@echo "  pat    MDO PM, with Classified Ops access"
	@echo "  dana   DevOps engineer"
	@echo "  casey  Cyber team"
	@echo "  cleo   Classified Ops"
	@echo "  avery  auditor: reads everything, the audit trail and its export"
	@echo "  admin  superuser"
	@echo "E-mails the portal sends: the dev mailbox, http://127.0.0.1:$${PORT:-8000}/dev/mailbox/ (admin)"
	@echo "Web server, Celery worker and beat on a broker in files (var/broker): Ctrl-C stops all"
	@echo ""
	$(SERVED) $(PY) scripts/devstack.py --port $${PORT:-8000}

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

$(PY):
	python3 -m venv $(VENV)

# The code runs from this directory (manage.py, celery -A portal, gunicorn): only the
# dependencies are installed, never the project itself.
$(RUN_STAMP): requirements/run.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/run.txt
	touch $@

$(DEV_STAMP): requirements/dev.txt $(RUN_STAMP)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .

bench: install
	$(PY) -m bench

# Three workers, as docker-compose.yml runs them: one per delivery channel's queue (a hung
# mail relay delays only e-mail) and one for everything else. Ctrl-C stops all three.
worker: install
	trap 'kill 0' INT TERM; \
	$(VENV)/bin/celery -A portal worker -Q celery -c 2 -l info -n worker@%h & \
	$(VENV)/bin/celery -A portal worker -Q email -c 4 -l info -n email@%h & \
	$(VENV)/bin/celery -A portal worker -Q webhook -c 4 -l info -n webhook@%h & \
	wait

beat: install
	$(VENV)/bin/celery -A portal beat -l info

# The production web server (settings from the environment or .env; see README "Operating it").
serve: install
	$(VENV)/bin/gunicorn -c portal/gunicorn_conf.py portal.wsgi

# gunicorn + worker + beat against a throwaway database, then scripts/smoke.py through them:
#   SMOKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdo_smoke make smoke
smoke: install
	bash scripts/smoke_stack.sh

# Django's deployment checklist under production settings (SECRET_KEY, ALLOWED_HOSTS from env).
deploy-check: install
	DEBUG=false $(PY) manage.py check --deploy --fail-level WARNING

$(TOOLS)/.installed: requirements/tools.txt
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes -r requirements/tools.txt
	touch $@

# The locks, from pyproject.toml (run, and run + dev) and requirements/tools.in. Versions
# already locked are kept where pyproject.toml still admits them: `make lock` after an edit
# moves only what the edit asks for (delete a lock file to take every latest release).
lock: $(TOOLS)/.installed
	$(LOCK) pyproject.toml -o requirements/run.txt
	$(LOCK) pyproject.toml --extra dev -o requirements/dev.txt
	$(LOCK) requirements/tools.in -o requirements/tools.txt

# Fails when pyproject.toml and the locks disagree (what `make lock` would change).
lock-check: $(TOOLS)/.installed
	$(TOOLS)/bin/python scripts/lock_check.py

# A CycloneDX SBOM (JSON) of what the portal's environment has installed.
sbom: install $(TOOLS)/.installed
	$(TOOLS)/bin/cyclonedx-py environment --pyproject pyproject.toml --output-format JSON \
		--output-file var/sbom.cdx.json $(PY)
	@echo "wrote var/sbom.cdx.json"

clean:
	rm -rf var/ $(VENV) $(TOOLS)
