import pytest

from tests.sso.provider import Provider


@pytest.fixture(scope="session")
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def sso(provider, settings):
    """SSO on, against the test provider, with a group map like an operator would write."""
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_GROUP_MAP = (
        "/Party Bus/MDO PMs=mdo_pm,/Party Bus/DevOps=devops,/Party Bus/Cyber=cyber,"
        "/Party Bus/Classified Ops=classified_ops,/Party Bus/Admins=superuser"
    )
    settings.OIDC_TEAM_GROUP_PREFIX = "/teams/"
    provider.person, provider.tamper = {}, ""
    return provider
