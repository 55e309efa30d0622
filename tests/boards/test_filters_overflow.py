"""Filter ids the database cannot hold, or that are not plain digits, match nothing (no 500)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["9" * 25, "²", "-1", "abc"])
@pytest.mark.parametrize("param", ["team", "assignee"])
def test_odd_filter_values_answer_the_board_not_an_error(pm, param, value):
    client = Client()
    sign_in(client, pm)
    response = client.get(reverse("board_epics"), {param: value})
    assert response.status_code == 200
