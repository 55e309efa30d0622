import pytest

from notifications.models import Webhook
from tests.factories import TeamFactory, UserFactory
from tests.fakes import FakeSMTPServer, FakeWebhook


@pytest.fixture
def smtp(settings):
    server = FakeSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    yield server
    server.close()


@pytest.fixture
def webhook():
    server = FakeWebhook()
    yield server
    server.close()


@pytest.fixture
def people(team, member, pm, devops, cyber, classified, outsider):
    """Two of each role that hears of things, so 'exactly these people' means something."""
    from workflow.permissions import CLASSIFIED_OPS, DEVOPS, MDO_PM, PRODUCT_TEAM

    return {
        "alice": member,
        "amy": UserFactory(username="amy", roles=[PRODUCT_TEAM], teams=[team]),
        "bob": outsider,
        "pat": pm,
        "paula": UserFactory(username="paula", roles=[MDO_PM]),
        "dana": devops,
        "devon": UserFactory(username="devon", roles=[DEVOPS]),
        "casey": cyber,
        "cleo": classified,
        "clark": UserFactory(username="clark", roles=[CLASSIFIED_OPS]),
        "other_team": TeamFactory(name="Team Zulu"),
    }


@pytest.fixture
def hooks(team):
    """A webhook for the team and one for each role, each a distinct fake URL."""
    urls = {"team": "http://127.0.0.1:9/team-alpha"}
    Webhook.objects.create(name="Team Alpha", url=urls["team"], team=team)
    for role in ("mdo_pm", "devops", "classified_ops", "cyber", "product_team"):
        urls[role] = f"http://127.0.0.1:9/{role}"
        Webhook.objects.create(name=role, url=urls[role], role=role)
    return urls
