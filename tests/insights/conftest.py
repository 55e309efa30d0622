import pytest

from tests.insights.support import Clock


@pytest.fixture(autouse=True)
def _business_calendar(settings):
    """The calendar the hand-computed figures assume (the defaults, said out loud)."""
    settings.TIME_ZONE = "America/Chicago"
    settings.BUSINESS_TIME_ZONE = "America/Chicago"
    settings.BUSINESS_OPEN_HOUR = 8
    settings.BUSINESS_CLOSE_HOUR = 18
    settings.BUSINESS_DAYS = [0, 1, 2, 3, 4]
    settings.TRIAGE_GOAL_BUSINESS_HOURS = 8


@pytest.fixture
def clock():
    """Every service, audit row and page reads this clock while the test runs."""
    travelling = Clock()
    travelling.start()
    yield travelling
    travelling.stop()
