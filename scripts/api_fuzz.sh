#!/usr/bin/env bash
# Schemathesis from the command line, every check (`--checks all`), against a live portal at
# BASE (the first argument) in production settings, signed in with a token got as an API
# client gets one: POST /api/v1/auth/token/ as the seeded MDO PM (seed_demo). The smoke test
# runs it against its gunicorn, worker and beat (scripts/smoke_stack.sh), on PostgreSQL.
# scripts/api_fuzz.toml says which answers a write may give to valid data. Bounded
# (FUZZ_EXAMPLES examples an operation, 10 by default) to a few minutes.
#
#   bash scripts/api_fuzz.sh http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."

BASE="${1:?give the address of the portal, e.g. http://127.0.0.1:8000}"
FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-10}"
PY=.venv/bin/python

# The token, as a client gets it (the seeded MDO PM, seed_demo's password).
TOKEN="$(BASE="$BASE" $PY -c '
import json, os, urllib.request
ask = urllib.request.Request(
    os.environ["BASE"] + "/api/v1/auth/token/",
    data=json.dumps({"username": "pat", "password": "partybus-demo"}).encode(),
    headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
)
with urllib.request.urlopen(ask, timeout=10) as answer:
    print(json.load(answer)["token"])
')"
[ -n "$TOKEN" ] || { echo "api fuzz: no token for pat"; exit 1; }

# DELETE /auth/token/ would revoke the token every later request is signed with.
echo "api fuzz: schemathesis --checks all, ${FUZZ_EXAMPLES} examples an operation"
.venv/bin/schemathesis --config-file scripts/api_fuzz.toml run "${BASE}/api/v1/schema/" \
    --checks all \
    --exclude-method DELETE \
    --max-examples "$FUZZ_EXAMPLES" \
    --generation-deterministic \
    --request-timeout 30 \
    --header "Authorization: Token ${TOKEN}" \
    --header "X-Forwarded-Proto: https" \
    --no-color
echo "api fuzz: every check passed"
