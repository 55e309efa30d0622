"""Two MDO PMs drop the same card at the same moment: the services' row lock lets one win;
the other sees the card where it now is, and why (PostgreSQL: real concurrent requests)."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.boards.conftest import triaged
from tests.factories import UserFactory
from tests.portal.pages import HTMX, sign_in, text_of, world
from workflow.permissions import MDO_PM

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_pms_drop_one_card_at_once(settings):
    people = world()
    triaged(people, people.logistics)
    pam = UserFactory(username="pam", roles=[MDO_PM])
    clients = [sign_in(Client(), people.pat), sign_in(Client(), pam)]
    start = threading.Barrier(2)
    answers = []

    def drop(client):
        try:
            start.wait()
            answers.append(
                client.post(
                    reverse("board_epic_move", args=[people.logistics.pk]),
                    {"from": "new", "to": "pipeline_in_progress"},
                    headers=HTMX,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=drop, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    won, lost = sorted(answers, key=lambda response: response.status_code)
    assert (won.status_code, lost.status_code) == (200, 409)
    for answer in (won, lost):
        card = re.search(r'id="epic-\d+" data-status="([^"]+)"', answer.content.decode())
        assert card.group(1) == "pipeline_in_progress"
    assert "Someone else moved “Logistics Tracker” to Pipeline In Progress meanwhile" in text_of(
        lost
    )
    people.logistics.refresh_from_db()
    assert people.logistics.status == "pipeline_in_progress"
