#!/usr/bin/env bash
# Runs the processes docker-compose.yml runs, directly on this machine, in production
# settings (DEBUG off): gunicorn, a Celery worker and Celery beat, against the PostgreSQL
# database SMOKE_DATABASE_URL (migrated and seeded here: use a throwaway one) and Redis
# SMOKE_REDIS_URL; then scripts/smoke.py through them. Stops all three on the way out.
#
#   SMOKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/mdo_smoke bash scripts/smoke_stack.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${SMOKE_DATABASE_URL:?set SMOKE_DATABASE_URL to a throwaway PostgreSQL database}"
SMOKE_REDIS_URL="${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/6}"
PY=.venv/bin/python
WORK="$(mktemp -d -t mdo-smoke.XXXXXX)"
PORT="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:${PORT}"

# Production settings, as an operator sets them (see .env.example); only TLS is missing,
# so requests say they came through the TLS-terminating proxy (SECURE_PROXY_SSL_HEADER).
export DEBUG=false
SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$SMOKE_DATABASE_URL"
export REDIS_URL="$SMOKE_REDIS_URL"
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$WORK/mail"
export SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
METRICS_TOKEN="$($PY -c 'import secrets; print(secrets.token_urlsafe(24))')"
export METRICS_TOKEN
export LOG_FORMAT=json
export PORTAL_BASE_URL="https://127.0.0.1:${PORT}"
export NOTIFICATION_RETRY_AFTER_SECONDS=5
mkdir -p "$WORK/mail" "$WORK/prom"

PIDS=()
stop() {
    local rc=$?
    for pid in "${PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ]; then
        for log in web worker beat; do
            echo "---- last lines of the ${log} log ----"
            tail -n 40 "$WORK/$log.log" 2>/dev/null || true
        done
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "smoke: migrate, collectstatic, seed_demo --force on ${DATABASE_URL##*/}"
$PY manage.py migrate --noinput >/dev/null
$PY manage.py collectstatic --noinput >/dev/null
$PY manage.py seed_demo --force

# Each in its own session, so stopping its process group stops its children too.
PROMETHEUS_MULTIPROC_DIR="$WORK/prom" GUNICORN_BIND="127.0.0.1:${PORT}" WEB_CONCURRENCY=2 \
    setsid .venv/bin/gunicorn -c portal/gunicorn_conf.py portal.wsgi >"$WORK/web.log" 2>&1 &
PIDS+=("$!")
setsid .venv/bin/celery -A portal worker -Q celery,email,webhook -l info --concurrency 2 -n "smoke@%h" \
    >"$WORK/worker.log" 2>&1 &
PIDS+=("$!")
setsid .venv/bin/celery -A portal beat -l info -s "$WORK/celerybeat-schedule" \
    >"$WORK/beat.log" 2>&1 &
PIDS+=("$!")
echo "smoke: gunicorn on ${BASE}, worker and beat started (pids ${PIDS[*]})"

ready=""
for _ in $(seq 60); do
    if $PY -c "import urllib.request, sys; urllib.request.urlopen('${BASE}/readyz', timeout=2)" \
        2>/dev/null; then
        ready=yes
        break
    fi
    sleep 1
done
[ -n "$ready" ] || { echo "smoke: ${BASE}/readyz never answered 200"; exit 1; }
for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "smoke: process $pid has exited"; exit 1; }
done

$PY scripts/smoke.py --base-url "$BASE" --mail-dir "$WORK/mail" \
    --metrics-token "$METRICS_TOKEN" --worker-log "$WORK/worker.log" --https-proxy-header

# Beat must have been ticking: its sweeper runs every NOTIFICATION_RETRY_AFTER_SECONDS.
for _ in $(seq 20); do
    grep -q "sweep-undelivered-notifications" "$WORK/beat.log" && break
    sleep 1
done
grep -q "sweep-undelivered-notifications" "$WORK/beat.log" \
    || { echo "smoke: beat never sent the sweeper"; exit 1; }
echo "smoke: beat is sending its schedule"
grep -q '"logger": "portal.request"' "$WORK/web.log" \
    || { echo "smoke: the web log has no JSON request lines"; exit 1; }
echo "smoke: gunicorn + worker + beat smoke test passed"

# Then every operation of the API, fed what its schema allows and what it does not.
bash scripts/api_fuzz.sh "$BASE"
