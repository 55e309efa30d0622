"""`manage.py check --deploy --fail-level WARNING` under production settings: clean with the
environment an operator gives, failing when a secret or host is missing or weak."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "portal.example.mil",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.mil",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "OIDC_RP_CLIENT_ID": "mdo-portal",
    "OIDC_RP_CLIENT_SECRET": "from-the-environment",
    "OIDC_OP_ISSUER": "https://login.example.mil/auth/realms/baby-yoda",
    "OIDC_GROUP_MAP": "/Party Bus/MDO PMs=mdo_pm",
    "METRICS_TOKEN": "scraper-token",
}


def check_deploy(**overrides) -> subprocess.CompletedProcess:
    # Only what the operator sets: none of this machine's or the test run's settings.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(PRODUCTION)
    env.update({k: v for k, v in overrides.items() if v is not None})
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secrets_come_from_files_too(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(64))
    result = check_deploy(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"SECRET_KEY": None}, "Set the SECRET_KEY environment variable"),
        ({"SECRET_KEY": "short"}, "security.W009"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SESSION_COOKIE_SECURE": "false"}, "security.W012"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DEBUG": "true"}, "security.W018"),
        ({"OIDC_RP_CLIENT_SECRET": None}, "portal.E002"),
        ({"OIDC_GROUP_MAP": "/Party Bus/MDO PMs=pilot"}, "portal.E001"),
    ],
)
def test_check_deploy_fails_on_what_an_assessor_would_flag(overrides, says):
    result = check_deploy(**overrides)
    assert result.returncode != 0
    assert says in result.stdout + result.stderr
