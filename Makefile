# MDO Portal: developer entry points. Everything runs from the project venv in .venv/
# (no activation needed). Settings come from the environment or .env (see .env.example).

VENV := .venv
PY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The served address, which e-mails and webhooks link to (PORT moves it; PORTAL_BASE_URL wins).
SERVED := PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$${PORT:-8000}}

.PHONY: run install test lint bench worker beat serve smoke deploy-check clean

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
	@echo "  admin  superuser"
	@echo ""
	$(SERVED) $(PY) manage.py runserver 127.0.0.1:$${PORT:-8000}

install: $(STAMP)

$(PY):
	python3 -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last successful install.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[dev]"
	touch $@

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
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

clean:
	rm -rf var/ $(VENV)
