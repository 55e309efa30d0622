"""The development mailbox: with DEBUG on and no relay, e-mails are written to files and
listed for administrators, not printed; nowhere else is there such a page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.portal.pages import sign_in
from workflow.permissions import MDO_PM

pytestmark = pytest.mark.django_db

MAILBOX = "notifications.mailbox.MailboxBackend"


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = MAILBOX
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


@pytest.fixture
def admin_client(client):
    return sign_in(client, UserFactory(username="root", is_staff=True, is_superuser=True))


def test_each_e_mail_is_a_file_and_the_newest_is_listed_first(mailbox, admin_client):
    send_mail("Ticket #4 was triaged", "Your request is triaged.", None, ["alice@example.mil"])
    send_mail("Accès accordé — 30 days", "Until 3 Jan 2027.", None, ["dana@example.mil"])
    assert len(list(mailbox.glob("*.eml"))) == 2

    page = admin_client.get(reverse("dev_mailbox"))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Accès accordé — 30 days") < text.index("Ticket #4 was triaged")
    assert "dana@example.mil" in text and "Your request is triaged." in text


def test_the_mailbox_is_for_administrators(mailbox, client):
    send_mail("Secret subject", "Body.", None, ["alice@example.mil"])
    pm = sign_in(client, UserFactory(username="pat", roles=[MDO_PM]))
    page = pm.get(reverse("dev_mailbox"))
    assert page.status_code == 403
    assert "Secret subject" not in page.content.decode()


@pytest.mark.parametrize(
    "change",
    [{"DEBUG": False}, {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}],
    ids=["debug off", "another backend"],
)
def test_there_is_no_mailbox_outside_development(mailbox, admin_client, settings, change):
    for name, value in change.items():
        setattr(settings, name, value)
    assert admin_client.get(reverse("dev_mailbox")).status_code == 404


@pytest.mark.parametrize(
    ("debug", "expected"),
    [("true", MAILBOX), ("false", "django.core.mail.backends.console.EmailBackend")],
)
def test_the_default_backend_is_the_mailbox_only_in_development(debug, expected):
    """As `make run` starts it: no EMAIL_HOST, no EMAIL_BACKEND (pytest-django swaps the
    backend inside the tests, so this reads the settings in a process of their own)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("EMAIL_") and name != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(DEBUG=debug, SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="portal.settings")
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected
