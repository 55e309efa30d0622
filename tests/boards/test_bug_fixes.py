"""Bugs of issue 17 on the server's side: each test failed before its fix."""

import pytest
from django.urls import reverse

from tests.factories import AccessRequestFactory, UserFactory
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_access_holder_on_no_team_and_no_role_opens_the_classified_board(people, as_user):
    holder = UserFactory(username="vera", roles=[], teams=[])
    AccessRequestFactory(user=holder, status="approved")
    client = as_user(holder)
    response = client.get(reverse("board_classified"))
    assert response.status_code == 200
    html = response.content.decode()
    for status in ("to_do", "in_progress", "done"):
        assert f'id="col-{status}"' in html
    assert client.get(reverse("board_classified_live")).status_code == 200
    assert client.get(reverse("board_classified_column", args=["to_do"])).status_code == 200
    reads = AuditEvent.objects.filter(actor=holder, action="open_board", outcome="done")
    assert reads.count() == 3

